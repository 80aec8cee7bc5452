"""``make screenshots``: a picture of each page of the web console, for the docs.

Starts a local platform on free ports (a fresh one, so the pictures do not depend on what a
running platform holds), gives one merchant a day of activity through the public API (funding,
payouts that succeed, fail and wait for review, mobile-money payments, a webhook endpoint, card
orders and a settlement job; a second merchant's day at Cashfree with a reconciliation break),
then opens the console in Debian's Chromium through Playwright and saves ``docs/console/<page>.png``
(1280x800); and the API reference's Swagger UI (``/docs``) with ``POST /v1/payouts``'s documented
example sent as it stands, as ``docs/swagger-ui.png``. Needs
``chromium`` on PATH (``make tools``)."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests
import typer

from infra.catalog import ROOT
from infra.local import process
from infra.tools.client import Payrail, wait_for

OUT = ROOT / "docs" / "console"
SWAGGER_OUT = ROOT / "docs" / "swagger-ui.png"
VIEWPORT = {"width": 1280, "height": 800}
#: quick retries, so that every payout and payment reaches its outcome within seconds
FAST = {"PAYOUT_BACKOFF_BASE_SECONDS": "1", "PAYOUT_BACKOFF_MAX_SECONDS": "2", "PAYMENT_BACKOFF_BASE_SECONDS": "1",
        "PAYMENT_BACKOFF_MAX_SECONDS": "2", "WEBHOOK_RETRY_SCHEDULE": "1", "WEBHOOK_RETRY_HORIZON_SECONDS": "30"}

app = typer.Typer(add_completion=False, help=__doc__)


def account(last: str) -> str:
    """A fresh PKR bank account number whose last digits choose the stand-in's answer (0001 pays, 0003 refuses)."""
    return f"{uuid.uuid4().int % 10**6:06d}{last}"


def seed(desc: dict) -> dict:
    """One merchant's activity; returns what the pages show: ``{merchant_id, api_key, review, paid, event}``."""
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"])
    m = admin.create_merchant("Karachi Crafts", fee_bps=290)
    mid, client = m["merchant"]["merchant_id"], admin.as_merchant(m["api_key"])
    hook = client.create_webhook_endpoint(f"{desc['webhook_receiver_url']}/hooks/screens",
                                          ["payout.*", "payment.*", "order.*"], description="order and payout notifications")
    requests.post(f"{desc['webhook_receiver_url']}/_control/screens", json={"secrets": [hook["secret"]]},
                  timeout=5).raise_for_status()  # the local receiver verifies the signatures with it
    admin.top_up(mid, 25_000_000, "PKR")
    admin.fund_float(mid, "mtn_momo", 2_000_000)
    admin.payout_settings(mid, payout_review_threshold=50_000)  # 50,000.00 PKR
    paid = [client.payout(amount, account("0001"), merchant_reference=f"INV-{1040 + i}")
            for i, amount in enumerate((125_000, 480_000, 99_900, 1_250_000))]
    failed = client.payout(310_000, account("0003"), merchant_reference="INV-1044")
    review = [client.payout(amount, account("0001"), merchant_reference=ref)
              for amount, ref in ((7_500_000, "SUPPLIER-7"), (5_200_000, "SUPPLIER-8"))]
    payments = [client.pay(amount, f"024{uuid.uuid4().int % 10**6:06d}{last}", description="school fees")
                for amount, last in ((2_500, "1"), (12_000, "1"), (4_800, "1"), (3_300, "3"))]
    for price in (1_250, 3_000, 8_999):
        customer = f"buyer-{uuid.uuid4().hex[:8]}"
        admin.credit(mid, customer, 2 * price)
        product = client.create_product("print", price, 1)
        order = client.order(product["product_id"], customer)
        wait_for(lambda: client.get_order(order["order_id"])["status"] == "FULFILLED", 90, what="an order fulfilled")
    for p in [*paid, failed]:
        wait_for(lambda: client.get_payout(p["payout_id"])["status"] in ("SUCCEEDED", "FAILED"), 120,
                 what=f"payout {p['payout_id']}")
    for p in payments:
        wait_for(lambda: client.payment(p["payment_id"])["status"] in ("CONFIRMED", "FAILED", "EXPIRED"), 120,
                 what=f"payment {p['payment_id']}")
    reconciliation_day(desc, admin)
    return {"merchant_id": mid, "api_key": m["api_key"], "review": review[0]["payout_id"], "paid": paid[1]["payout_id"],
            "payment": payments[1]["payment_id"]}


def reconciliation_day(desc: dict, admin: Payrail) -> dict:
    """A second merchant's day at Cashfree with one break (a payout payrail released that the
    provider then pays), reconciled from the stand-in's settlement file; returns the run, left
    with its exception open for the reconciliation page."""
    from infra.tools.demo_reconciliation import ON_HOLD, UPI_OK, pay_after_release, start_run

    m = admin.create_merchant("Mumbai Spices", fee_bps=190)
    mid, client = m["merchant"]["merchant_id"], admin.as_merchant(m["api_key"])
    admin.top_up(mid, 2_000_000, "INR")
    paid = [client.payout(amount, UPI_OK, currency="INR") for amount in (45_000, 120_000, 8_500)]
    held = client.payout(64_000, ON_HOLD, currency="INR")
    for p in paid:
        wait_for(lambda: client.get_payout(p["payout_id"])["status"] == "SUCCEEDED", 120, what=f"payout {p['payout_id']}")
    wait_for(lambda: client.get_payout(held["payout_id"])["status"] == "ON_HOLD", 120, what="a payout on hold")
    admin.decide_payout(mid, held["payout_id"], "reject", "the beneficiary's bank confirmed it will not pay")
    released = wait_for(lambda: (x := client.get_payout(held["payout_id"]))["status"] == "FAILED" and x, 60,
                        what="the payout released")
    pay_after_release(desc, released["provider_key"])
    os.environ.update(desc["client_env"])  # the settlement file goes into the local cloud's inbox
    run = start_run(admin, desc, "cashfree", datetime.now(timezone.utc).date().isoformat())
    return wait_for(lambda: (r := admin.reconciliation_get(run["run_id"]))["status"] in ("COMPLETED", "FAILED") and r,
                    120, what="the reconciliation run")


