"""The connector contract: what every registered connector does against its provider's stand-in
(the one the local cloud runs, ``infra.local.standins.STANDINS``, started here in-process on a
free port). Parametrised over ``registry.REGISTRY``: a connector is covered by being registered,
with its stand-in declaring the inputs (``Contract``) — an account paid at once, one that fails,
one left open, one whose outcome is unknown, one refused, and how the provider carries amounts.

Per connector: submit and status agree; a resubmission never creates a second transfer; a
refusal creates nothing; an unknown outcome is never a failure and a status lookup then tells;
a provider that is down or never reached is unavailable to reads; a genuine callback is read,
a forged, unsigned, malformed, stale or non-JSON one is refused (401 at the callback receiver);
amounts cross the wire exactly. Reconciliation: the source the registry names for it (its statement
API, its status lookup) and its settlement file report a paid and a failed transfer as they are, and
each break the stand-in's back office makes changes what they report."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, time as dtime, timedelta, timezone
from decimal import Decimal
from typing import get_args

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from infra.local.process import free_port
from infra.local.standins import STANDINS
from payrail.core.errors import Unauthorized
from payrail.providers import registry
from payrail.providers.callbacks import Callbacks
from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackRejected, ConnectorUnavailable, OutcomeUnknown, ProviderStatus,
                                               TransferRejected, TransferRequest)
from payrail.providers.statements import ProviderRecord, StatementConnector, StatementSource, from_status, map_back

HOST = "127.0.0.1"
AMOUNT = 123_45
NAMES = list(registry.REGISTRY)


class Provider:
    """A connector's stand-in (its ``state``) and the connector pointed at it; ``contract`` the
    stand-in's declared inputs."""

    def __init__(self, name: str, data_dir):
        self.name, self.standin = name, STANDINS[name]
        self.contract = self.standin.contract
        self.port = free_port()
        self.server, self.state = self.standin.serve(HOST, self.port, data_dir, dict(self.standin.credentials))
        self.connector = self.build(f"http://{HOST}:{self.port}{self.standin.base_path}")

    def build(self, base_url: str):
        return registry.build(self.name, {"base_url": base_url, "timeout_seconds": 1.0, "connect_timeout_seconds": 1,
                                          **self.standin.credentials})

    def request(self, beneficiary: dict, amount: int = AMOUNT, transfer_id: str | None = None) -> TransferRequest:
        return TransferRequest(transfer_id=transfer_id or f"ct_{uuid.uuid4().hex[:20]}", amount=amount,
                               currency=self.contract.currency, beneficiary=beneficiary)

    def transfers(self) -> int:
        return self.stats()["transfers"]

    def stats(self) -> dict:
        return requests.get(f"http://{HOST}:{self.port}/_stats", timeout=5).json()

    def mode(self, mode: str) -> None:
        requests.post(f"http://{HOST}:{self.port}/_control", json={"mode": mode, "methods": []},
                      timeout=5).raise_for_status()

    def control(self, path: str, **kwargs) -> requests.Response:
        return requests.request("POST" if "json" in kwargs else "GET", f"http://{HOST}:{self.port}/_control/{path}",
                                timeout=5, **kwargs)

    def stop(self) -> None:
        self.mode("ok")
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module", params=NAMES)
def provider(request, tmp_path_factory):
    p = Provider(request.param, tmp_path_factory.mktemp(request.param))
    yield p
    p.stop()


def test_every_registered_connector_has_a_stand_in_with_a_contract():
    assert set(STANDINS) == set(registry.REGISTRY)


# -- submit and status -------------------------------------------------------------------------
def test_a_paid_transfer_reads_back_the_same(provider):
    req = provider.request(provider.contract.paid)
    result = provider.connector.submit(req)
    assert result.status == ProviderStatus.SUCCESS and result.final and result.provider_reference
    assert result.reason is None and result.failure_code is None
    looked_up = provider.connector.status(req.transfer_id)
    assert (looked_up.status, looked_up.provider_reference, looked_up.amount) == \
        (ProviderStatus.SUCCESS, result.provider_reference, result.amount)
    if provider.contract.reports_amount:
        assert result.amount == looked_up.amount == AMOUNT


