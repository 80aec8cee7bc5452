"""``payrail listen`` and ``payrail trigger``: webhooks while developing against the local platform.

``listen --forward-to URL`` subscribes for the session with a **temporary webhook endpoint** that
points at a small relay it starts on loopback (``http://127.0.0.1:<port>/listen``), prints the
endpoint's signing secret (``whsec_…``), and for each delivery payrail makes there verifies it with
``standardwebhooks``, forwards it to ``URL`` byte for byte with its Standard Webhooks headers (so the
receiver verifies it with the printed secret, exactly as it would payrail's own delivery), answers
payrail with the receiver's status (a failing receiver is retried by payrail and shows in the
endpoint's attempts) and prints one status line. On exit (Ctrl-C, SIGTERM, ``--max-events``) it
deletes the endpoint. A temporary endpoint rather than polling the event log with a cursor: the
events then travel payrail's real delivery path (fan-out, signing, retries, the attempts log,
``delivery_success``), and they arrive as they happen rather than a poll later. It needs payrail to
reach the relay: the local platform (http to loopback is allowed in local mode), not a deployed one.

``trigger <event type>`` makes the local stand-ins emit that event for real: it creates the objects
whose lifecycle emits it (an order, a payout to an account number whose last four digits choose
the provider stand-in's scenario, a reservation, a mobile-money payment to a number whose last
digit chooses the scenario, a settlement job), funding the merchant first where money is needed,
and waits until the event is in the merchant's event log. ``trigger --list`` prints what it can
trigger and how. Both need the merchant's API key and the admin token (funding), and the local
platform's description for the stand-ins whose mode a few events need for a moment (order
failures: the fulfilment stand-in; a cancelled payment: the mobile-money ones).
"""
from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Callable, Optional

import requests
import typer
from pydantic import ValidationError
from standardwebhooks import Webhook, WebhookVerificationError

from infra.cli.main import CliError, Json, api, app, conn, emit_json, handled, out
from infra.tools.client import ApiError, Payrail, wait_for
from payrail.core.events import Event

FORWARD_HEADERS = ("content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature")


# ---- listen -------------------------------------------------------------------------------------
class Relay:
    """The loopback server payrail delivers the session's events to; forwards each to ``target``."""

    def __init__(self, target: str, on_delivery: Callable[[dict], None], timeout: float = 10.0):
        self.target, self.on_delivery, self.timeout = target, on_delivery, timeout
        self.secret: str | None = None
        self.forwarded = 0
        self.lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, line = relay.forward(raw, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(line).encode())

            def log_message(self, *_):  # the status lines are printed instead
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/listen"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    def forward(self, raw: bytes, headers: dict) -> tuple[int, dict]:
        """Verify one delivery, forward it, report it; returns what payrail is answered."""
        line = {"at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"), "event_id": headers.get("webhook-id"),
                "type": None, "forward_to": self.target}
        try:
            body = Webhook(self.secret).verify(raw, headers)
        except (WebhookVerificationError, ValueError, TypeError) as e:
            line |= {"status": None, "error": f"not signed by payrail with this session's secret: {e}"}
            self.on_delivery(line)
            return 400, line
        try:
            line["type"] = Event.model_validate(body).type
        except ValidationError as e:
            line |= {"status": None, "error": f"signed, but not a payrail event ({e.error_count()} invalid fields)"}
            self.on_delivery(line)
            return 400, line
        try:
            r = requests.post(self.target, data=raw, headers={k: headers[k] for k in FORWARD_HEADERS if k in headers},
                              timeout=self.timeout, allow_redirects=False)
            line["status"] = r.status_code
            answer = r.status_code if 200 <= r.status_code < 600 else 502
        except requests.RequestException as e:
            line |= {"status": None, "error": f"{type(e).__name__}: {str(e)[:200]}"}
            answer = 502
        with self.lock:
            self.forwarded += 1
        self.on_delivery(line)
        return answer, line

    def __enter__(self) -> "Relay":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _stop(*_):
    raise KeyboardInterrupt


