"""Shared fixtures. The local cloud is started once per test session, on free ports, in a child
process, exactly as ``make up`` runs it, on the target chosen with ``--target`` (default
``$PAYRAIL_TARGET``, else ``embedded``: DynamoDB Local + moto + the function runtime;
``localstack``: LocalStack's services running the same handlers, see ``make test-localstack``)."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from infra.catalog import ROOT
from infra.local import process
from infra.tools.client import Payrail

EVENTS = ROOT / "events"

#: fast fulfilment timeouts and quick fulfilment and payout retries, so failure paths finish within seconds
TEST_SETTINGS = {"FULFILMENT_TIMEOUT_SECONDS": "1", "FULFILMENT_BACKOFF_BASE_SECONDS": "1",
                 # 3 POSTs that never reach the service fail an order (after 1 + 2 s); an unknown
                 # outcome is given up 20 s after payment (FULFILMENT_UNKNOWN)
                 "FULFILMENT_MAX_ATTEMPTS": "3", "FULFILMENT_GIVE_UP_SECONDS": "20",
                 # providers are looked at again after 1, 2, 3, 3 ... s; their answers wait at most 3 s
                 "PAYOUT_BACKOFF_BASE_SECONDS": "1", "PAYOUT_BACKOFF_MAX_SECONDS": "3",
                 "CONNECTOR_CASHFREE_TIMEOUT_SECONDS": "3", "CONNECTOR_SAFEPAY_TIMEOUT_SECONDS": "3",
                 # the in-flight bound is a setting (`make up --set ...`): 3 at Safepay here, Cashfree keeps 4
                 "CONNECTOR_SAFEPAY_MAX_IN_FLIGHT": "3",
                 # load tests send far more than a minute's default quota; the limiter's own tests set
                 # a merchant's limit explicitly
                 "RATE_LIMIT_PER_MINUTE": "100000", "ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000",
                 # webhook retries every ~1 s for 30 s, attempts cut off after 2 s
                 "WEBHOOK_RETRY_SCHEDULE": "1", "WEBHOOK_RETRY_HORIZON_SECONDS": "30", "WEBHOOK_TIMEOUT_SECONDS": "2",
                 # payments: expiry after 20 s, looks after 1, 2, 2 … s, answers within 3 s, a 30 s routing
                 # window, no exploration (routes are deterministic; exploration has unit tests)
                 "TRANSACTION_TIMEOUT_SECONDS": "20", "PAYMENT_BACKOFF_BASE_SECONDS": "1",
                 "PAYMENT_BACKOFF_MAX_SECONDS": "2", "PAYMENT_ROUTING_WINDOW_SECONDS": "30",
                 "PAYMENT_ROUTING_EXPLORATION": "0", "PAYMENT_BLOCKLIST": "+233241110001",
                 "CONNECTOR_MTN_MOMO_TIMEOUT_SECONDS": "3", "CONNECTOR_AIRTELTIGO_TIMEOUT_SECONDS": "3",
                 "CONNECTOR_TELECEL_TIMEOUT_SECONDS": "3"}


def load_event(name: str, **subs: str) -> dict:
    """``events/<source>/<scenario>.json`` with ``${NAME}`` placeholders filled from ``subs``."""
    from infra.catalog import substitute

    return json.loads(substitute((EVENTS / f"{name}.json").read_text(), subs))


def pytest_addoption(parser):
    parser.addoption("--target", choices=("embedded", "localstack"),
                     default=os.environ.get("PAYRAIL_TARGET") or "embedded",
                     help="local cloud target of the integration tests (default: $PAYRAIL_TARGET or embedded)")


@pytest.fixture(scope="session")
def cloud(tmp_path_factory, pytestconfig) -> dict:
    target = pytestconfig.getoption("--target")
    with process.local_cloud(Path(tmp_path_factory.mktemp("cloud")), settings=TEST_SETTINGS, target=target) as desc:
        os.environ.update(desc["client_env"])
        from payrail.core import ddb

        ddb.client.cache_clear()  # a client an earlier (unit) test made would point elsewhere
        yield desc


@pytest.fixture
def function_env(cloud, monkeypatch) -> dict:
    """This process gets the environment the cloud's functions run with (to run a handler here)."""
    for k, v in cloud["function_env"].items():
        monkeypatch.setenv(k, v)
    return cloud["function_env"]


