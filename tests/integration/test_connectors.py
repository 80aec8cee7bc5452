"""Cashfree and Safepay against their local stand-ins, started in-process on a free port (no local
cloud), beyond the connector contract every connector meets (test_connector_contract.py): held
transfers, a repeated id with another amount, verification, restart persistence, a read timeout,
refused credentials, the caller's concurrency bound, callbacks delivered, and each provider's own
rules (Cashfree's sandbox VPAs and refusals, Safepay's wallets by Raast ID and IBANs)."""
from __future__ import annotations

import base64
import queue
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from schwifty import IBAN

from infra.local.httpserver import JsonHandler, serve
from infra.local.standins.cashfree import serve_cashfree
from infra.local.standins.safepay import serve_safepay
from payrail.providers import registry
from payrail.providers.connectors.base import (ConnectorUnavailable, OutcomeUnknown, ProviderStatus, TransferRejected,
                                               TransferRequest)
from payrail.providers.connectors.safepay.directory import BY_CODE

HOST = "127.0.0.1"
WEBHOOK_SECRET = base64.b64encode(b"test-webhook-secret").decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Receiver:
    """A callback receiver recording each request's headers and raw body."""

    def __init__(self):
        self.got: queue.Queue = queue.Queue()
        got = self.got

        class H(JsonHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                got.put((dict(self.headers.items()), raw))
                self.reply(200, {"ok": True})

        self.port = free_port()
        self.server = serve(HOST, self.port, H, "receiver", poll_interval=0.05)
        self.url = f"http://{HOST}:{self.port}/callbacks"

    def next(self, timeout: float = 5.0) -> tuple[dict, bytes]:
        return self.got.get(timeout=timeout)


@dataclass
class Harness:
    """A provider's stand-in and a connector pointed at it; ``ben(suffix)`` a beneficiary whose
    account ends in ``suffix``."""

    name: str
    data_dir: Path
    callback_url: str | None = None
    timeout_seconds: float = 2.0

    def __post_init__(self):
        self.start()

    def start(self):
        self.port = free_port()
        if self.name == "cashfree":
            self.server, self.state = serve_cashfree(HOST, self.port, self.data_dir, client_id="cid",
                                                     client_secret="csecret", callback_url=self.callback_url)
            self.connector = self.build(f"http://{HOST}:{self.port}")
        else:
            self.server, self.state = serve_safepay(HOST, self.port, self.data_dir, aggregator_id="agg_test",
                                                    secret_key="skey", webhook_secret_b64=WEBHOOK_SECRET,
                                                    callback_url=self.callback_url)
            self.connector = self.build(f"http://{HOST}:{self.port}/raastwire")

    def build(self, base_url: str, **overrides):
        creds = {"client_id": "cid", "client_secret": "csecret"} if self.name == "cashfree" else \
            {"aggregator_id": "agg_test", "secret_key": "skey", "webhook_secret": WEBHOOK_SECRET}
        return registry.build(self.name, {"base_url": base_url, "timeout_seconds": self.timeout_seconds,
                                          "connect_timeout_seconds": 1, **creds, **overrides})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def restart(self):
        self.stop()
        self.start()

    @property
    def currency(self) -> str:
        return "INR" if self.name == "cashfree" else "PKR"

    def ben(self, suffix: str, name: str = "Ayesha Khan") -> dict:
        if self.name == "cashfree":
            return {"rail": "bank_account", "bank_code": "HDFC0001234", "account_number": f"50100{suffix}", "name": name}
        return {"rail": "bank_account", "bank_code": "HBL", "account_number": f"1234567{suffix}", "name": name}

    def request(self, suffix: str = "0001", amount: int = 150_00, tid: str | None = None, ben: dict | None = None):
        return TransferRequest(transfer_id=tid or f"po_{uuid.uuid4().hex[:20]}", amount=amount,
                               currency=self.currency, beneficiary=ben or self.ben(suffix))

    def control(self, body: dict, path: str = "/_control") -> dict:
        r = requests.post(f"http://{HOST}:{self.port}{path}", json=body, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()

    def stats(self) -> dict:
        return requests.get(f"http://{HOST}:{self.port}/_stats", timeout=5).json()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(params=["cashfree", "safepay"])
def provider(request, tmp_path, receiver):
    h = Harness(request.param, tmp_path, callback_url=receiver.url)
    yield h
    h.control({"mode": "ok"})
    h.stop()


# -- the payout scenarios ----------------------------------------------------------------------
@pytest.mark.parametrize("suffix,status,reason", [
    ("0004", ProviderStatus.PENDING, None),
    ("0005", ProviderStatus.ON_HOLD, "Held for compliance review"),
])
def test_scenarios_by_account_suffix(provider, suffix, status, reason):
    req = provider.request(suffix, amount=123_45)
    result = provider.connector.submit(req)
    assert (result.status, result.reason, result.amount) == (status, reason, 123_45)
    assert result.provider_reference
    looked_up = provider.connector.status(req.transfer_id)
    assert (looked_up.status, looked_up.provider_reference, looked_up.amount) == (status, result.provider_reference, 123_45)


def test_resubmitting_a_transfer_id_never_creates_a_second_transfer(provider):
    req = provider.request("0001")
    first = provider.connector.submit(req)
    again = provider.connector.submit(req)
    assert again.provider_reference == first.provider_reference and again.status == ProviderStatus.SUCCESS
    with pytest.raises(TransferRejected) as e:  # same id, another amount: refused, nothing created
        provider.connector.submit(provider.request("0001", amount=req.amount + 1, tid=req.transfer_id))
    assert e.value.code == "transfer_id_conflict"
    stats = provider.stats()
    assert (stats["transfers"], stats["submissions"]) == (1, 3)


@pytest.mark.parametrize("suffix,valid,reason", [("0001", True, None), ("0003", False, "Account validation failed"),
                                                 ("0005", False, "Account is blocked")])
def test_verification(provider, suffix, valid, reason):
    v = provider.connector.verify(provider.request(suffix).beneficiary)
    assert (v.valid, v.reason) == (valid, reason)
    assert bool(v.account_title) == valid


def test_pending_and_held_transfers_resolve_later_with_a_signed_callback(provider, receiver):
    pending, held = provider.request("0004"), provider.request("0005")
    provider.connector.submit(pending)
    provider.connector.submit(held)
    assert receiver.got.empty()  # nothing final yet, no callback
    key = provider.connector.transfer_key
    provider.control({"status": "SUCCESS"}, f"/_control/transfers/{key(pending.transfer_id)}")
    provider.control({"status": "FAILED", "reason": "rejected by compliance"}, f"/_control/transfers/{key(held.transfer_id)}")
    hints = {}
    for _ in range(2):
        headers, raw = receiver.next()
        hint = provider.connector.parse_callback(headers, raw, time.time())
        hints[hint.transfer_key] = hint
    assert hints[key(pending.transfer_id)].status == ProviderStatus.SUCCESS
    assert (hints[key(held.transfer_id)].status, hints[key(held.transfer_id)].reason) == \
        (ProviderStatus.FAILED, "rejected by compliance")
    assert provider.connector.status(held.transfer_id).status == ProviderStatus.FAILED


# -- on disk -----------------------------------------------------------------------------------
def test_a_restarted_stand_in_remembers_every_transfer(provider):
    req = provider.request("0001")
    first = provider.connector.submit(req)
    provider.restart()  # a new server and state on the same data directory
    assert provider.connector.status(req.transfer_id).provider_reference == first.provider_reference
    assert provider.connector.submit(req).provider_reference == first.provider_reference
    assert provider.stats()["transfers"] == 1


# -- trouble -----------------------------------------------------------------------------------
def test_timeout_after_sending_is_an_unknown_outcome_not_a_failure(provider):
    provider.connector = provider.build(str(provider.connector.settings.base_url), timeout_seconds=0.3)
    provider.control({"mode": "timeout", "delay_seconds": 1.0})
    req = provider.request("0001")
    with pytest.raises(OutcomeUnknown):
        provider.connector.submit(req)
    provider.control({"mode": "ok"})
    assert provider.connector.status(req.transfer_id).status == ProviderStatus.SUCCESS  # the work was done


def test_wrong_credentials_are_unavailable_not_a_rejection(provider):
    bad = provider.build(str(provider.connector.settings.base_url),
                         **({"client_secret": "wrong"} if provider.name == "cashfree" else {"secret_key": "wrong"}))
    with pytest.raises(ConnectorUnavailable):
        bad.submit(provider.request("0001"))
    assert provider.stats()["transfers"] == 0


def test_slow_provider_shows_the_callers_concurrency_bound(provider):
    """Six transfers through a caller bounded at four: the stand-in saw at most four in flight,
    and every transfer exists exactly once."""
    provider.control({"mode": "slow", "delay_seconds": 0.4})
    reqs = [provider.request("0001") for _ in range(6)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(provider.connector.submit, reqs + reqs[:2]))  # two duplicates
    stats = provider.stats()
    assert all(r.status == ProviderStatus.SUCCESS for r in results)
    assert stats["transfers"] == 6 and 2 <= stats["in_flight_max"] <= 4


# -- callbacks ---------------------------------------------------------------------------------
def test_a_final_transfer_sends_one_callback_the_connector_accepts(provider, receiver):
    req = provider.request("0003")
    provider.connector.submit(req)
    headers, raw = receiver.next()
    hint = provider.connector.parse_callback(headers, raw, time.time())
    assert hint.transfer_key == provider.connector.transfer_key(req.transfer_id)
    assert (hint.status, hint.reason) == (ProviderStatus.FAILED, "Account validation failed")
    deadline = time.monotonic() + 5  # the stand-in counts a delivery after the receiver answered
    while provider.stats()["callbacks_sent"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert provider.stats()["callbacks_sent"] == 1 and receiver.got.empty()


# -- provider specifics ------------------------------------------------------------------------
@pytest.fixture
def cashfree(tmp_path):
    h = Harness("cashfree", tmp_path)
    yield h
    h.stop()


@pytest.fixture
def safepay(tmp_path):
    h = Harness("safepay", tmp_path)
    yield h
    h.stop()


@pytest.mark.parametrize("vpa,status", [("success@upi", ProviderStatus.SUCCESS), ("invalid@upi", ProviderStatus.FAILED)])
def test_cashfree_sandbox_vpas(cashfree, vpa, status):
    ben = {"rail": "upi", "vpa": vpa, "name": "Ravi Kumar"}
    assert cashfree.connector.submit(cashfree.request(ben=ben)).status == status
    assert cashfree.connector.verify(cashfree.request(ben=ben).beneficiary).valid == (status == ProviderStatus.SUCCESS)


def test_cashfree_refusals_carry_the_providers_code(cashfree):
    with pytest.raises(TransferRejected) as e:  # Cashfree's minimum is 1.00 INR
        cashfree.connector.submit(cashfree.request("0001", amount=99))
    assert (e.value.http_status, e.value.code) == (400, "transfer_amount_invalid")
    with pytest.raises(TransferRejected) as e:  # refused before sending
        cashfree.connector.submit(cashfree.request(ben={"rail": "bank_account", "iban": "PK36SCBL0000001123456702", "name": "A"}))
    assert e.value.code == "beneficiary_unsupported" and e.value.http_status is None
    assert cashfree.stats()["transfers"] == 0


@pytest.mark.parametrize("wallet,msisdn", [("JAZZCASH", "+923001230001"), ("EASYPAISA", "+923451230001"),
                                           ("SADAPAY", "+923101230001"), ("NAYAPAY", "+923311230001")])
def test_safepay_pays_each_wallet_through_its_raast_id(safepay, wallet, msisdn):
    ben = {"rail": "mobile_wallet", "wallet_code": wallet, "msisdn": msisdn, "name": "Bilal Ahmed"}
    result = safepay.connector.submit(safepay.request(ben=ben))
    assert result.status == ProviderStatus.SUCCESS
    assert safepay.state.store.all("transfer")[0]["creditor_iban"][4:8] == BY_CODE[wallet].iban_code
    assert safepay.connector.verify(safepay.request(ben=ben).beneficiary).account_title


def test_safepay_wallet_scenarios_and_refusals(safepay):
    def wallet(msisdn, code="JAZZCASH"):
        return {"rail": "mobile_wallet", "wallet_code": code, "msisdn": msisdn, "name": "Bilal Ahmed"}

    assert safepay.connector.submit(safepay.request(ben=wallet("+923001230003"))).status == ProviderStatus.FAILED
    assert safepay.connector.verify(safepay.request(ben=wallet("+923001230005")).beneficiary).reason == "Account is blocked"
    for ben, code in ((wallet("+923001230001", "EASYPAISA"), "wallet_mismatch"),  # a Jazz number's Raast ID
                      (wallet("+923551230001"), "error.not_found"),  # no Raast ID in the stand-in's directory
                      (wallet("+919876543210"), "msisdn_invalid"),
                      ({"rail": "bank_account", "bank_code": "XYZ", "account_number": "1234567890", "name": "A"},
                       "bank_unsupported"),
                      ({"rail": "upi", "vpa": "ravi@upi", "name": "A"}, "beneficiary_unsupported")):
        with pytest.raises(TransferRejected) as e:
            safepay.connector.submit(safepay.request(ben=ben))
        assert e.value.code == code
    assert safepay.stats()["transfers"] == 1


def test_safepay_pays_an_iban_and_sends_its_request_id(safepay):
    iban = IBAN.generate("PK", bank_code="SCBL", account_code="1123450001").compact
    req = safepay.request(ben={"rail": "bank_account", "iban": iban, "name": "Sana Iqbal"}, amount=200_00)
    assert safepay.connector.submit(req).status == ProviderStatus.SUCCESS
    stored = safepay.state.store.get("transfer", safepay.connector.transfer_key(req.transfer_id))
    assert (stored["creditor_iban"], stored["amount"]) == (iban, "200")