@app.command()
@handled
def listen(forward_to: Annotated[str, typer.Option("--forward-to", "-f", help="where each event is forwarded "
                                                   "(your local webhook receiver's URL)")],
           events: Annotated[str, typer.Option(help="comma-separated event types or families (payout.*,"
                                               "order.created); default every event")] = "*",
           max_events: Annotated[Optional[int], typer.Option(min=1, help="exit after forwarding this many "
                                                             "events")] = None,
           as_json: Json = False) -> None:
    """Forward the merchant's events, signed, to a local URL, through a temporary webhook endpoint."""
    client = api(admin=False)
    patterns = [e.strip() for e in events.split(",") if e.strip()]
    done = threading.Event()

    def report(line: dict) -> None:
        if as_json:
            typer.echo(json.dumps(line), nl=True)
        else:
            status = line.get("status")
            style = "green" if status and 200 <= status < 300 else "red"
            out.print(f"{line['at']}  --> [bold]{line.get('type') or '?'}[/] [{line.get('event_id')}]")
            out.print(f"{line['at']}  <-- [{style}]{status or 'no answer'}[/] POST {line['forward_to']}"
                      + (f"  ({line['error']})" if line.get("error") else ""), highlight=False)
        if max_events and relay.forwarded >= max_events:
            done.set()

    relay = Relay(forward_to, report)
    previous = signal.signal(signal.SIGTERM, _stop)
    with relay:
        ep = client.create_webhook_endpoint(relay.url, patterns, description="payrail listen (temporary)")
        relay.secret = ep["secret"]
        try:
            ready = {"ready": True, "endpoint_id": ep["endpoint_id"], "secret": ep["secret"],
                     "enabled_events": ep["enabled_events"], "forward_to": forward_to}
            if as_json:
                typer.echo(json.dumps(ready))
            else:
                out.print(f"Ready! Your webhook signing secret is [bold]{ep['secret']}[/] (endpoint "
                          f"{ep['endpoint_id']}, events {', '.join(ep['enabled_events'])}); Ctrl-C to stop.",
                          highlight=False)
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            try:
                client.delete_webhook_endpoint(ep["endpoint_id"])
            except (ApiError, requests.RequestException):
                pass
            if not as_json:
                out.print(f"Deleted the temporary endpoint {ep['endpoint_id']}.", highlight=False)


# ---- trigger ------------------------------------------------------------------------------------
@dataclass
class Ctx:
    """What a recipe works with: the merchant's client, the operator's, and the merchant's id."""

    merchant: Payrail
    admin: Payrail
    merchant_id: str
    product_id: str

    def key(self, what: str) -> str:
        return f"trigger-{what}-{uuid.uuid4().hex[:12]}"


PKR_BANK = lambda last4: {"type": "bank_account", "bank_code": "HBL", "account_number": f"778800{last4}",  # noqa: E731
                          "name": "Ayesha Khan"}
UPI_OK, UPI_FAIL = ({"type": "upi", "vpa": v, "name": "Ravi Kumar"} for v in ("success@upi", "invalid@upi"))
MOMO = ("mtn_momo", "airteltigo", "telecel")
REVIEW_AMOUNT = 10_000_000  # the platform's default payout review threshold (PKR minor units)


def _order(c: Ctx, fulfilment_mode: str | None = None) -> list[str]:
    customer = f"trigger-{uuid.uuid4().hex[:8]}"
    c.admin.credit(c.merchant_id, customer, 1_000, key=c.key("credit"))
    if fulfilment_mode is None:
        return [c.merchant.order(c.product_id, customer, key=c.key("order"))["order_id"]]
    url = (conn().local or {}).get("fulfilment_url")
    if not url:
        raise CliError("this event needs the local platform's fulfilment stand-in (run against `make up`)")
    requests.post(url + "/_control", json={"mode": fulfilment_mode}, timeout=10).raise_for_status()
    try:
        order = c.merchant.order(c.product_id, customer, key=c.key("order"))
        wait_for(lambda: c.merchant.get_order(order["order_id"])["status"] != "PAID", 60, 0.3, "the order's fulfilment")
    finally:
        requests.post(url + "/_control", json={"mode": "ok"}, timeout=10)
    return [order["order_id"]]


def _payout(c: Ctx, last4: str = "0001", amount: int = 10_000, then: str | None = None) -> list[str]:
    c.admin.top_up(c.merchant_id, 2 * amount, "PKR", key=c.key("top-up"))
    p = c.merchant.payout(amount, PKR_BANK(last4), "PKR", key=c.key("payout"))
    if then == "approve":
        c.admin.decide_payout(c.merchant_id, p["payout_id"], "approve", "payrail trigger")
    elif then == "cancel":
        c.merchant.cancel_payout(p["payout_id"])
    return [p["payout_id"]]


def _reservation(c: Ctx, beneficiary: dict = UPI_OK, then: str | None = "fulfil", **fields) -> list[str]:
    c.admin.top_up(c.merchant_id, 2_000, "INR", key=c.key("top-up"))
    r = c.merchant.reserve(1_000, beneficiary, "INR", key=c.key("reserve"), **fields)
    if then == "fulfil":
        c.merchant.fulfil(r["reservation_id"])
    elif then == "release":
        c.merchant.request("POST", f"/v1/reservations/{r['reservation_id']}/release", idempotency_key=c.key("release"))
    return [r["reservation_id"]]


