"""``make fuzz``: property-based fuzzing of the HTTP API against its committed OpenAPI document.

Schemathesis (https://schemathesis.readthedocs.io, the 4.x Python API: ``schemathesis.openapi.from_path``,
``APIOperation.as_strategy``, ``APIOperation.Case``, ``Case.call``, ``Case.validate_response``) generates
requests for every operation of ``functions/api/openapi.json``, positive (schema-valid) and negative
(schema-violating) ones, driven by Hypothesis. Every request carries the admin bearer token and a
merchant API key; the API authenticates with the scheme the route declares. (Negative cases whose
mutation is a missing security header go without that header, on purpose: their 401/403 must be
documented too.) Half of the positive cases get the ids of real objects (a funded customer, a product,
an order, a payout, settlement jobs ...) so that the paths past the 404 are exercised too.

A run has four phases, in this order:

1. **examples**: one request per operation that the domain accepts (real ids, bodies that pass its
   checks, objects in the state the operation needs, made with ``infra.tools.client`` just before;
   the admin's order decisions get orders the local fulfilment stand-in left unanswered, which are
   FULFILMENT_UNKNOWN at their deadline), so that every operation is fuzzed past validation at
   least once;
2. **unknown query parameters**: each example again with a query parameter the operation does not
   declare; it must answer 400 ``parameter_unknown`` (a typo is never a silent no-op);
3. **provider callbacks**: for every connector of ``payrail.providers.registry``,
   ``POST /v1/callbacks/<connector>`` with bodies signed as its local stand-in signs them
   (``infra.local.standins``: the credentials the local cloud gives that connector): well-formed
   callbacks about real and unknown transfers and Hypothesis-mutated bodies, which must get past
   the signature check (2xx, or 4xx for what the body says); then the signature and timestamp
   headers malformed (digit strings of 400 and 5,000 digits, non-ASCII digits such as ``²``, parts
   missing, empty, absent, generated text), which must answer 401;
4. **generated**: the rest of the budget, spread over every operation and mode.

Each response is checked with exactly ``not_a_server_error``, ``status_code_conformance`` and
``response_schema_conformance``, plus the phase's own check (``unknown_query_parameter``,
``callback_authenticated``, ``malformed_callback_refused``). The last line printed is::

    fuzz: <N> requests, <W> operations without a 2xx, <M> server errors, <K> conformance failures

N counts HTTP requests sent, W documented operations that never answered 2xx, M responses with
status >= 500 (and requests that got no answer at all), K failed checks other than
``not_a_server_error`` (one per request and check). The exit status is 1 when W, M or K is not 0.
Failures, with the request, the response and a curl command, go to ``--report`` (default
``.local/fuzz-report.json``).

    python -m infra.tools.fuzz [--requests 2000] [--seed N] [--use-running] [--data-dir .local]
"""
from __future__ import annotations

import json
import math
import random
import re
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
import schemathesis
import typer
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as with_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from infra.catalog import ROOT
from infra.tools.client import ApiError, Payrail, standin, wait_for
from infra.local.standins import STANDINS
from payrail.providers import registry

OPENAPI_FILE = ROOT / "functions" / "api" / "openapi.json"
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
#: the phases' own checks (see the module docstring); failures count as conformance failures
UNKNOWN_PARAMETER, AUTHENTICATED, MALFORMED_REFUSED = (
    "unknown_query_parameter", "callback_authenticated", "malformed_callback_refused")
CONFORMANCE = {"status_code_conformance", "response_schema_conformance", UNKNOWN_PARAMETER, AUTHENTICATED,
               MALFORMED_REFUSED}
CALLBACK_OPERATION = "POST /v1/callbacks/{connector}"
#: merchants share the load when the API cannot raise one merchant's rate limit
MERCHANTS_WITHOUT_LIMIT_FIELD = 4
REQUEST_TIMEOUT = 30  # seconds
EXAMPLES_PER_KIND = 5  # failures kept in full per (operation, status, check); counts are always complete
#: query parameter names no operation declares: typos of real ones first, then generated names
UNKNOWN_NAMES = ("stauts", "dry_run", "limt", "expand")
#: payouts of at least this many major units wait IN_REVIEW for the admin (the tenants' setting)
REVIEW_THRESHOLD = 1_000
REVIEWED_AMOUNT = REVIEW_THRESHOLD * 100  # minor units of PKR
#: signed callbacks with mutated bodies per connector: at least this many, and one per this many requests
MUTATED_CALLBACKS, REQUESTS_PER_MUTATED_CALLBACK = 4, 100
GENERATED_HEADER_VALUES = 2  # generated malformed values per signature header
#: an example answered 409 (a racing workflow moved its object first) is tried again with a new object
EXAMPLE_ATTEMPTS = 3
#: orders left FULFILMENT_UNKNOWN for the admin's fail and fulfil examples (one each, one spare)
UNKNOWN_ORDERS = 3
HANG_SECONDS = 2.0  # the fulfilment stand-in holds each such request this long, then drops it
#: how long past an order's fulfilment deadline the examples wait for it to be FULFILMENT_UNKNOWN
UNKNOWN_GRACE_SECONDS = 60


# ---- credentials and real objects ------------------------------------------------------------
@dataclass
class Tenant:
    """One merchant with real objects: ``ids`` maps parameter/field names to values it owns (and to a
    webhook URL and event list the domain accepts); ``pools`` holds objects the examples use up (a
    confirmed payment to refund, a failed payout to reinitiate); ``transfers`` maps a connector to
    ``(transfer_id, provider_key)`` of transfers it holds (what its callbacks name)."""

    api_key: str
    ids: dict[str, str | list[str]]
    admin_ids: dict[str, str] = field(default_factory=dict)  # ids for the admin's merchant routes
    pools: dict[str, list[str]] = field(default_factory=dict)
    transfers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: ``(merchant_id, api_key, order_id)`` of orders whose fulfilment outcome stays unknown (shared)
    unknown_orders: list[tuple[str, str, str]] = field(default_factory=list)