def test_a_failed_transfer_carries_the_providers_reason(provider):
    req = provider.request(provider.contract.failed)
    result = provider.connector.submit(req)
    assert (result.status, result.reason, result.failure_code) == \
        (ProviderStatus.FAILED, provider.contract.fail_reason, None)
    assert result.provider_reference
    looked_up = provider.connector.status(req.transfer_id)
    assert (looked_up.status, looked_up.reason, looked_up.provider_reference) == \
        (ProviderStatus.FAILED, provider.contract.fail_reason, result.provider_reference)
    if provider.contract.reports_amount:
        assert result.amount == looked_up.amount == AMOUNT


def test_an_open_transfer_is_pending_not_final(provider):
    result = provider.connector.submit(provider.request(provider.contract.pending))
    assert result.status == ProviderStatus.PENDING and not result.final and result.provider_reference


def test_a_transfer_never_sent_is_not_found(provider):
    assert provider.connector.status(f"ct_never_{uuid.uuid4().hex[:12]}").status == ProviderStatus.NOT_FOUND


# -- idempotency, refusal, unknown outcome -----------------------------------------------------
def test_resubmitting_a_transfer_id_never_creates_a_second_transfer(provider):
    req = provider.request(provider.contract.paid)
    before = provider.transfers()
    first = provider.connector.submit(req)
    again = provider.connector.submit(req)
    assert (again.status, again.provider_reference) == (ProviderStatus.SUCCESS, first.provider_reference)
    assert provider.transfers() == before + 1
    assert provider.state.received_amount(provider.connector.transfer_key(req.transfer_id)) is not None


def test_a_refusal_creates_nothing(provider):
    c = provider.contract
    req = provider.request(c.refused, amount=c.refused_amount or AMOUNT)
    before = provider.transfers()
    with pytest.raises(TransferRejected) as e:
        provider.connector.submit(req)
    assert e.value.code == c.refused_code
    assert provider.transfers() == before
    assert provider.connector.status(req.transfer_id).status == ProviderStatus.NOT_FOUND


def test_an_unknown_outcome_is_not_a_failure_and_a_lookup_tells(provider):
    c = provider.contract
    req = provider.request(c.unknown)
    before = provider.transfers()
    with pytest.raises(OutcomeUnknown):
        provider.connector.submit(req)
    assert provider.connector.status(req.transfer_id).status == ProviderStatus(c.after_unknown)
    assert provider.connector.submit(req).status == ProviderStatus(c.resubmitted)
    assert provider.connector.submit(req).status == ProviderStatus(c.resubmitted)
    assert provider.transfers() == before + 1


def test_a_failing_provider_is_an_unknown_outcome_to_a_submission_and_unavailable_to_a_read(provider):
    req = provider.request(provider.contract.paid)
    assert provider.connector.status(req.transfer_id).status == ProviderStatus.NOT_FOUND  # signed in, tokens cached
    provider.mode("failing")
    try:
        with pytest.raises(OutcomeUnknown):  # a 5xx to a creation: the connector cannot know
            provider.connector.submit(req)
        with pytest.raises(ConnectorUnavailable):
            provider.connector.status(req.transfer_id)
    finally:
        provider.mode("ok")
    assert provider.connector.status(req.transfer_id).status == ProviderStatus.NOT_FOUND  # nothing was done
    assert provider.connector.submit(req).status == ProviderStatus.SUCCESS


def test_a_provider_never_reached_is_unavailable(provider):
    dead = provider.build(f"http://{HOST}:{free_port()}{provider.standin.base_path}")
    req = provider.request(provider.contract.paid)
    calls = [lambda: dead.submit(req), lambda: dead.status(req.transfer_id)]
    if dead.capabilities.verifies_accounts:
        calls.append(lambda: dead.verify(req.beneficiary))
    for call in calls:
        with pytest.raises(ConnectorUnavailable):
            call()


# -- callbacks ---------------------------------------------------------------------------------
def _callback(provider):
    """The provider's own callback about a FAILED transfer: ``(key, headers, raw body)``."""
    req = provider.request(provider.contract.failed)
    provider.connector.submit(req)
    key = provider.connector.transfer_key(req.transfer_id)
    headers, body = provider.state.signed_callback(provider.state.store.get("transfer", key))
    return key, headers, body