def _payment(c: Ctx, last: str = "1", then: str | None = None) -> list[str]:
    c.admin.fund_float(c.merchant_id, "mtn_momo", 100_000, key=c.key("float"))
    p = c.merchant.pay(1_000, f"024{uuid.uuid4().int % 10**6:06d}{last}", description="payrail trigger")
    if then == "refund":
        wait_for(lambda: c.merchant.payment(p["payment_id"])["status"] == "CONFIRMED", 60, 0.3, "the payment confirmed")
        c.merchant.refund_payment(p["payment_id"])
    return [p["payment_id"]]


def _payment_cancelled(c: Ctx) -> list[str]:
    """A payment held PENDING (the mobile-money stand-ins fail their lookups for the moment, so no
    provider can be asked and nothing is sent), cancelled by the merchant."""
    standins = (conn().local or {}).get("standins") or {}
    if not all(p in standins for p in MOMO):
        raise CliError("this event needs the local platform's mobile-money stand-ins (run against `make up`)")
    c.admin.fund_float(c.merchant_id, "telecel", 100_000, key=c.key("float"))
    for p in MOMO:
        requests.post(standins[p] + "/_control", json={"mode": "failing", "methods": ["GET"]},
                      timeout=10).raise_for_status()
    try:
        p = c.merchant.pay(1_000, f"020{uuid.uuid4().int % 10**6:06d}1", description="payrail trigger")
        wait_for(lambda: c.merchant.payment(p["payment_id"])["status"] == "PENDING", 30, 0.2, "the payment PENDING")
        c.merchant.cancel_payment(p["payment_id"])
    finally:
        for name in MOMO:
            requests.post(standins[name] + "/_control", json={"mode": "ok"}, timeout=10)
    return [p["payment_id"]]


def _settlement(c: Ctx, cancel: bool = False) -> list[str]:
    today = datetime.now(timezone.utc).date().isoformat()

    def start() -> dict | None:  # the merchant's earlier jobs finish within seconds
        try:
            return c.merchant.settlement(today, today)
        except ApiError as e:
            if e.code != "too_many_jobs":
                raise
            return None
    job = wait_for(start, 60, 1.0, "a free settlement slot")
    if cancel:
        c.merchant.settlement_cancel(job["job_id"])
    return [job["job_id"]]