def rate_limit_field(doc: dict) -> dict | None:
    """The JSON schema of ``rate_limit_per_minute`` in ``POST /v1/admin/merchants``'s body, or None."""
    try:
        body = doc["paths"]["/v1/admin/merchants"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    except KeyError:
        return None
    if "$ref" in body:
        body = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    prop = body.get("properties", {}).get("rate_limit_per_minute")
    if prop is None:
        return None
    for alt in prop.get("anyOf", []):  # ``int | None`` fields are documented as anyOf
        if alt.get("type") == "integer":
            return alt
    return prop


#: where the fuzz tenants' webhook endpoints point: a closed loopback port (deliveries fail fast)
WEBHOOK_URL = "http://127.0.0.1:9/fuzz"
UPI = {"type": "upi", "vpa": "success@upi", "name": "Fuzz Payee"}
#: Ghana numbers by network (last digit 1: the stand-ins pay at once, 2: they pay a little later)
PHONES = {"mtn_momo": "024123456", "airteltigo": "027123456", "telecel": "020123456"}


def today() -> str:
    """Today's UTC date, ``YYYY-MM-DD`` (a settlement window)."""
    return datetime.now(timezone.utc).date().isoformat()


def create_tenant(admin: Payrail, limit: int | None) -> Tenant:
    """A merchant with a funded customer, a product, a fulfilled order (and its events), a webhook
    endpoint, a PKR balance with payouts (one paid, two failed), a saved beneficiary, INR reservations
    (one fulfilled through Cashfree), GHS floats with a confirmed mobile-money payment on each network
    and a settlement job (what the ids of the generated GETs point to). Payouts of at least
    ``REVIEW_THRESHOLD`` PKR wait IN_REVIEW. Raises ApiError if the API refuses a step."""
    tag = uuid.uuid4().hex[:8]
    body = {"name": f"fuzz-{tag}"} | ({"rate_limit_per_minute": limit} if limit else {})
    created = admin.request("POST", "/v1/admin/merchants", body, admin=True)
    merchant_id, client = created["merchant"]["merchant_id"], admin.as_merchant(created["api_key"])
    admin.payout_settings(merchant_id, payout_review_threshold=REVIEW_THRESHOLD)
    customer = f"fuzz-cust-{tag}"
    admin.credit(merchant_id, customer, 1_000_000)
    product = client.create_product("fuzz product", 1_000, 1_000)
    order = client.order(product["product_id"], customer)
    admin.top_up(merchant_id, 10_000_000)
    payout = client.payout(500, "1234560001")
    failed = [client.payout(500, "1234560003")["payout_id"] for _ in range(2)]
    ben = client.save_beneficiary(UPI)
    admin.top_up(merchant_id, 1_000_000, "INR")
    reservation = client.reserve(500, None, beneficiary_id=ben["beneficiary_id"])
    paid = client.reserve(500, None, beneficiary_id=ben["beneficiary_id"])
    for provider in PHONES:
        admin.fund_float(merchant_id, provider, 10_000_000)
    payments = [client.pay(1_000, phone + "1") for phone in PHONES.values()]
    refundable = [client.pay(1_000, PHONES["mtn_momo"] + "1")["payment_id"] for _ in range(2)]
    job = client.settlement(today(), today())
    endpoint = client.create_webhook_endpoint(WEBHOOK_URL, ["order.*"])
    status, fulfilled = client.fulfil(paid["reservation_id"])  # 200 paid, or 202 still at Cashfree
    if status >= 300:
        raise ApiError(status, fulfilled)
    wait_for(lambda: client.get_order(order["order_id"])["status"] == "FULFILLED", what="fuzz order fulfilled")
    # the endpoint takes order events: redelivering one reaches it
    event = next(e for e in client.events(limit=100)["data"] if e["type"].startswith("order."))
    wait_for(lambda: all(client.get_payout(p)["status"] == "FAILED" for p in failed), what="fuzz payouts failed")
    wait_for(lambda: all(client.payment(p)["status"] == "CONFIRMED" for p in refundable), what="fuzz payments paid")
    transfers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    paid_out = [payout["payout_id"]] + ([fulfilled["payout_id"]] if fulfilled.get("payout_id") else [])
    for obj in [client.get_payout(p) for p in paid_out] + [client.payment(p["payment_id"]) for p in payments]:
        if obj.get("provider") and obj.get("provider_key"):
            transfers[obj["provider"]].append((obj["transfer_id"], obj["provider_key"]))
    return Tenant(created["api_key"], {
        "merchant_id": merchant_id, "customer_id": customer, "currency": "USD", "product_id": product["product_id"],
        "order_id": order["order_id"], "payout_id": payout["payout_id"], "job_id": job["job_id"],
        "beneficiary_id": ben["beneficiary_id"], "reservation_id": reservation["reservation_id"],
        "endpoint_id": endpoint["endpoint_id"], "event_id": event["event_id"],
        "payment_id": payments[0]["payment_id"],
        # not ids, but values that pass the domain's checks, so endpoint creations and updates succeed too
        "url": WEBHOOK_URL, "enabled_events": ["order.*"]},
        pools={"failed_payout": failed, "confirmed_payment": refundable}, transfers=dict(transfers))


def hung_orders(admin: Payrail, fulfilment_url: str, count: int) -> list[tuple[str, str, str]]:
    """``count`` orders of a merchant of their own that the fulfilment stand-in received and never
    answers: it is switched to its ``hang`` mode (``infra.local.services``) until it has received
    them, then back to ``ok``; their keys stay PROCESSING there, so each order becomes
    FULFILMENT_UNKNOWN at its ``fulfilment_deadline`` (FULFILMENT_GIVE_UP_SECONDS after payment),
    for the admin to fail or fulfil. Returns ``[(merchant_id, api_key, order_id)]``. Raises ApiError."""
    created = admin.create_merchant(f"fuzz-unknown-{uuid.uuid4().hex[:8]}")
    merchant_id, client = created["merchant"]["merchant_id"], admin.as_merchant(created["api_key"])
    admin.credit(merchant_id, "fuzz-unknown", 1_000 * count)
    product = client.create_product("fuzz unanswered", 1_000, count)
    before = standin(fulfilment_url, "/_stats")["posts"]
    standin(fulfilment_url, "/_control", {"mode": "hang", "delay_seconds": HANG_SECONDS})
    try:
        orders = [client.order(product["product_id"], "fuzz-unknown")["order_id"] for _ in range(count)]
        wait_for(lambda: standin(fulfilment_url, "/_stats")["posts"] >= before + count,
                 what="fuzz orders received by the fulfilment stand-in")
    finally:
        standin(fulfilment_url, "/_control", {"mode": "ok"})
    return [(merchant_id, created["api_key"], o) for o in orders]


def admin_job(admin: Payrail, timeout: float = 90) -> str:
    """A new platform-wide settlement job's id; while ``too_many_jobs`` run (earlier ones still
    finishing), asked again until one may start (at most ``timeout`` seconds)."""
    def start():
        try:
            return admin.admin_settlement(today(), today())["job_id"]
        except ApiError as e:
            if e.code != "too_many_jobs":
                raise
            return None
    return wait_for(start, timeout=timeout, interval=1.0, what="a platform settlement job to start")


def create_tenants(api_url: str, admin_token: str, doc: dict,
                   fulfilment_url: str | None = None) -> tuple[list[Tenant], str]:
    """``(tenants, admin_job_id)``: one merchant with a high rate limit when the API documents
    ``rate_limit_per_minute``, otherwise a few merchants that share the load. With the local
    fulfilment stand-in's ``fulfilment_url``, first :func:`hung_orders` (before the tenants' own
    orders, which the ``hang`` mode would catch too)."""
    admin = Payrail(api_url, admin_token=admin_token)
    unknown = hung_orders(admin, fulfilment_url, UNKNOWN_ORDERS) if fulfilment_url else []
    limit_schema = rate_limit_field(doc)
    limit = None
    if limit_schema is not None:
        limit = min(int(limit_schema.get("maximum", 1_000_000)), 1_000_000)
    count = 1 if limit else MERCHANTS_WITHOUT_LIMIT_FIELD
    with ThreadPoolExecutor(count) as pool:
        tenants = list(pool.map(lambda _: create_tenant(admin, limit), range(count)))
    # the admin's merchant routes (suspend, rotate keys ...) get a merchant of their own, so that
    # they never revoke the keys the rest of the run uses
    victim = admin.request("POST", "/v1/admin/merchants", {"name": "fuzz-admin-target"}, admin=True)
    job_id = admin_job(admin)
    for t in tenants:
        t.admin_ids = {"merchant_id": victim["merchant"]["merchant_id"], "job_id": job_id}
        t.unknown_orders = unknown
    return tenants, job_id


# ---- examples: one request per operation that the domain accepts --------------------------------
#: ``(admin client, merchant client, tenant) -> Case keyword arguments`` (path_parameters, query, body)
Example = Callable[[Payrail, Payrail, Tenant], dict]


def _review_payout(admin: Payrail, client: Payrail, t: Tenant) -> str:
    return client.payout(REVIEWED_AMOUNT, "1234560001")["payout_id"]


def _pop(t: Tenant, pool: str, fallback: str) -> str:
    return t.pools[pool].pop() if t.pools.get(pool) else t.ids[fallback]


def _job(client: Payrail) -> dict:
    return {"job_id": client.settlement(today(), today())["job_id"]}


def _open_exception(admin: Payrail, client: Payrail, t: Tenant) -> str:
    """An OPEN reconciliation exception of the tenant's, made through the API alone: a payout the
    Safepay stand-in keeps ON_HOLD, released by the admin while the provider still holds it (a
    status_mismatch once today is reconciled from Safepay's list of payments)."""
    p = client.payout(1_000, {"type": "bank_account", "bank_code": "HBL", "account_number": "1234560005",
                              "name": "Ali Raza"}, currency="PKR")
    wait_for(lambda: client.get_payout(p["payout_id"])["status"] == "ON_HOLD", 60, 0.3, what="payout on hold")
    admin.decide_payout(t.ids["merchant_id"], p["payout_id"], "reject", "fuzz: released while on hold")
    run = admin.reconciliation("safepay", today(), today())
    wait_for(lambda: admin.reconciliation_get(run["run_id"])["status"] in ("COMPLETED", "FAILED"), 120, 0.5,
             what="reconciliation run ended")
    tid = client.get_payout(p["payout_id"])["transfer_id"]
    found = wait_for(lambda: [e for e in admin.reconciliation_exceptions(provider="safepay", status="open",
                                                                         **{"class": "status_mismatch"},
                                                                         limit=100)["data"]
                              if e["transfer_id"] == tid], 10, 0.5, what="the exception listed")
    return found[0]["exception_id"]


def _unknown_order(admin: Payrail, t: Tenant) -> dict:
    """The path parameters of an order of ``t.unknown_orders`` once it is FULFILMENT_UNKNOWN (it is
    used up; the last one is kept, so a repeat answers 409). Waits until its fulfilment deadline
    has passed. Raises ApiError (404) when there is none (no fulfilment stand-in to make them),
    TimeoutError when it is still FULFILMENT_PENDING ``UNKNOWN_GRACE_SECONDS`` after its deadline."""
    if not t.unknown_orders:
        raise ApiError(404, {"error": {"message": "no order left FULFILMENT_UNKNOWN (no fulfilment stand-in)"}})
    merchant_id, api_key, order_id = t.unknown_orders.pop() if len(t.unknown_orders) > 1 else t.unknown_orders[0]
    owner = admin.as_merchant(api_key)

    def settled_or_unknown():
        order = owner.get_order(order_id)
        return order["status"] != "FULFILMENT_PENDING" and order
    deadline = owner.get_order(order_id).get("fulfilment_deadline")
    left = (datetime.fromisoformat(deadline) - datetime.now(timezone.utc)).total_seconds() if deadline else 0
    wait_for(settled_or_unknown, timeout=max(left, 0) + UNKNOWN_GRACE_SECONDS, interval=1,
             what=f"order {order_id} FULFILMENT_UNKNOWN")
    return {"merchant_id": merchant_id, "order_id": order_id}


#: per operation label, in the order they run (suspend before reactivate, the tenant's own key last)
EXAMPLES: dict[str, Example] = {
    "GET /health/live": lambda a, c, t: {},
    "GET /health/ready": lambda a, c, t: {},
    "GET /health/detailed": lambda a, c, t: {},
    "POST /v1/admin/merchants": lambda a, c, t: {"body": {"name": "fuzz example"}},
    "GET /v1/admin/merchants/{merchant_id}": lambda a, c, t: {"path_parameters": t.admin_ids},
    "POST /v1/admin/merchants/{merchant_id}/payout_settings": lambda a, c, t: {
        "path_parameters": t.admin_ids, "body": {"payout_currencies": ["INR", "PKR"]}},
    "POST /v1/admin/merchants/{merchant_id}/api_keys/rotate": lambda a, c, t: {"path_parameters": t.admin_ids},
    "POST /v1/admin/merchants/{merchant_id}/suspend": lambda a, c, t: {"path_parameters": t.admin_ids},
    "POST /v1/admin/merchants/{merchant_id}/reactivate": lambda a, c, t: {"path_parameters": t.admin_ids},
    "POST /v1/admin/merchants/{merchant_id}/payouts/{payout_id}/approve": lambda a, c, t: {
        "path_parameters": {"merchant_id": t.ids["merchant_id"], "payout_id": _review_payout(a, c, t)}},
    "POST /v1/admin/merchants/{merchant_id}/payouts/{payout_id}/reject": lambda a, c, t: {
        "path_parameters": {"merchant_id": t.ids["merchant_id"], "payout_id": _review_payout(a, c, t)}},
    "POST /v1/admin/balances/top_up": lambda a, c, t: {
        "body": {"merchant_id": t.ids["merchant_id"], "currency": "PKR", "amount": 1_000}},
    "POST /v1/admin/floats/top_up": lambda a, c, t: {
        "body": {"merchant_id": t.ids["merchant_id"], "provider": "mtn_momo", "currency": "GHS", "amount": 1_000}},
    "POST /v1/admin/wallets/credit": lambda a, c, t: {
        "body": {"merchant_id": t.ids["merchant_id"], "customer_id": t.ids["customer_id"], "currency": "USD",
                 "amount": 100}},
    "POST /v1/admin/wallets/debit": lambda a, c, t: {
        "body": {"merchant_id": t.ids["merchant_id"], "customer_id": t.ids["customer_id"], "currency": "USD",
                 "amount": 1}},
    "POST /v1/admin/settlements": lambda a, c, t: {"body": {"from": today(), "to": today()}},
    "GET /v1/admin/settlements/{job_id}": lambda a, c, t: {"path_parameters": {"job_id": t.admin_ids["job_id"]}},
    "POST /v1/admin/settlements/{job_id}/cancel": lambda a, c, t: {
        "path_parameters": {"job_id": admin_job(a)}},
    "POST /v1/account_verifications": lambda a, c, t: {"body": {"beneficiary": UPI}},
    "GET /v1/balances": lambda a, c, t: {"query": {"currency": "PKR"}},
    "GET /v1/balances/history": lambda a, c, t: {"query": {"currency": "PKR", "limit": 5}},
    "GET /v1/beneficiaries": lambda a, c, t: {"query": {"limit": 5}},
    "POST /v1/beneficiaries": lambda a, c, t: {"body": {"beneficiary": UPI, "nickname": "fuzz"}},
    "GET /v1/beneficiaries/{beneficiary_id}": lambda a, c, t: {
        "path_parameters": {"beneficiary_id": t.ids["beneficiary_id"]}},
    "POST /v1/beneficiaries/{beneficiary_id}/disable": lambda a, c, t: {
        "path_parameters": {"beneficiary_id": c.save_beneficiary(UPI)["beneficiary_id"]}},
    "GET /v1/customers/{customer_id}/wallets/{currency}": lambda a, c, t: {
        "path_parameters": {"customer_id": t.ids["customer_id"], "currency": "USD"}},
    "GET /v1/customers/{customer_id}/wallets/{currency}/history": lambda a, c, t: {
        "path_parameters": {"customer_id": t.ids["customer_id"], "currency": "USD"}, "query": {"limit": 5}},
    "GET /v1/directory": lambda a, c, t: {"query": {"country": "PK"}},
    "GET /v1/events": lambda a, c, t: {"query": {"limit": 5}},
    "GET /v1/events/{event_id}": lambda a, c, t: {"path_parameters": {"event_id": t.ids["event_id"]}},
    "POST /v1/events/{event_id}/redeliver": lambda a, c, t: {"path_parameters": {"event_id": t.ids["event_id"]}},
    "POST /v1/products": lambda a, c, t: {
        "body": {"name": "fuzz example", "price": 100, "currency": "USD", "stock": 5}},
    "GET /v1/products/{product_id}": lambda a, c, t: {"path_parameters": {"product_id": t.ids["product_id"]}},
    "POST /v1/orders": lambda a, c, t: {
        "body": {"product_id": t.ids["product_id"], "quantity": 1, "customer_id": t.ids["customer_id"]}},
    "GET /v1/orders/{order_id}": lambda a, c, t: {"path_parameters": {"order_id": t.ids["order_id"]}},
    "GET /v1/payments": lambda a, c, t: {"query": {"limit": 5, "status": "CONFIRMED"}},
    "POST /v1/payments": lambda a, c, t: {
        "body": {"amount": 1_000, "currency": "GHS",
                 "recipient": {"phone": PHONES["mtn_momo"] + "1", "name": "Ama Mensah"},
                 "description": "fuzz example", "metadata": {"order": "fuzz-1"}}},
    "GET /v1/payments/{payment_id}": lambda a, c, t: {"path_parameters": {"payment_id": t.ids["payment_id"]}},
    "POST /v1/payments/{payment_id}/cancel": lambda a, c, t: {
        "path_parameters": {"payment_id": c.pay(1_000, PHONES["mtn_momo"] + "2")["payment_id"]}},
    "POST /v1/payments/{payment_id}/refund": lambda a, c, t: {
        "path_parameters": {"payment_id": _pop(t, "confirmed_payment", "payment_id")}},
    "GET /v1/payouts": lambda a, c, t: {"query": {"limit": 5, "status": "SUCCEEDED"}},
    "POST /v1/payouts": lambda a, c, t: {
        "body": {"amount": 500, "currency": "PKR", "merchant_reference": f"fuzz-{uuid.uuid4().hex[:8]}",
                 "beneficiary": {"type": "bank_account", "bank_code": "HBL", "account_number": "1234560001",
                                 "name": "Fuzz Payee"}}},
    "GET /v1/payouts/{payout_id}": lambda a, c, t: {"path_parameters": {"payout_id": t.ids["payout_id"]}},
    "POST /v1/payouts/{payout_id}/cancel": lambda a, c, t: {"path_parameters": {"payout_id": _review_payout(a, c, t)}},
    "POST /v1/payouts/{payout_id}/reinitiate": lambda a, c, t: {
        "path_parameters": {"payout_id": _pop(t, "failed_payout", "payout_id")}},
    "GET /v1/reservations": lambda a, c, t: {"query": {"limit": 5}},
    "POST /v1/reservations": lambda a, c, t: {
        "body": {"amount": 500, "currency": "INR", "beneficiary_id": t.ids["beneficiary_id"]}},
    "GET /v1/reservations/{reservation_id}": lambda a, c, t: {
        "path_parameters": {"reservation_id": t.ids["reservation_id"]}},
    "POST /v1/reservations/{reservation_id}/fulfil": lambda a, c, t: {"path_parameters": {
        "reservation_id": c.reserve(500, None, beneficiary_id=t.ids["beneficiary_id"])["reservation_id"]}},
    "POST /v1/reservations/{reservation_id}/release": lambda a, c, t: {"path_parameters": {
        "reservation_id": c.reserve(500, None, beneficiary_id=t.ids["beneficiary_id"])["reservation_id"]}},
    "POST /v1/settlements": lambda a, c, t: {"body": {"from": today(), "to": today()}},
    "GET /v1/settlements/{job_id}": lambda a, c, t: {"path_parameters": {"job_id": t.ids["job_id"]}},
    "POST /v1/settlements/{job_id}/cancel": lambda a, c, t: {"path_parameters": _job(c)},
    "GET /v1/webhook_endpoints": lambda a, c, t: {"query": {"limit": 5}},
    "POST /v1/webhook_endpoints": lambda a, c, t: {"body": {"url": WEBHOOK_URL, "enabled_events": ["order.*"]}},
    "GET /v1/webhook_endpoints/{endpoint_id}": lambda a, c, t: {
        "path_parameters": {"endpoint_id": t.ids["endpoint_id"]}},
    "POST /v1/webhook_endpoints/{endpoint_id}": lambda a, c, t: {
        "path_parameters": {"endpoint_id": t.ids["endpoint_id"]}, "body": {"description": "fuzz example"}},
    "GET /v1/webhook_endpoints/{endpoint_id}/attempts": lambda a, c, t: {
        "path_parameters": {"endpoint_id": t.ids["endpoint_id"]}, "query": {"limit": 5}},
    "POST /v1/webhook_endpoints/{endpoint_id}/rotate_secret": lambda a, c, t: {
        "path_parameters": {"endpoint_id": t.ids["endpoint_id"]}},
    "POST /v1/webhook_endpoints/{endpoint_id}/recover": lambda a, c, t: {
        "path_parameters": {"endpoint_id": t.ids["endpoint_id"]}, "body": {"since": "2026-01-01"}},
    "GET /v1/webhook_endpoints/{endpoint_id}/recoveries/{recovery_id}": lambda a, c, t: {
        "path_parameters": {"endpoint_id": t.ids["endpoint_id"], "recovery_id": c.recover_webhook_endpoint(
            t.ids["endpoint_id"], "2026-01-01")["recovery_id"]}},
    "DELETE /v1/webhook_endpoints/{endpoint_id}": lambda a, c, t: {
        "path_parameters": {"endpoint_id": c.create_webhook_endpoint(WEBHOOK_URL, ["order.*"])["endpoint_id"]}},
    # the operator's routes across merchants
    "GET /v1/admin/payouts": lambda a, c, t: {"query": {"limit": 5, "status": "SUCCEEDED"}},
    "GET /v1/admin/merchants/{merchant_id}/payouts/{payout_id}": lambda a, c, t: {
        "path_parameters": {"merchant_id": t.ids["merchant_id"], "payout_id": t.ids["payout_id"]}},
    "GET /v1/admin/payments": lambda a, c, t: {"query": {"limit": 5, "status": "CONFIRMED"}},
    "GET /v1/admin/merchants/{merchant_id}/payments/{payment_id}": lambda a, c, t: {
        "path_parameters": {"merchant_id": t.ids["merchant_id"], "payment_id": t.ids["payment_id"]}},
    "GET /v1/admin/holds": lambda a, c, t: {"query": {"older_than_seconds": 0, "limit": 5}},
    "GET /v1/admin/queues": lambda a, c, t: {},
    "GET /v1/admin/queues/{queue}": lambda a, c, t: {"path_parameters": {"queue": "fulfilment"}},
    "POST /v1/admin/queues/{queue}/redrive": lambda a, c, t: {
        "path_parameters": {"queue": "fulfilment"}, "body": {"max_per_second": 10}},
    "GET /v1/admin/ledger/audit": lambda a, c, t: {},
    "POST /v1/admin/reconciliations": lambda a, c, t: {
        "body": {"provider": "cashfree", "from": today(), "to": today()}},
    "GET /v1/admin/reconciliations": lambda a, c, t: {"query": {"limit": 5, "provider": "cashfree"}},
    "GET /v1/admin/reconciliations/{run_id}": lambda a, c, t: {
        "path_parameters": {"run_id": a.reconciliation("safepay", today(), today())["run_id"]}},
    "POST /v1/admin/reconciliations/{run_id}/cancel": lambda a, c, t: {  # cancelled before its worker starts it
        "path_parameters": {"run_id": a.reconciliation("cashfree", "2026-01-01", "2026-01-31")["run_id"]}},
    "GET /v1/admin/reconciliation_exceptions": lambda a, c, t: {"query": {"limit": 5, "status": "open"}},
    "POST /v1/admin/reconciliation_exceptions/{exception_id}/resolve": lambda a, c, t: {
        "path_parameters": {"exception_id": _open_exception(a, c, t)},
        "body": {"resolution": "acknowledge", "reason": "fuzz: the provider holds it still"}},
    # last but one: these wait for orders to reach their fulfilment deadline (the others ran meanwhile)
    "POST /v1/admin/merchants/{merchant_id}/orders/{order_id}/fail": lambda a, c, t: {
        "path_parameters": _unknown_order(a, t), "body": {"note": "fuzz: the service never answered"}},
    "POST /v1/admin/merchants/{merchant_id}/orders/{order_id}/fulfil": lambda a, c, t: {
        "path_parameters": _unknown_order(a, t), "body": {"fulfilment_id": "ful_fuzz_1", "note": "fuzz"}},
    "POST /v1/api_keys/rotate": lambda a, c, t: {},
}


# ---- provider callbacks -------------------------------------------------------------------------
DIGITS = re.compile(r"[0-9]+")
KEYED = re.compile(r"^([a-z0-9]{1,8})=(.*)$", re.S)


def malformed_values(value: str) -> list[str]:
    """Malformed variants of one signature or timestamp header's ``value``: per comma-separated part,
    its longest digit run replaced by 400 nines, by 5,000 digits, by ``²`` (``str.isdigit`` is true,
    ``int`` refuses it), with its last digit made ``²``, and padded with 400 zeros (the same number,
    over-long); each part dropped, and each ``key=`` dropped. Never ``value`` itself."""
    parts, out = value.split(","), []
    for i, part in enumerate(parts):
        runs = sorted(DIGITS.finditer(part), key=lambda m: len(m.group()), reverse=True)
        if runs:
            run = runs[0]
            for digits in ("9" * 400, "1" * 5000, "²", run.group()[:-1] + "²", "0" * 400 + run.group()):
                out.append(",".join(parts[:i] + [part[:run.start()] + digits + part[run.end():]] + parts[i + 1:]))
        keyed = KEYED.match(part)
        if len(parts) > 1:
            out.append(",".join(parts[:i] + parts[i + 1:]))
        if keyed:
            out.append(",".join(parts[:i] + [keyed.group(2)] + parts[i + 1:]))
    return [v for v in dict.fromkeys(out) if v != value]


def _wire(value: str) -> str | bytes:
    """A header value as sent: latin-1 characters (``²``) as themselves (what an HTTP server
    decodes), anything else as UTF-8 bytes."""
    try:
        value.encode("latin-1")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _json_values():
    """Any JSON value (small)."""
    leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
              | st.text(max_size=20))
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