def _receiver(provider) -> Callbacks:
    """The callback receiver of the API (``POST /v1/callbacks/{connector}``) with no transfers on file."""
    class Main:
        @staticmethod
        def by_provider_key(key):
            return []

    class Providers:
        @staticmethod
        def configured(name):
            return name == provider.name

        @staticmethod
        def get(name):
            return provider.connector

    return Callbacks(Main(), Providers(), {})


def test_a_genuine_callback_is_read_as_a_hint(provider):
    key, headers, body = _callback(provider)
    hint = provider.connector.parse_callback(headers, body, time.time())
    assert (hint.transfer_key, hint.status, hint.reason) == (key, ProviderStatus.FAILED, provider.contract.fail_reason)
    answer = _receiver(provider).receive(provider.name, headers, body, time.time())
    assert answer["received"] is True and answer["outcome"] == "unknown_transfer"


def test_a_forged_callback_is_refused_with_401(provider):
    _, headers, body = _callback(provider)
    forged = body.replace(b"}", b" }", 1)  # any change to the signed bytes
    conn = provider.connector
    if not conn.callback_headers:  # a provider that signs nothing: its callbacks are only hints, confirmed by status()
        assert provider.state.sign_callback(body) == {}
        assert conn.parse_callback(headers, forged, time.time()).status == ProviderStatus.FAILED
        return
    other = provider.state.sign_callback(body + b" ")  # signed, but for other bytes
    for h, b in ((headers, forged), ({**headers, **other}, body)):
        with pytest.raises(CallbackRejected):
            conn.parse_callback(h, b, time.time())
        with pytest.raises(Unauthorized) as e:
            _receiver(provider).receive(provider.name, h, b, time.time())
        assert (e.value.status, e.value.code) == (401, "callback_rejected")


@pytest.mark.parametrize("value", ["", " ", "²" * 64, "x" * 2000, "t=,v1=", "\x00"])
def test_malformed_or_missing_signature_headers_are_refused(provider, value):
    _, headers, body = _callback(provider)
    conn = provider.connector
    names = {n.lower() for n in conn.callback_headers}
    for name in conn.callback_headers:
        with pytest.raises(CallbackRejected):
            conn.parse_callback({**{k: v for k, v in headers.items() if k.lower() != name.lower()}, name: value},
                                body, time.time())
    if names:
        with pytest.raises(CallbackRejected):
            conn.parse_callback({k: v for k, v in headers.items() if k.lower() not in names}, body, time.time())


def test_a_stale_callback_is_refused_where_the_provider_signs_its_time(provider):
    tolerance = getattr(provider.connector.settings, "callback_tolerance_seconds", None)
    if tolerance is None:  # the provider signs no time: its signature is the same whenever it is sent
        assert provider.state.sign_callback(b"{}", 0) == provider.state.sign_callback(b"{}", time.time())
        return
    _, _, body = _callback(provider)
    now = time.time()
    assert provider.connector.parse_callback(provider.state.sign_callback(body, now), body, now)
    with pytest.raises(CallbackRejected):
        provider.connector.parse_callback(provider.state.sign_callback(body, now - tolerance - 5), body, now)


def test_a_signed_body_that_is_not_json_is_refused(provider):
    for body in (b"not json", b"", b"[]", b"null"):
        with pytest.raises(CallbackRejected):
            provider.connector.parse_callback(provider.state.sign_callback(body), body, time.time())


# -- exact amounts -----------------------------------------------------------------------------
@given(data=st.data())
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_amounts_cross_the_wire_exactly(provider, data):
    c = provider.contract
    amount = data.draw(st.integers(min_value=c.min_amount, max_value=10**12) | st.sampled_from(
        [c.min_amount, 100, 150_00, 200_00, 10**12]))
    req = provider.request(c.paid, amount=amount)
    result = provider.connector.submit(req)
    assert result.status == ProviderStatus.SUCCESS
    received = provider.state.received_amount(provider.connector.transfer_key(req.transfer_id))
    assert received == c.amount_text(amount)  # as the provider's API carried it
    assert Decimal(received) == amounts.to_major(amount, c.currency)
    if c.reports_amount:
        assert result.amount == amount and provider.connector.status(req.transfer_id).amount == amount