@pytest.fixture
def handler(function_env):
    """``handler(fn_id, event)`` runs that function's real handler here, in a fresh execution
    environment, with the cloud's function environment; returns what the handler returns."""
    from infra import catalog
    from infra.local.runtime import LambdaContext, load_handler

    def invoke(fn_id: str, event: dict):
        fn = catalog.FUNCTIONS[fn_id]
        return load_handler(fn, instance=1000 + uuid.uuid4().int % 10**6)(event, LambdaContext(fn, fn.name))
    return invoke


@pytest.fixture
def fulfilment_mode(cloud):
    """``fulfilment_mode(mode, delay_seconds=3.0)`` switches the fulfilment stand-in; back to ok afterwards."""
    import requests

    def set_mode(mode, delay_seconds=3.0):
        requests.post(cloud["fulfilment_url"] + "/_control", json={"mode": mode, "delay_seconds": delay_seconds},
                      timeout=5).raise_for_status()
    yield set_mode
    set_mode("ok")


@pytest.fixture(scope="session")
def admin(cloud) -> Payrail:
    return Payrail(cloud["api_url"], admin_token=cloud["admin_token"], pool=128)


@pytest.fixture
def merchant(admin) -> tuple[Payrail, str]:
    """A fresh merchant: ``(client, merchant_id)``."""
    m = admin.create_merchant(f"test-{uuid.uuid4().hex[:6]}", fee_bps=290)
    return admin.as_merchant(m["api_key"]), m["merchant"]["merchant_id"]


def fulfilled_order(admin: Payrail, client: Payrail, merchant_id: str, price: int) -> dict:
    """Fund a new customer, sell them one unit at ``price`` and wait until the order is FULFILLED."""
    from infra.tools.client import wait_for

    customer = f"buyer-{uuid.uuid4().hex[:8]}"
    admin.credit(merchant_id, customer, 2 * price)
    product = client.create_product("item", price, 1)
    order = client.order(product["product_id"], customer)
    return wait_for(lambda: (o := client.get_order(order["order_id"]))["status"] == "FULFILLED" and o)


@pytest.fixture(scope="session")
def platform(cloud):
    """The domain objects wired to the session's local cloud (tests call the domain directly)."""
    from payrail.platform import Platform
    from payrail.core.settings import Settings

    return Platform(Settings.from_env(cloud["function_env"]))


def pytest_collection_modifyitems(items):
    for item in items:
        if "cloud" in getattr(item, "fixturenames", ()) or any(
                f in getattr(item, "fixturenames", ()) for f in ("admin", "merchant", "platform")):
            item.add_marker(pytest.mark.cloud)


def quiet_audit(ledger, timeout: float = 90) -> dict:
    """``payrail.core.ledger.audit`` once it comes out clean, or the last report after ``timeout``
    seconds. The session's ledger is shared: another test's journal may be half-read by a scan
    that takes seconds (its account moved after the scan read it); a real inconsistency stays,
    so the last report then shows it."""
    import time

    from payrail.core.ledger import audit

    deadline = time.monotonic() + timeout
    while True:
        report = audit(ledger)
        if report["ok"] or time.monotonic() > deadline:
            return report
        time.sleep(2)


def reconciliation_break(admin, cloud) -> tuple[dict, dict]:
    """A new merchant's day at Cashfree with one break: a payout paid, and one payrail released
    that the provider then pays (paid_after_release); the stand-in's settlement file of the day is
    put into the inbox (its run starts by itself). ``(paid payout, released payout)``."""
    from datetime import datetime, timezone

    from infra.tools.client import wait_for
    from infra.tools.demo_reconciliation import ON_HOLD, UPI_OK, pay_after_release, start_run

    m = admin.create_merchant("Reconciled Merchant", fee_bps=100)
    client, mid = admin.as_merchant(m["api_key"]), m["merchant"]["merchant_id"]
    admin.top_up(mid, 1_000_000, "INR")
    paid = client.payout(5_000, UPI_OK, currency="INR")
    held = client.payout(7_000, ON_HOLD, currency="INR")
    wait_for(lambda: client.get_payout(paid["payout_id"])["status"] == "SUCCEEDED", 60, 0.3, what="paid")
    wait_for(lambda: client.get_payout(held["payout_id"])["status"] == "ON_HOLD", 60, 0.3, what="on hold")
    admin.decide_payout(mid, held["payout_id"], "reject", "the beneficiary's bank confirmed it will not pay")
    released = wait_for(lambda: (p := client.get_payout(held["payout_id"]))["status"] == "FAILED" and p, 30, 0.3,
                        what="released")
    pay_after_release(cloud, released["provider_key"])
    start_run(admin, cloud, "cashfree", datetime.now(timezone.utc).date().isoformat())
    return paid, released