def json_paths(doc, prefix=()) -> list[tuple]:
    """Every path to a value inside a JSON document (``()`` is the document itself)."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += json_paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += json_paths(v, prefix + (i,))
    return out


def with_value(doc, path: tuple, value, delete: bool = False):
    """A copy of JSON document ``doc`` with the value at ``path`` (see :func:`json_paths`) replaced by
    ``value``, or removed (``delete``)."""
    if not path:
        return value
    doc = json.loads(json.dumps(doc))
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def mutated_bodies(body: bytes):
    """A Hypothesis strategy of raw bodies made from a well-formed callback ``body`` (JSON): one value
    replaced by generated JSON, one key removed, the whole document replaced, or random bytes."""
    doc = json.loads(body)
    paths = json_paths(doc)
    keyed = [p for p in paths if p and isinstance(p[-1], str)]
    replaced = st.tuples(st.sampled_from(paths), _json_values()).map(lambda pv: with_value(doc, pv[0], pv[1]))
    removed = st.sampled_from(keyed).map(lambda p: with_value(doc, p, None, delete=True)) if keyed else replaced
    as_json = st.one_of(replaced, removed).map(lambda d: json.dumps(d).encode())
    return st.one_of(as_json, as_json, st.binary(max_size=64))


@dataclass
class ProviderSigner:
    """Signs callbacks for one connector as its local stand-in does (``state.sign_callback``) and
    writes well-formed bodies about a transfer (``state.sample_transfer`` -> ``signed_callback``)."""

    connector: str
    state: object

    def signed(self, body: bytes) -> dict[str, str]:
        """The request headers of a callback with raw ``body``, signed now."""
        return {"content-type": "application/json", **self.state.sign_callback(body)}

    def well_formed(self, transfer_id: str, key: str, succeeded: bool) -> bytes:
        """The provider's callback body about a final transfer (payrail's ``transfer_id``, the
        provider's ``key``)."""
        return self.state.signed_callback(self.state.sample_transfer(transfer_id, key, succeeded))[1]

    @property
    def signs(self) -> bool:
        """Whether the provider signs its callbacks at all (MTN MoMo does not)."""
        return bool(self.state.sign_callback(b"{}"))