# -- reconciliation: what the provider's sources report ------------------------------------------
def _day_of(provider, req: TransferRequest):
    """The UTC day the stand-in booked ``req`` on."""
    key = provider.connector.transfer_key(req.transfer_id)
    t = provider.state.store.get("transfer", key)
    return provider.state.booked_at(t).date()


def _file(provider, day) -> list[ProviderRecord]:
    r = provider.control("settlement_file", params={"day": day.isoformat()})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv"
    return list(provider.connector.parse_statement_file(r.text.splitlines()))


def _sources(provider, reqs: list[TransferRequest], day) -> dict[str, dict[str, ProviderRecord | None]]:
    """``source -> transfer id -> record (None: not reported)`` for every source the connector has:
    its settlement file of ``day``, and its registry source (statement over ``day``, or status lookups)."""
    conn, source = provider.connector, registry.REGISTRY[provider.name].statement
    keys = {conn.transfer_key(r.transfer_id): r.transfer_id for r in reqs}
    start = datetime.combine(day, dtime(0), timezone.utc)
    found = {"settlement_file": list(map_back(_file(provider, day), keys))}
    if source == "list_api":
        found["list_api"] = list(map_back(conn.statement(start, start + timedelta(days=1)), keys))
    elif source == "status_lookup":
        found["status_lookup"] = [rec for r in reqs if (rec := from_status(
            provider.name, conn.status(r.transfer_id), provider.contract.currency, start + timedelta(hours=12),
            transfer_key=conn.transfer_key(r.transfer_id), amount=r.amount)) is not None]
    return {name: {r.transfer_id: next((rec for rec in records if rec.transfer_id == r.transfer_id), None)
                   for r in reqs} for name, records in found.items()}


def _paid_and_failed(provider) -> tuple[TransferRequest, TransferRequest]:
    paid, failed = provider.request(provider.contract.paid), provider.request(provider.contract.failed)
    assert provider.connector.submit(paid).status == ProviderStatus.SUCCESS
    assert provider.connector.submit(failed).status == ProviderStatus.FAILED
    return paid, failed


def test_the_registry_names_a_source_the_connector_offers(provider):
    source = registry.REGISTRY[provider.name].statement
    assert source in get_args(StatementSource)
    assert isinstance(provider.connector, StatementConnector)
    now = datetime.now(timezone.utc)
    if source == "list_api":
        list(provider.connector.statement(now - timedelta(hours=1), now))
    else:  # no statement API to page through
        with pytest.raises(NotImplementedError):
            list(provider.connector.statement(now - timedelta(hours=1), now))


def test_every_source_reports_a_paid_and_a_failed_transfer_as_they_are(provider):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    paid, failed = _paid_and_failed(provider)
    after = datetime.now(timezone.utc)
    day = _day_of(provider, paid)
    sources = _sources(provider, [paid, failed], day)
    assert set(sources) == {"settlement_file", registry.REGISTRY[provider.name].statement}
    for name, records in sources.items():
        for req, status in ((paid, "SUCCESS"), (failed, "FAILED")):
            rec = records[req.transfer_id]
            assert rec is not None, (name, status)
            assert (rec.provider, rec.kind, rec.amount, rec.currency, rec.status) == \
                (provider.name, "transfer", AMOUNT, provider.contract.currency, status), name
            assert rec.transfer_key == provider.connector.transfer_key(req.transfer_id)
            assert type(rec.amount) is int and rec.booked_at.tzinfo is not None
            if name != "status_lookup":  # a lookup names no booking time: the run's own is used
                assert before <= rec.booked_at <= after and rec.booked_at.date() == day


def test_a_window_before_the_day_lists_nothing_of_it(provider):
    paid, _ = _paid_and_failed(provider)
    day = _day_of(provider, paid)
    key = provider.connector.transfer_key(paid.transfer_id)
    assert key in {r.transfer_key for r in _file(provider, day)}
    assert key not in {r.transfer_key for r in _file(provider, day - timedelta(days=1))}
    if registry.REGISTRY[provider.name].statement == "list_api":
        start = datetime.combine(day, dtime(0), timezone.utc)
        assert key not in {r.transfer_key for r in provider.connector.statement(start - timedelta(days=1), start)}