def shoot(desc: dict, data: dict, out: Path) -> list[Path]:
    """Open each page and save its picture; returns the files written."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise typer.BadParameter("no chromium on PATH: run `make tools`")
    out.mkdir(parents=True, exist_ok=True)
    mid, written = data["merchant_id"], []
    pages = [("overview", "#/overview"), ("payouts", "#/payouts"), ("payout", f"#/payout/{mid}/{data['paid']}"),
             ("reviews", "#/reviews"), ("review-payout", f"#/payout/{mid}/{data['review']}"),
             ("payments", "#/payments"), ("payment", f"#/payment/{mid}/{data['payment']}"),
             ("webhooks", "#/webhooks"), ("events", "#/events?type=payout.succeeded"), ("settlements", "#/settlements"),
             ("reconciliation", "#/reconciliation?provider=cashfree")]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_context(viewport=VIEWPORT).new_page()
        tab.set_default_timeout(60_000)
        tab.goto(f"{desc['api_url']}/console")
        tab.screenshot(path=str(out / "sign-in.png"))
        written.append(out / "sign-in.png")
        tab.fill("#admin-token", desc["admin_token"])
        tab.fill("#api-key", data["api_key"])
        tab.click("#sign-in")
        tab.wait_for_selector("#main[data-ready=true]")
        today = datetime.now(timezone.utc).date().isoformat()
        for name, hash_ in pages:
            tab.evaluate("h => { location.hash = h }", hash_)
            tab.wait_for_selector(f"#main[data-page={hash_[2:].split('/')[0].split('?')[0]}][data-ready=true]")
            if name == "events":
                tab.locator("tr", has_text="payout.succeeded").first.locator("td").first.click()
                tab.wait_for_selector("h2:has-text('Event evt_')")
                tab.evaluate("window.scrollTo(0, 0)")
            if name == "settlements":
                tab.fill("#s-from", today)
                tab.fill("#s-to", today)
                tab.click("#main button[type=submit]")
                tab.wait_for_selector(".job a.csv")
            if name == "reconciliation":
                tab.wait_for_selector("[data-run] a.csv")
                tab.wait_for_selector("form.resolve")
            if name in ("payout", "review-payout"):
                tab.locator("#journals table").wait_for()
            tab.wait_for_load_state("networkidle")
            tab.screenshot(path=str(out / f"{name}.png"))
            written.append(out / f"{name}.png")
        browser.close()
    return written


def shoot_swagger(desc: dict, out: Path) -> Path:
    """Open ``/docs`` as a new merchant (its balance funded), send ``createPayout``'s first documented
    example with "Try it out" and save the operation with its 201 answer as ``out``."""
    from playwright.sync_api import sync_playwright

    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"])
    m = admin.create_merchant("Karachi Crafts", fee_bps=290)
    admin.top_up(m["merchant"]["merchant_id"], 25_000_000, "PKR")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise typer.BadParameter("no chromium on PATH: run `make tools`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_context(viewport={"width": 1280, "height": 1600}).new_page()
        tab.set_default_timeout(60_000)
        tab.goto(f"{desc['api_url']}/docs")
        op = tab.locator("#operations-payouts-createPayout")
        op.wait_for()
        tab.evaluate("key => window.ui.preauthorizeApiKey('merchantKey', key)", m["api_key"])
        op.locator(".opblock-summary").click()
        op.locator("button.try-out__btn").click()
        op.locator("tr[data-param-name='idempotency-key'] input").fill(f"docs-{uuid.uuid4().hex[:12]}")
        op.locator("button.execute").click()
        op.locator(".live-responses-table .response-col_status").first.wait_for()
        tab.locator(".live-responses-table .microlight").first.wait_for()
        tab.evaluate("window.scrollTo(0, 0)")
        # the payouts tag's operations (whole summaries) down to createPayout's answer, in page coordinates
        top, box = tab.locator("#operations-tag-payouts").bounding_box(), op.bounding_box()
        height = min(box["y"] + box["height"] - top["y"], 2400)
        out.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(out), full_page=True,
                       clip={"x": box["x"], "y": top["y"], "width": box["width"], "height": height})
        browser.close()
    return out


@app.command()
def main(out: Path = typer.Option(OUT, help="folder for the PNG files"),
         swagger_only: bool = typer.Option(False, help="only the Swagger UI picture (docs/swagger-ui.png)")) -> None:
    """Start a platform, seed it, and save a screenshot of each console page under ``out``, and of
    the API reference as ``docs/swagger-ui.png``."""
    with tempfile.TemporaryDirectory(prefix="payrail-screens-") as tmp, \
            process.local_cloud(Path(tmp), settings=FAST) as desc:
        typer.echo(f"platform at {desc['api_url']}; seeding ...")
        written = [] if swagger_only else shoot(desc, seed(desc), out)
        for path in [*written, shoot_swagger(desc, SWAGGER_OUT)]:
            typer.echo(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    app()