def signers(data_dir: Path) -> dict[str, ProviderSigner]:
    """A signer per connector of the registry, with the credentials the local cloud gives it.
    Raises KeyError naming a registered connector without a stand-in."""
    out = {}
    for name in registry.REGISTRY:
        if name not in STANDINS:
            raise KeyError(f"connector {name!r} has no local stand-in to sign its callbacks")
        standin = STANDINS[name]
        out[name] = ProviderSigner(name, standin.state(data_dir, dict(standin.credentials)))
    return out


def signature_rejected(response) -> bool:
    """Whether a 401 refused the callback's authentication (not what its authenticated body said)."""
    if response.status_code != 401:
        return False
    return "malformed" not in str(error_of(response).get("message", ""))


def error_of(response) -> dict:
    """The ``error`` object of an error body (``{}`` when there is none)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body.get("error") or {} if isinstance(body, dict) else {}


# ---- the run ---------------------------------------------------------------------------------------
@dataclass
class OperationStats:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)

    @property
    def succeeded(self) -> bool:
        return any(200 <= code < 300 for code in self.statuses)


@dataclass
class CallbackStats:
    """One connector's callbacks: statuses of the signed ones (and how many got past the signature
    check) and of the ones with malformed signature or timestamp headers."""

    signed: Counter = field(default_factory=Counter)
    past_signature: int = 0
    malformed: Counter = field(default_factory=Counter)


@dataclass
class Result:
    """What a run found; ``line`` is the summary line ``make fuzz`` prints last."""

    requests: int = 0
    server_errors: int = 0
    conformance_failures: int = 0
    operations: dict[str, OperationStats] = field(default_factory=lambda: defaultdict(OperationStats))
    callbacks: dict[str, CallbackStats] = field(default_factory=lambda: defaultdict(CallbackStats))
    #: every documented operation (``METHOD /path``), whether or not a request reached it
    documented: list[str] = field(default_factory=list)
    #: operations sent a query parameter they do not declare (the ``unknown_query_parameter`` check)
    unknown_parameter_checked: set[str] = field(default_factory=set)
    kinds: Counter = field(default_factory=Counter)  # (operation, status, check) -> count
    failures: list[dict] = field(default_factory=list)
    seed: int = 0

    @property
    def without_2xx(self) -> list[str]:
        """Documented operations that never answered 2xx (so were never fuzzed past validation)."""
        return [op for op in self.documented if not self.operations[op].succeeded] if self.documented else []

    @property
    def line(self) -> str:
        return (f"fuzz: {self.requests} requests, {len(self.without_2xx)} operations without a 2xx, "
                f"{self.server_errors} server errors, {self.conformance_failures} conformance failures")

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and self.conformance_failures == 0 and not self.without_2xx

    def summary(self) -> str:
        labels = sorted(set(self.operations) | set(self.documented))
        width = max([len(label) for label in labels] + [58])
        rows = [f"{'operation':<{width}} {'requests':>8}  statuses  /  failed checks"]
        for label in labels:
            s = self.operations[label]
            statuses = " ".join(f"{code}x{n}" for code, n in sorted(s.statuses.items()))
            failed = " ".join(f"{check}x{n}" for check, n in sorted(s.failures.items()))
            mark = "" if s.succeeded else "  (no 2xx)"
            rows.append(f"{label:<{width}} {s.requests:>8}  {statuses}" + (f"  /  {failed}" if failed else "") + mark)
        for name, c in self.callbacks.items():
            signed = " ".join(f"{code}x{n}" for code, n in sorted(c.signed.items()))
            malformed = " ".join(f"{code}x{n}" for code, n in sorted(c.malformed.items())) or "none (unsigned)"
            rows.append(f"callbacks {name:<12} signed {sum(c.signed.values())}: {signed} "
                        f"({c.past_signature} past the signature); malformed headers {sum(c.malformed.values())}: "
                        f"{malformed}")
        return "\n".join(rows)

    def _sorted_kinds(self) -> list:
        return sorted(self.kinds.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2]))

    def kinds_text(self) -> str:
        """The distinct failures, one operation a line: ``status check xcount`` for each."""
        by_op: dict[str, list[str]] = defaultdict(list)
        for (op, status, check), n in self._sorted_kinds():
            by_op[op].append(f"{status} {check} x{n}")
        return "\n".join(f"  {op}: " + ", ".join(items) for op, items in by_op.items())

    def examples_text(self, limit: int = 3, chars: int = 600) -> str:
        """The first ``limit`` recorded failures, each with its check's title and message, the
        response's status, content type and body, and the curl command (``chars`` characters each)."""
        rows = []
        for f in self.failures[:limit]:
            response = f["response"] or {}
            headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
            rows.append(f"  {f['operation']} {f['check']}: {f['title']}: {(f['message'] or '')[:chars]}\n"
                        f"    response {response.get('status')} {headers.get('content-type')}: "
                        f"{(response.get('body') or '')[:chars]}\n    {f['curl']}")
        return "\n".join(rows)

    def report(self) -> dict:
        return {"line": self.line, "seed": self.seed, "requests": self.requests, "server_errors": self.server_errors,
                "conformance_failures": self.conformance_failures, "without_2xx": self.without_2xx,
                "unknown_parameter_checked": sorted(self.unknown_parameter_checked),
                "operations": {k: {"requests": v.requests, "statuses": dict(v.statuses), "failures": dict(v.failures)}
                               for k, v in sorted(self.operations.items())},
                "callbacks": {k: {"signed": dict(v.signed), "past_signature": v.past_signature,
                                  "malformed": dict(v.malformed)} for k, v in self.callbacks.items()},
                "kinds": [{"operation": op, "status": status, "check": check, "count": n}
                          for (op, status, check), n in self._sorted_kinds()],
                "failures": self.failures}