def test_a_reversal_is_reported_as_one(provider):
    conn = provider.connector
    if not conn.capabilities.supports_reversal:
        return
    paid = provider.request(provider.contract.paid)
    assert conn.submit(paid).status == ProviderStatus.SUCCESS
    reversal_id = paid.transfer_id + "_rev"
    assert conn.reverse(paid.transfer_id, reversal_id, AMOUNT).status == ProviderStatus.SUCCESS
    key, transfer_key = conn.transfer_key(reversal_id), conn.transfer_key(paid.transfer_id)
    day = provider.state.booked_at(provider.state.store.get("reversal", key)).date()
    records = list(map_back(_file(provider, day), {key: reversal_id, transfer_key: paid.transfer_id}))
    if registry.REGISTRY[provider.name].statement == "status_lookup":
        records.append(from_status(provider.name, conn.reversal_status(reversal_id), "GHS", datetime.now(timezone.utc),
                                   transfer_key=key, amount=AMOUNT, kind="reversal"))
    reversals = [r for r in records if r.transfer_key == key]
    assert reversals and all((r.kind, r.transfer_id, r.amount, r.status) == ("reversal", reversal_id, AMOUNT, "SUCCESS")
                             for r in reversals)
    assert reversals[0].reverses == transfer_key  # the file's row names the transfer it reverses
    assert [r.kind for r in records if r.transfer_key == transfer_key] == ["transfer"]


BREAKS = ("pay_released", "drop", "amount", "next_day")


@pytest.mark.parametrize("kind", BREAKS)
def test_each_break_changes_what_the_sources_report(provider, kind):
    paid, failed = _paid_and_failed(provider)
    day = _day_of(provider, paid)
    target = failed if kind == "pay_released" else paid
    key = provider.connector.transfer_key(target.transfer_id)
    r = provider.control("breaks", json={"kind": kind, "key": key, "amount": AMOUNT + 1})
    assert r.status_code == 200, r.text
    today = _sources(provider, [paid, failed], day)
    untouched = failed if target is paid else paid
    for name, records in today.items():
        other = records[untouched.transfer_id]
        assert other is not None and other.amount == AMOUNT, name  # a break touches one transfer only
        rec = records[target.transfer_id]
        if kind == "pay_released":
            assert rec is not None and rec.status == "SUCCESS", name
        elif kind == "drop":
            assert rec is None, name
        elif kind == "amount":
            assert rec is not None and (rec.amount, rec.status) == (AMOUNT + 1, "SUCCESS"), name
        elif name == "status_lookup":  # next_day: a lookup still finds it paid
            assert rec is not None and rec.status == "SUCCESS"
        else:  # next_day: gone from the day, booked one second after its midnight
            assert rec is None, name
    if kind == "drop":
        assert provider.connector.status(target.transfer_id).status == ProviderStatus.NOT_FOUND
    if kind == "pay_released":
        assert provider.connector.status(target.transfer_id).status == ProviderStatus.SUCCESS
    if kind == "next_day":
        tomorrow = _sources(provider, [paid], day + timedelta(days=1))
        midnight = datetime.combine(day + timedelta(days=1), dtime(0), timezone.utc)
        for name, records in tomorrow.items():
            rec = records[paid.transfer_id]
            assert rec is not None and rec.status == "SUCCESS", name
            if name != "status_lookup":
                assert rec.booked_at == midnight + timedelta(seconds=1), name


def test_float_drift_moves_the_balance_a_mobile_money_provider_reports(provider):
    conn = provider.connector
    if not hasattr(conn, "balance"):  # no float at the provider: the control says so
        r = provider.control("breaks", json={"kind": "float_drift", "amount": 100})
        assert r.status_code == 400
        return
    before = conn.balance()
    assert provider.control("breaks", json={"kind": "float_drift", "amount": -250}).status_code == 200
    assert conn.balance() == before - 250
    assert provider.control("breaks", json={"kind": "float_drift", "amount": 250}).status_code == 200
    assert conn.balance() == before