#: event type -> (what it makes, the recipe); every type a merchant can subscribe to that the
#: local stand-ins can be made to emit
TRIGGERS: dict[str, tuple[str, Callable[[Ctx], list[str]]]] = {
    "order.created": ("an order paid from a funded customer's wallet", _order),
    "order.fulfilled": ("an order the fulfilment stand-in delivers", _order),
    "order.fulfilment_pending": ("an order whose fulfilment answer the stand-in loses (mode lost, then ok)",
                                 lambda c: _order(c, "lost")),
    "order.failed": ("an order the fulfilment stand-in refuses (mode fail, then ok)", lambda c: _order(c, "fail")),
    "payout.created": ("a PKR payout to account …0001 (success)", _payout),
    "payout.processing": ("a PKR payout to account …0001 (success)", _payout),
    "payout.succeeded": ("a PKR payout to account …0001 (success)", _payout),
    "payout.failed": ("a PKR payout to account …0003 (Account validation failed)", lambda c: _payout(c, "0003")),
    "payout.on_hold": ("a PKR payout to account …0005 (held for compliance review)", lambda c: _payout(c, "0005")),
    "payout.in_review": ("a PKR payout at the review threshold", lambda c: _payout(c, amount=REVIEW_AMOUNT)),
    "payout.pending": ("a payout at the review threshold, approved by the admin",
                       lambda c: _payout(c, amount=REVIEW_AMOUNT, then="approve")),
    "payout.cancelled": ("a payout at the review threshold, cancelled by the merchant",
                         lambda c: _payout(c, amount=REVIEW_AMOUNT, then="cancel")),
    "reservation.created": ("an INR reservation for success@upi, fulfilled", _reservation),
    "reservation.fulfilling": ("an INR reservation for success@upi, fulfilled", _reservation),
    "reservation.fulfilled": ("an INR reservation for success@upi, fulfilled", _reservation),
    "reservation.payout_failed": ("an INR reservation for invalid@upi, fulfilled (its payout fails)",
                                  lambda c: _reservation(c, UPI_FAIL)),
    "reservation.released": ("an INR reservation, released by the merchant", lambda c: _reservation(c, then="release")),
    "reservation.expired": ("an INR reservation expiring after 1 s (the sweeper runs every minute)",
                            lambda c: _reservation(c, then=None, expires_in_seconds=1)),
    "payment.initiated": ("a GHS payment to an MTN number ending in 1 (success)", _payment),
    "payment.validating": ("a GHS payment to an MTN number ending in 1 (success)", _payment),
    "payment.pending": ("a GHS payment to an MTN number ending in 1 (success)", _payment),
    "payment.processing": ("a GHS payment to an MTN number ending in 1 (success)", _payment),
    "payment.confirmed": ("a GHS payment to an MTN number ending in 1 (success)", _payment),
    "payment.failed": ("a GHS payment to an MTN number ending in 3 (refused)", lambda c: _payment(c, "3")),
    "payment.expired": ("a GHS payment to an MTN number ending in 4 (never answered; expires after the "
                        "transaction timeout)", lambda c: _payment(c, "4")),
    "payment.refunded": ("a confirmed GHS payment, refunded", lambda c: _payment(c, then="refund")),
    "payment.cancelled": ("a GHS payment held PENDING (the mobile-money stand-ins fail their lookups for the "
                          "moment), cancelled by the merchant", _payment_cancelled),
    "settlement.created": ("a settlement job of today", _settlement),
    "settlement.running": ("a settlement job of today", _settlement),
    "settlement.completed": ("a settlement job of today", _settlement),
    "settlement.cancel_requested": ("a settlement job of today, cancelled at once", lambda c: _settlement(c, True)),
    "settlement.cancelled": ("a settlement job of today, cancelled at once", lambda c: _settlement(c, True)),
}
#: event types that cannot be made to happen on demand, and why
NOT_TRIGGERABLE = {
    "order.fulfilment_unknown": "the fulfilment must stay unanswered past FULFILMENT_GIVE_UP_SECONDS (an hour by default)",
    "order.late_fulfilment": "the fulfilment service must deliver an order after payrail failed and refunded it",
    "settlement.failed": "no stand-in scenario makes a settlement job fail",
    "reconciliation.completed": "a run is an operator's (the admin token's, which a merchant's key does not hold): "
                                "`payrail reconciliation start`",
    "reconciliation.exception": "a break is found by an operator's reconciliation run: `payrail reconciliation start` "
                                "over a day with a break made at a stand-in (`POST /_control/breaks`)",
    "reconciliation.exception_resolved": "an operator resolves the exception: `payrail reconciliation resolve`",
}


def _find(client: Payrail, event_type: str, object_ids: list[str]) -> Event | None:
    """The newest of the merchant's ``event_type`` events about one of ``object_ids``, or None."""
    found = (Event.model_validate(e) for e in client.events(100, event_type=event_type)["data"])
    return next((e for e in found if e.object_id in object_ids), None)


@app.command()
@handled
def trigger(event_type: Annotated[Optional[str], typer.Argument(help="the event type (payout.succeeded …)")] = None,
            list_: Annotated[bool, typer.Option("--list", help="list the event types it can trigger")] = False,
            timeout: Annotated[float, typer.Option(help="seconds to wait for the event")] = 120.0,
            as_json: Json = False) -> None:
    """Make the local stand-ins emit an event for real (the objects that emit it are created)."""
    if list_ or not event_type:
        rows = [{"type": t, "how": how} for t, (how, _) in TRIGGERS.items()]
        if as_json:
            return emit_json({"triggers": rows, "not_triggerable": NOT_TRIGGERABLE})
        for r in rows:
            typer.echo(f"{r['type']:<28} {r['how']}")
        if not list_:
            raise CliError("name an event type (payrail trigger payout.succeeded)")
        return
    if event_type not in TRIGGERS:
        why = NOT_TRIGGERABLE.get(event_type)
        raise CliError(f"{event_type} cannot be triggered: {why}" if why else
                       f"unknown event type {event_type!r}; payrail trigger --list shows the event types")
    merchant, admin = api(admin=False), api(admin=True)
    product = merchant.create_product("payrail trigger item", 500, 1)  # also says whose key this is
    c = Ctx(merchant, admin, product["merchant_id"], product["product_id"])
    objects = TRIGGERS[event_type][1](c)
    try:
        event = wait_for(lambda: _find(merchant, event_type, objects), timeout, 0.5, f"a {event_type} event")
    except TimeoutError:
        raise CliError(f"no {event_type} event for {', '.join(objects)} within {timeout:g} s") from None
    if as_json:
        return emit_json({"event_type": event_type, "event_id": event.event_id, "object_id": event.object_id})
    out.print(f"Triggered {event_type}: {event.event_id} ({event.object_id})", highlight=False)