def _text(data, limit: int = 4000) -> str | None:
    if data is None:
        return None
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return data if len(data) <= limit else data[:limit] + f"... ({len(data)} chars)"


def _curl(case, headers: dict, base_url: str) -> str | None:
    """The curl command that repeats ``case`` (credentials shown as [Filtered]), or None."""
    try:
        return case.as_curl_command(headers=headers, base_url=base_url)
    except Exception:  # noqa: BLE001 - some generated requests cannot be written as a curl command
        return None


#: ``(response) -> None | (title, message)``: a phase's own check of one answer
Check = Callable[[requests.Response], "tuple[str, str] | None"]


class Fuzzer:
    """Sends generated cases to ``api_url`` and checks the answers; see the module docstring."""

    def __init__(self, api_url: str, admin_token: str, tenants: list[Tenant], admin_job_id: str,
                 openapi_file: Path = OPENAPI_FILE, signer_dir: Path | None = None):
        self.api_url = api_url
        self.admin_token, self.tenants, self.admin_job_id = admin_token, tenants, admin_job_id
        self.schema = schemathesis.openapi.from_path(str(openapi_file))
        self.operations = {r.ok().label: r.ok() for r in self.schema.get_all_operations()}
        self.checks = [getattr(checks, name) for name in CHECKS]
        self.http = requests.Session()
        self.admin = Payrail(api_url, admin_token=admin_token)
        self.result = Result(documented=sorted(self.operations))
        self._signer_dir = signer_dir
        self._turn = 0
        self.tracker = None  # an infra.cli.progress.Tracker counting the requests sent, during run()

    def _sent(self) -> None:
        """Count one request sent (the result's total and the progress bar)."""
        self.result.requests += 1
        if self.tracker is not None:
            self.tracker.advance()

    def _tenant(self) -> Tenant:
        self._turn += 1
        return self.tenants[self._turn % len(self.tenants)]

    def _use_real_ids(self, case, tenant: Tenant) -> None:
        """Put the tenant's real ids into the path, query and (top-level) body fields of the same name."""
        ids = tenant.ids | ({"job_id": self.admin_job_id} if case.path.startswith("/v1/admin/") else {})
        if case.path.startswith("/v1/admin/merchants/"):
            ids = ids | tenant.admin_ids
        for container in (case.path_parameters, case.query):
            for name in container or {}:
                if name in ids:
                    container[name] = ids[name]
        if isinstance(case.body, dict):
            for name in case.body:
                if name in ids:
                    case.body[name] = ids[name]

    def execute(self, case, real_ids: bool = False, tenant: Tenant | None = None,
                check: tuple[str, Check] | None = None) -> requests.Response | None:
        """Send one case and record the response and every failed check (the schema's, and ``check``:
        ``(name, function)``). Returns the response (None when there was none)."""
        tenant = tenant or self._tenant()
        if real_ids:
            self._use_real_ids(case, tenant)
        headers = {"Authorization": f"Bearer {self.admin_token}", "X-API-Key": tenant.api_key}
        label = case.operation.label
        stats = self.result.operations[label]
        stats.requests += 1
        self._sent()
        try:
            response = case.call(base_url=self.api_url, session=self.http, headers=headers, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as e:  # no answer at all counts as a server error
            self._record(case, None, "not_a_server_error", "no response", f"{type(e).__name__}: {e}", headers)
            return None
        self._observe(case, response, headers, check)
        if label == "POST /v1/api_keys/rotate" and response.status_code == 201:
            tenant.api_key = response.json()["api_key"]  # as a client does: the old key may expire at once
        return response

    def _observe(self, case, response, headers: dict, check: tuple[str, Check] | None) -> None:
        self.result.operations[case.operation.label].statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.result.server_errors += 1
        for schema_check in self.checks:
            try:
                case.validate_response(response, checks=[schema_check], headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    self._record(case, response, schema_check.__name__, failure.title, failure.message, headers)
            except Exception as e:  # noqa: BLE001 - a check that cannot run is reported like a failure
                self._record(case, response, schema_check.__name__, "check raised", f"{type(e).__name__}: {e}",
                             headers)
        if check is not None:
            found = check[1](response)
            if found is not None:
                self._record(case, response, check[0], found[0], found[1], headers)

    def _record(self, case, response, check: str, title: str, message: str, headers: dict) -> None:
        label, status = case.operation.label, response.status_code if response is not None else None
        if response is None:
            self.result.server_errors += 1
        if check in CONFORMANCE:
            self.result.conformance_failures += 1
        self.result.operations[label].failures[check] += 1
        self.result.kinds[(label, status, check)] += 1
        if self.result.kinds[(label, status, check)] > EXAMPLES_PER_KIND:
            return
        request = response.request if response is not None else None
        self.result.failures.append({
            "operation": label, "check": check, "title": title, "message": _text(message),
            "request": {"method": request.method, "url": request.url,
                        "headers": {k: _text(v, 200) for k, v in request.headers.items()},
                        "body": _text(request.body)} if request is not None else
                       {"method": case.method, "path": case.formatted_path, "query": case.query},
            "response": {"status": status, "headers": dict(response.headers),
                         "body": _text(response.content)} if response is not None else None,
            "curl": _curl(case, headers, self.api_url),
        })

    # ---- phase 1 and 2: examples, and examples with an unknown query parameter ---------------------
    def _example_case(self, label: str, tenant: Tenant, query_extra: dict | None = None):
        """The example of ``label`` as a Case (its prerequisites made now), or None when the API
        refused to make them (printed; the generated phase still reaches the operation)."""
        op = self.operations[label]
        client = self.admin.as_merchant(tenant.api_key)
        try:
            kwargs = EXAMPLES[label](self.admin, client, tenant)
        except ApiError as e:
            print(f"fuzz: could not prepare the example of {label}: {e.status} {e.body}", file=sys.stderr)
            return None
        except TimeoutError as e:  # an object never reached the state the example needs
            print(f"fuzz: could not prepare the example of {label}: {e}", file=sys.stderr)
            return None
        headers = {}
        if any(p.name.lower() == "idempotency-key" for p in op.iter_parameters()):
            headers["idempotency-key"] = f"fuzz-{uuid.uuid4()}"
        body = kwargs.get("body")
        return op.Case(path_parameters=kwargs.get("path_parameters") or {},
                       query={**(kwargs.get("query") or {}), **(query_extra or {})}, headers=headers,
                       **({"body": body, "media_type": "application/json"} if body is not None else {}))

    def _unknown_name(self, label: str, rng: random.Random) -> str:
        """A query parameter name ``label`` does not declare (a typo of a common one, or generated)."""
        declared = {p.name.lower() for p in self.operations[label].iter_parameters()}
        names = [n for n in UNKNOWN_NAMES if n not in declared]
        while True:
            name = rng.choice(names) if rng.random() < 0.5 else "".join(
                rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(1, 12)))
            if name.lower() not in declared and name.strip("_"):
                return name

    @staticmethod
    def _refuses_unknown(name: str) -> Check:
        def check(response):
            err = error_of(response)
            if response.status_code == 400 and err.get("code") == "parameter_unknown":
                return None
            return ("unknown query parameter not refused",
                    f"?{name}=... answered {response.status_code} {err.get('code') or ''}: expected 400 "
                    f"parameter_unknown")
        return check

    def examples(self, rng: random.Random) -> None:
        """Phase 1 (every example once) and phase 2 (every example with an unknown query parameter)."""
        missing = set(self.operations) - set(EXAMPLES) - {CALLBACK_OPERATION}
        if missing:  # generated requests still reach them; the run fails if none answers 2xx
            print(f"fuzz: operations without an example in infra.tools.fuzz.EXAMPLES: {sorted(missing)}",
                  file=sys.stderr)
        tenant = self.tenants[0]
        for label in EXAMPLES:
            if label in self.operations:
                for _attempt in range(EXAMPLE_ATTEMPTS):
                    case = self._example_case(label, tenant)
                    response = self.execute(case, tenant=tenant) if case is not None else None
                    if response is None or response.status_code != 409:
                        break
        if self.tracker is not None:
            self.tracker.update(description="fuzz: unknown query parameters")
        for label in EXAMPLES:
            if label in self.operations:
                name = self._unknown_name(label, rng)
                case = self._example_case(label, tenant, {name: "1"})
                if case is not None:
                    self.result.unknown_parameter_checked.add(label)
                    self.execute(case, tenant=tenant, check=(UNKNOWN_PARAMETER, self._refuses_unknown(name)))

    # ---- phase 3: provider callbacks -----------------------------------------------------------------
    def _callback(self, signer: ProviderSigner, headers: dict, body: bytes, check: tuple[str, Check],
                  query: dict | None = None) -> requests.Response | None:
        op = self.operations[CALLBACK_OPERATION]
        case = op.Case(path_parameters={"connector": signer.connector}, headers=headers, query=query or {})
        self.result.operations[CALLBACK_OPERATION].requests += 1
        self._sent()
        try:
            response = self.http.post(f"{self.api_url}/v1/callbacks/{signer.connector}", data=body, params=query,
                                      headers={k: _wire(v) for k, v in headers.items()}, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as e:
            self._record(case, None, "not_a_server_error", "no response", f"{type(e).__name__}: {e}", {})
            return None
        self._observe(case, response, {}, check)
        return response

    def _signed(self, signer: ProviderSigner, body: bytes, query: dict | None = None,
                check: tuple[str, Check] | None = None) -> None:
        stats = self.result.callbacks[signer.connector]

        def authenticated(response):
            if signature_rejected(response):
                return "signed callback refused", f"a callback signed as the stand-in signs it answered " \
                                                  f"{response.status_code}: {error_of(response).get('message')}"
            return None
        response = self._callback(signer, signer.signed(body), body, check or (AUTHENTICATED, authenticated), query)
        if response is not None:
            stats.signed[response.status_code] += 1
            if response.status_code < 300 or (response.status_code == 401 and not signature_rejected(response)):
                stats.past_signature += 1

    def _malformed(self, signer: ProviderSigner, headers: dict, body: bytes, what: str) -> None:
        def refused(response):
            if response.status_code == 401:
                return None
            return "malformed callback not refused", f"{what} answered {response.status_code} (expected 401)"
        response = self._callback(signer, headers, body, (MALFORMED_REFUSED, refused))
        if response is not None:
            self.result.callbacks[signer.connector].malformed[response.status_code] += 1

    def callbacks(self, seed: int, rng: random.Random, mutated: int = MUTATED_CALLBACKS) -> None:
        """Phase 3, for every connector of the registry (see the module docstring), with ``mutated``
        signed callbacks with mutated bodies each."""
        with tempfile.TemporaryDirectory(dir=self._signer_dir) as tmp:
            for name, signer in signers(Path(tmp)).items():
                self._callbacks_of(signer, seed, rng, mutated)

    def _callbacks_of(self, signer: ProviderSigner, seed: int, rng: random.Random, mutated: int) -> None:
        name = signer.connector
        real = [t for tenant in self.tenants for t in tenant.transfers.get(name, [])]
        unknown = f"fuzz_{uuid.uuid4().hex[:12]}"
        bodies = [signer.well_formed(tid, key, ok) for tid, key in real[:1] for ok in (True, False)]
        bodies.append(signer.well_formed(unknown, unknown if name == "cashfree" else str(uuid.uuid4()), True))
        for body in bodies:
            self._signed(signer, body)
        # the query string is refused like everywhere else
        param = self._unknown_name(CALLBACK_OPERATION, rng)
        self.result.unknown_parameter_checked.add(CALLBACK_OPERATION)
        self._signed(signer, bodies[-1], {param: "1"}, (UNKNOWN_PARAMETER, self._refuses_unknown(param)))

        @with_seed(seed)
        @settings(max_examples=mutated, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False)
        @given(body=mutated_bodies(bodies[0]))
        def signed_mutated(body):
            self._signed(signer, body)
        signed_mutated()
        if not signer.signs:
            return
        body = bodies[-1]
        good = signer.signed(body)
        for header in [h for h in good if h != "content-type"]:
            self._malformed(signer, {k: v for k, v in good.items() if k != header}, body, f"{header} absent")
            for value in ["", *malformed_values(good[header])]:
                self._malformed(signer, good | {header: value}, body, f"{header}: {value[:40]!r}")

            @with_seed(seed)
            @settings(max_examples=GENERATED_HEADER_VALUES, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False)
            @given(value=st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=60)
                   .map(str.strip).filter(lambda v, h=header: v != good[h]))
            def generated(value):
                self._malformed(signer, signer.signed(body) | {header: value}, body, f"{header}: {value[:40]!r}")
            generated()

    # ---- phase 4: generation -----------------------------------------------------------------------
    def _slots(self) -> list[tuple]:
        """``(operation, mode)`` pairs: every operation positively, and negatively where it has
        something to negate (parameters or a body)."""
        slots = []
        for op in self.operations.values():
            slots.append((op, GenerationMode.POSITIVE))
            if op.definition.raw.get("parameters") or op.definition.raw.get("requestBody"):
                slots.append((op, GenerationMode.NEGATIVE))
        return slots

    def _drive(self, op, mode, examples: int, seed: int) -> int:
        """Run up to ``examples`` generated cases of one operation in one mode; returns how many ran."""
        before = self.result.requests
        real = st.booleans() if mode == GenerationMode.POSITIVE else st.just(False)

        @with_seed(seed)
        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False)
        @given(case=op.as_strategy(generation_mode=mode), real_ids=real)
        def run(case, real_ids):
            self.execute(case, real_ids)

        try:
            run()
        except Unsatisfiable:  # nothing (more) to generate for this operation
            pass
        return self.result.requests - before

    def run(self, budget: int, seed: int | None = None) -> Result:
        """The examples, the unknown query parameters and the callbacks, then the rest of ``budget``
        spread over every operation and mode (operations whose inputs run out early, having no
        parameters, leave their share to the others). Returns the result."""
        from infra.cli import progress

        self.result.seed = seed if seed is not None else random.randrange(2**32)
        rng = random.Random(self.result.seed)
        with progress.tracked("fuzz: examples", budget, "requests") as self.tracker:
            try:
                return self._phases(budget, rng)
            finally:
                self.tracker = None

    def _phases(self, budget: int, rng: random.Random) -> Result:
        self.examples(rng)
        self.tracker.update(description="fuzz: callbacks")
        self.callbacks(rng.randrange(2**32), rng, max(MUTATED_CALLBACKS, budget // REQUESTS_PER_MUTATED_CALLBACK))
        self.tracker.update(description="fuzz: generated")
        open_slots = self._slots()
        for _round in range(4):
            remaining = budget - self.result.requests
            if remaining <= 0 or not open_slots:
                break
            share = math.ceil(remaining / len(open_slots))
            still_open = []
            for op, mode in open_slots:
                if self._drive(op, mode, share, rng.randrange(2**32)) >= share:
                    still_open.append((op, mode))
            open_slots = still_open
        return self.result


def fuzz(api_url: str, admin_token: str, budget: int, seed: int | None = None,
         report: Path | None = None, openapi_file: Path = OPENAPI_FILE, fulfilment_url: str | None = None) -> Result:
    """Create the credentials and objects, fuzz ``budget`` requests, write ``report`` (JSON).
    ``fulfilment_url`` is the local fulfilment stand-in's (see :func:`hung_orders`); without it the
    admin's order decisions have no order to decide and the run fails for them."""
    doc = json.loads(openapi_file.read_text())
    tenants, admin_job_id = create_tenants(api_url, admin_token, doc, fulfilment_url)
    result = Fuzzer(api_url, admin_token, tenants, admin_job_id, openapi_file).run(budget, seed)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result.report(), indent=2, default=str))
    return result


