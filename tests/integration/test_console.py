"""The web console served by the local API (``/console``), in a real browser: Debian's Chromium
driven by Playwright (no browser download). Signing in with the admin token, opening a payout in
review, approving it and watching it reach SUCCEEDED; the merchant's pages; the credentials kept
out of every URL; and the files' answers (media types, CSP, 404 for any other name)."""
from __future__ import annotations

import re
import shutil
import uuid

import pytest
import requests

from infra.catalog import ROOT
from infra.tools.client import wait_for
from payrail.api import console

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECRET_HEADERS = ("authorization", "x-api-key")


def test_console_files_load_nothing_from_elsewhere_and_insert_no_markup():
    files = console.assets(ROOT / "functions" / "api" / "console")
    assert set(files) == {"index.html", "console.js", "console.css"}
    for name, (_, text) in files.items():
        outside = [u for u in re.findall(r"https?://[^\s\"'`)]+", text) if u != "http://www.w3.org/2000/svg"]
        assert not outside, (name, outside)
    script = files["console.js"][1]
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", script)
    assert "localStorage" not in script  # credentials stay in the tab's sessionStorage


def test_console_files_are_served_with_their_types_and_a_same_origin_policy(cloud):
    base = cloud["api_url"]
    page = requests.get(f"{base}/console", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="console/console.js"' in page.text and "http" not in page.text.split("<body>")[0].replace(
        'content="width', "")  # nothing from another origin
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    js = requests.get(f"{base}/console/console.js", timeout=10)
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    css = requests.get(f"{base}/console/console.css", timeout=10)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for name in ("nope.js", "..%2Fhandler.py", "handler.py", "%2E%2E"):
        r = requests.get(f"{base}/console/{name}", timeout=10)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (name, r.text)
    assert requests.post(f"{base}/console", timeout=10).status_code == 405
    # outside the declared API: not in the OpenAPI document
    assert not any(p.startswith("/console") for p in requests.get(f"{base}/openapi.json", timeout=10).json()["paths"])


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH (make tools installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency (make setup)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser, cloud):
    """A fresh tab on the console; records every request URL and the browser's console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.urls, tab.errors = [], []
    tab.on("request", lambda r: tab.urls.append(r.url))
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.goto(f"{cloud['api_url']}/console")
    yield tab
    context.close()


def sign_in(tab, admin_token: str = "", api_key: str = "", refused: bool = False) -> None:
    tab.fill("#admin-token", admin_token)
    tab.fill("#api-key", api_key)
    tab.click("#sign-in")
    tab.wait_for_selector("#login-error:not(:empty)" if refused else "#main[data-ready=true]")


def show(tab, hash_: str) -> None:
    tab.evaluate("h => { location.hash = h }", hash_)
    tab.wait_for_selector(f"#main[data-page={hash_[2:].split('/')[0].split('?')[0]}][data-ready=true]")


def test_admin_approves_a_payout_in_review_and_sees_it_succeed(page, cloud, admin, merchant):
    client, mid = merchant
    admin.top_up(mid, 5_000_000, "PKR")
    admin.payout_settings(mid, payout_review_threshold=100)  # 100.00 PKR
    big = client.payout(20_000, f"{uuid.uuid4().int % 10**6:06d}0001")  # the stand-in pays it
    assert big["status"] == "IN_REVIEW"

    sign_in(page, admin_token="not-the-token", refused=True)
    assert page.text_content("#login-error").startswith("admin token: ")
    assert page.is_visible("#login") and not page.is_visible("#nav")
    sign_in(page, admin_token=cloud["admin_token"])
    assert page.is_visible("#nav") and page.text_content("#who-text") == "admin"

    show(page, "#/reviews")
    row = page.locator("tr", has_text=big["payout_id"])
    assert row.locator(".badge").text_content() == "IN_REVIEW"
    row.locator("td").first.click()  # the row opens the payout's timeline
    page.wait_for_selector("#payout-detail h1")
    assert page.locator("#payout-detail h1 .badge").text_content() == "IN_REVIEW"
    assert page.locator("#payout-detail .timeline").text_content().count("IN_REVIEW") >= 1
    page.fill("#decision-note", "checked in the console")
    page.click("#act-approve")
    # the page follows the payout on its own until it ends
    page.wait_for_selector("#payout-detail h1 .badge[data-status=SUCCEEDED]", timeout=90_000)
    timeline = page.locator("#payout-detail .timeline").text_content()
    assert "SUCCEEDED" in timeline and "attempt" in timeline
    stored = admin.request("GET", f"/v1/admin/merchants/{mid}/payouts/{big['payout_id']}", admin=True)
    assert stored["status"] == "SUCCEEDED" and stored["review_decision"] == "approved"

    show(page, "#/reviews")
    assert big["payout_id"] not in page.text_content("#main")
    show(page, f"#/payouts?status=SUCCEEDED&from={big['created_at'][:10]}")
    assert page.locator("tr", has_text=big["payout_id"]).locator(".badge").text_content() == "SUCCEEDED"
    # the token went in a header only: never in a URL, and kept in this tab's session storage
    assert all(cloud["admin_token"] not in u for u in page.urls)
    assert page.evaluate("t => Object.values(sessionStorage).includes(t)", cloud["admin_token"])
    assert page.errors == []


def test_merchant_sees_balances_journals_events_and_redelivers(page, cloud, admin, merchant):
    client, mid = merchant
    hook = f"{cloud['webhook_receiver_url']}/hooks/console-{uuid.uuid4().hex[:8]}"
    endpoint = client.create_webhook_endpoint(hook, ["payout.*"])
    admin.top_up(mid, 100_000, "PKR")
    paid = client.payout(2_500, f"{uuid.uuid4().int % 10**6:06d}0001")
    sign_in(page, api_key=client.api_key)
    assert page.text_content("#who-text") == "merchant key"
    balances = page.locator(".card", has_text="Balances per currency")
    balances.get_by_role("cell", name="975.00 PKR", exact=True).wait_for()  # 1,000.00 less the payout's 25.00
    show(page, f"#/payout/{mid}/{paid['payout_id']}")
    page.wait_for_selector("#payout-detail h1 .badge[data-status=SUCCEEDED]", timeout=90_000)
    journals = page.locator("#journals")
    journals.locator(f"span[title='{paid['payout_id']}:capture']").wait_for()  # the payout's own journals
    assert journals.locator(f"span[title='{paid['payout_id']}:hold']").count() == 2  # available -> held
    show(page, "#/events")
    page.locator("tr", has_text="payout.succeeded").first.locator("td").first.click()
    page.wait_for_selector("h2:has-text('Event evt_')")
    page.click("button:has-text('Redeliver')")
    page.wait_for_selector("p[role=status]:has-text('queued for 1 endpoint')")
    show(page, "#/webhooks")
    attempts = page.locator(".card", has_text=f"Delivery attempts to {endpoint['endpoint_id']}")
    attempts.locator("tr", has_text="evt_").first.wait_for()
    attempts.locator("button:has-text('Redeliver')").first.click()
    attempts.locator("p[role=status]:has-text('queued for redelivery')").wait_for()
    # admin-only pages say what they need
    show(page, "#/reviews")
    assert "admin token" in page.text_content("#main")
    assert all(client.api_key not in u for u in page.urls)
    assert page.errors == []


def test_admin_sees_a_reconciliation_run_and_resolves_its_exception(page, cloud, admin):
    from tests.conftest import reconciliation_break

    _, released = reconciliation_break(admin, cloud)
    run = wait_for(lambda: next((r for r in admin.reconciliations(provider="cashfree", limit=10)["data"]
                                 if r["status"] == "COMPLETED"), None), 120, 0.5, what="a completed run")
    found = wait_for(lambda: next((e for e in admin.reconciliation_exceptions(
        provider="cashfree", status="open", limit=100)["data"] if e["transfer_id"] == released["payout_id"]), None),
        120, 0.5, what="the break found")
    sign_in(page, admin_token=cloud["admin_token"])
    show(page, "#/reconciliation?provider=cashfree&status=open")
    card = page.locator(f"[data-run='{run['run_id']}']")
    assert card.locator(".badge").text_content() == "COMPLETED" and "paid_after_release" in card.text_content()
    assert card.locator("a.csv").get_attribute("href")
    row = page.locator("tr", has_text=found["exception_id"])
    assert row.locator(".badge").text_content() == "OPEN" and "paid_after_release" in row.text_content()
    row.locator("select").select_option("write_off")
    row.locator("input").fill("below the recovery threshold")
    row.locator("button:has-text('Resolve')").click()
    page.locator("tr", has_text=found["exception_id"]).wait_for(state="detached")  # no longer open
    show(page, "#/reconciliation?provider=cashfree&status=resolved")
    row = page.locator("tr", has_text=found["exception_id"])
    assert row.locator(".badge").text_content() == "RESOLVED" and "write_off" in row.text_content()
    stored = admin.reconciliation_exceptions(provider="cashfree", status="resolved", limit=100)["data"]
    assert [e["resolution"] for e in stored if e["exception_id"] == found["exception_id"]] == ["write_off"]
    assert page.errors == []
