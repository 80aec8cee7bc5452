"""The Ghana mobile-money connectors against their stand-ins (in process, no cloud): every
scenario by the number's last digit, idempotent resubmission, reversal, balance, callbacks, and
the phone rules (phonenumbers: E.164 / national, network detection, porting)."""
import time

import pytest
import requests

from infra.local.process import free_port
from infra.local.standins import STANDINS
from payrail.providers import registry
from payrail.providers.connectors.base import (INSUFFICIENT_FLOAT, CallbackRejected, MobileWallet, OutcomeUnknown,
                                     ProviderStatus, TransferRejected, TransferRequest)
from payrail.providers.connectors.ghana import parse_recipient
from payrail.core.errors import ValidationFailed

MOMO = ("mtn_momo", "airteltigo", "telecel")
NUMBERS = {"mtn_momo": "+23324123450", "airteltigo": "+23327123450", "telecel": "+23320123450"}


@pytest.fixture(scope="module")
def momo(tmp_path_factory):
    """name -> (connector, stand-in state, callbacks received)"""
    out, servers = {}, []
    for name in MOMO:
        s = STANDINS[name]
        port = free_port()
        server, state = s.serve("127.0.0.1", port, tmp_path_factory.mktemp(name), dict(s.credentials))
        servers.append(server)
        conn = registry.build(name, {"base_url": f"http://127.0.0.1:{port}{s.base_path}", "timeout_seconds": 1.5,
                                     **s.credentials})
        out[name] = (conn, state)
    yield out
    for server in servers:
        server.shutdown()


def request(name: str, digit: str, tid: str, amount: int = 1250) -> TransferRequest:
    return TransferRequest(transfer_id=tid, amount=amount, currency="GHS",
                           beneficiary=MobileWallet(wallet_code="momo", msisdn=NUMBERS[name] + digit, name="Ama"))


@pytest.mark.parametrize("name", MOMO)
def test_scenarios_by_last_digit(momo, name):
    conn, state = momo[name]
    tag = f"{name}-{time.time_ns()}"
    ok = conn.submit(request(name, "1", f"{tag}-1"))
    assert ok.status == ProviderStatus.SUCCESS and ok.provider_reference
    assert conn.submit(request(name, "1", f"{tag}-1")).status == ProviderStatus.SUCCESS  # idempotent
    assert len([t for t in state.store.all("transfer") if t["key"] == conn.transfer_key(f"{tag}-1")]) == 1

    pending = conn.submit(request(name, "2", f"{tag}-2"))
    assert pending.status == ProviderStatus.PENDING
    time.sleep(2.2)
    assert conn.status(f"{tag}-2").status == ProviderStatus.SUCCESS

    failed = conn.submit(request(name, "3", f"{tag}-3"))
    assert failed.status == ProviderStatus.FAILED and failed.reason and failed.failure_code is None

    with pytest.raises(OutcomeUnknown):
        conn.submit(request(name, "4", f"{tag}-4"))
    assert conn.status(f"{tag}-4").status == ProviderStatus.PENDING  # created; the answer was lost

    try:
        no_float = conn.submit(request(name, "5", f"{tag}-5"))
        assert no_float.status == ProviderStatus.FAILED and no_float.failure_code == INSUFFICIENT_FLOAT
    except TransferRejected as e:
        assert e.code == INSUFFICIENT_FLOAT
        assert conn.status(f"{tag}-5").status == ProviderStatus.NOT_FOUND  # nothing created
    assert conn.status(f"{tag}-never").status == ProviderStatus.NOT_FOUND
    other = next(n for n in MOMO if n != name)  # an off-net number ending in 5: this provider has float for it
    off = conn.submit(TransferRequest(transfer_id=f"{tag}-6", amount=100, currency="GHS", beneficiary=MobileWallet(
        wallet_code="momo", msisdn=NUMBERS[other] + "5", name="Kofi")))
    assert off.status == ProviderStatus.SUCCESS


@pytest.mark.parametrize("name", MOMO)
def test_reversal_and_balance(momo, name):
    conn, _ = momo[name]
    tid = f"{name}-rev-{time.time_ns()}"
    conn.submit(request(name, "1", tid, 5000))
    r = conn.reverse(tid, tid + "-refund", 5000)
    assert r.status == ProviderStatus.SUCCESS
    assert conn.reversal_status(tid + "-refund").status == ProviderStatus.SUCCESS
    assert conn.reverse(tid, tid + "-refund", 5000).status == ProviderStatus.SUCCESS  # same key: same reversal
    failed = f"{name}-revf-{time.time_ns()}"
    conn.submit(request(name, "3", failed))
    with pytest.raises(TransferRejected):
        conn.reverse(failed, failed + "-refund", 1250)
    assert conn.balance() == 100_000_000


@pytest.mark.parametrize("name", MOMO)
def test_callbacks_are_hints_and_signed_where_the_provider_signs(momo, name):
    conn, state = momo[name]
    tid = f"{name}-cb-{time.time_ns()}"
    conn.submit(request(name, "3", tid))
    t = state.store.get("transfer", conn.transfer_key(tid))
    headers, body = state.signed_callback(t)
    hint = conn.parse_callback(headers, body, time.time())
    assert hint.transfer_key == conn.transfer_key(tid) and hint.status == ProviderStatus.FAILED
    if name != "mtn_momo":  # MTN does not sign: its callbacks are only hints, confirmed with status()
        with pytest.raises(CallbackRejected):
            conn.parse_callback(headers, body.replace(b"T", b"S", 1), time.time())
        with pytest.raises(CallbackRejected):
            conn.parse_callback({}, body, time.time())
    with pytest.raises(CallbackRejected):
        conn.parse_callback(headers, b"not json", time.time())


def test_credentials_are_checked(momo):
    conn, state = momo["mtn_momo"]
    r = requests.post(conn.http.base + "/disbursement/token/", headers={"Ocp-Apim-Subscription-Key": "wrong"}, timeout=5)
    assert r.status_code == 401


@pytest.mark.parametrize("phone,network,source", [
    ("0241234561", "MTN", "detected"), ("+233241234561", "MTN", "detected"), ("0541234561", "MTN", "detected"),
    ("0271234561", "AT", "detected"), ("0261234561", "AT", "detected"), ("0201234561", "TELECEL", "detected"),
    ("+233501234561", "TELECEL", "detected")])
def test_ghana_numbers_and_networks(phone, network, source):
    r = parse_recipient(phone)
    assert (r.network, r.source, r.ported) == (network, source, False)
    assert r.phone.startswith("+233") and len(r.phone) == 13


def test_porting_and_refusals():
    ported = parse_recipient("0201234561", network="MTN")
    assert (ported.network, ported.detected, ported.source, ported.ported) == ("MTN", "TELECEL", "explicit", True)
    assert parse_recipient("0241234561", network="MTN").ported is False
    for bad in ("12345", "+923001234567", "0302123456", "not a number", "0281234561"):
        with pytest.raises(ValidationFailed) as e:
            parse_recipient(bad)
        assert e.value.param == "recipient.phone"
    with pytest.raises(ValidationFailed) as e:
        parse_recipient("0241234561", network="ORANGE")
    assert e.value.param == "recipient.network"