cli = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0])


@cli.command()
def main(requests: int = typer.Option(2000, help="requests in total"),
         seed: int | None = typer.Option(None, help="Hypothesis seed (printed in the report)"),
         report: Path = typer.Option(ROOT / ".local" / "fuzz-report.json", help="where the failures are written"),
         data_dir: Path = typer.Option(ROOT / ".local", help="the local cloud's data directory"),
         use_running: bool = typer.Option(False, help="fuzz the local cloud running from --data-dir")) -> None:
    """Fuzz the committed OpenAPI document against a local cloud (one it starts, or the running one);
    exits 1 when a request found a server error or a conformance failure, or an operation got no 2xx."""
    from infra.local import process

    def go(desc: dict) -> int:
        result = fuzz(desc["api_url"], desc["admin_token"], requests, seed, report,
                      fulfilment_url=desc.get("fulfilment_url"))
        print(result.summary())
        if result.kinds:
            print("distinct failures (operation: status check xcount):\n" + result.kinds_text())
        if result.without_2xx:
            print("operations without a 2xx (never fuzzed past validation): " + ", ".join(result.without_2xx))
        print(f"report: {report} (seed {result.seed})")
        print(result.line)
        return 0 if result.ok else 1

    if use_running:
        desc = process.running(data_dir)
        if desc is None:
            print(f"no healthy local cloud runs from {data_dir} (start one with `make up`)", file=sys.stderr)
            raise typer.Exit(2)
        raise typer.Exit(go(desc))
    print("starting a local cloud for the fuzz run ...", flush=True)
    # failed authentication is rate limited per source IP; the run sends many such requests from one;
    # orders left unanswered by the fulfilment stand-in are FULFILMENT_UNKNOWN 20 s after payment
    with process.local_cloud(data_dir / "fuzz", random_ports=True,
                             settings={"ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000",
                                       "FULFILMENT_GIVE_UP_SECONDS": "20"}) as desc:
        raise typer.Exit(go(desc))


if __name__ == "__main__":
    cli()