@pytest.mark.parametrize("body, status", [
    ({"kind": "explode", "key": "x"}, 400), ({"kind": "amount", "key": "x", "amount": True}, 400),
    ({"kind": "amount", "key": "x", "amount": 1.5}, 400), ({"kind": "amount", "key": "x", "amount": "100"}, 400),
    ({"kind": "drop", "key": "no-such-transfer"}, 404), ({"kind": "drop"}, 400)])
def test_a_bad_break_is_refused_and_changes_nothing(provider, body, status):
    before = provider.transfers()
    assert provider.control("breaks", json=body).status_code == status
    assert provider.transfers() == before


def test_paying_a_paid_transfer_is_a_conflict(provider):
    paid, _ = _paid_and_failed(provider)
    r = provider.control("breaks", json={"kind": "pay_released", "key": provider.connector.transfer_key(paid.transfer_id)})
    assert r.status_code == 409


def test_a_settlement_file_needs_a_day(provider):
    assert provider.control("settlement_file", params={"day": "yesterday"}).status_code == 400


def test_a_float_set_to_track_transfers_moves_with_payments_and_reversals(provider):
    conn = provider.connector
    if not hasattr(conn, "balance"):
        assert provider.control("float", json={"balance": 100}).status_code == 400
        return
    assert conn.submit(provider.request(provider.contract.paid)).status == ProviderStatus.SUCCESS  # paid before: in the base
    assert provider.control("float", json={"balance": 1_000_00, "tracks_transfers": True}).status_code == 200
    paid, failed = _paid_and_failed(provider)
    assert conn.balance() == 1_000_00 - AMOUNT  # a failed transfer moves nothing
    conn.reverse(paid.transfer_id, paid.transfer_id + "_rev", AMOUNT)
    assert conn.balance() == 1_000_00
    assert provider.control("breaks", json={"kind": "float_drift", "amount": 7}).status_code == 200
    assert conn.balance() == 1_000_00 + 7
    assert provider.control("float", json={"balance": 1_000_00, "tracks_transfers": "yes"}).status_code == 400
    assert provider.control("float", json={"balance": 1.5}).status_code == 400
    assert provider.control("float", json={"balance": 100_000_000}).status_code == 200  # back to a fixed float
    assert conn.balance() == 100_000_000


def test_a_statement_of_a_provider_down_or_never_reached_is_unavailable(provider):
    if registry.REGISTRY[provider.name].statement != "list_api":
        return
    now = datetime.now(timezone.utc)
    dead = provider.build(f"http://{HOST}:{free_port()}{provider.standin.base_path}")
    with pytest.raises(ConnectorUnavailable):
        list(dead.statement(now - timedelta(days=1), now))
    provider.mode("failing")
    try:
        with pytest.raises(ConnectorUnavailable):
            list(provider.connector.statement(now - timedelta(days=1), now))
    finally:
        provider.mode("ok")
    with pytest.raises(ValueError):
        list(provider.connector.statement(now, now))


def test_a_statement_pages_through_every_payout_of_its_window(provider):
    if registry.REGISTRY[provider.name].statement != "list_api":
        return
    from payrail.providers.connectors.safepay import connector as safepay
    reqs = [provider.request(provider.contract.paid, amount=100 + i) for i in range(5)]
    for req in reqs:
        provider.connector.submit(req)
    day = _day_of(provider, reqs[0])
    start = datetime.combine(day, dtime(0), timezone.utc)
    size, safepay.PAGE_SIZE = safepay.PAGE_SIZE, 2  # pages of two: the five need three pages at least
    try:
        before = provider.stats()["requests"]
        listed = list(provider.connector.statement(start, start + timedelta(days=1)))
        pages = provider.stats()["requests"] - before
    finally:
        safepay.PAGE_SIZE = size
    keys = [r.transfer_key for r in listed]
    assert len(keys) == len(set(keys))  # no payout twice across pages
    found = {r.transfer_key: r.amount for r in listed}
    assert all(found[provider.connector.transfer_key(r.transfer_id)] == r.amount for r in reqs)
    assert pages >= 3 and pages == -(-provider.transfers() // 2)  # every payout of the stand-in is in the window
