"""The Ghana mobile-money connectors against their stand-ins (in process, no cloud), beyond the
connector contract every connector meets (test_connector_contract.py): a pending disbursement
settling, float by network (on-net refusals, MTN's failed transfer, off-net payment), reversal,
balance, credentials, and the phone rules (phonenumbers: E.164 / national, network detection,
porting)."""
import time

import pytest
import requests

from infra.local.process import free_port
from infra.local.standins import STANDINS
from payrail.providers import registry
from payrail.providers.connectors.base import (INSUFFICIENT_FLOAT, MobileWallet, ProviderStatus, TransferRejected,
                                               TransferRequest)
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
def test_a_pending_disbursement_settles_and_float_is_per_network(momo, name):
    conn, state = momo[name]
    tag = f"{name}-{time.time_ns()}"
    pending = conn.submit(request(name, "2", f"{tag}-2"))
    assert pending.status == ProviderStatus.PENDING
    time.sleep(2.2)
    assert conn.status(f"{tag}-2").status == ProviderStatus.SUCCESS

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
