"""The connector contract: what every registered connector does against its provider's stand-in
(the one the local cloud runs, ``infra.local.standins.STANDINS``, started here in-process on a
free port). Parametrised over ``registry.REGISTRY``: a connector is covered by being registered,
with its stand-in declaring the inputs (``Contract``) — an account paid at once, one that fails,
one left open, one whose outcome is unknown, one refused, and how the provider carries amounts.

Per connector: submit and status agree; a resubmission never creates a second transfer; a
refusal creates nothing; an unknown outcome is never a failure and a status lookup then tells;
a provider that is down or never reached is unavailable to reads; a genuine callback is read,
a forged, unsigned, malformed, stale or non-JSON one is refused (401 at the callback receiver);
amounts cross the wire exactly."""
from __future__ import annotations

import time
import uuid
from decimal import Decimal

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
