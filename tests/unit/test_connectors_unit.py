"""The connector seam without a network: exact amounts, typed beneficiaries and results, the
registry, the Pakistani directory and callback authentication."""
import base64
import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from payrail.providers.connectors import amounts

from payrail.providers import registry
from payrail.providers.connectors.base import (BankAccount, CallbackRejected, Connector, MobileWallet, ProviderStatus,
                                     TransferRequest, TransferResult, Upi)
from payrail.providers.connectors.safepay.directory import BANKS, BY_CODE, WALLETS
from payrail.core.money import CURRENCIES

minor = st.integers(min_value=0, max_value=10**15)
currency = st.sampled_from(sorted(CURRENCIES))


@given(minor, currency)
def test_minor_to_major_and_back_is_exact(amount, cur):
    major = amounts.to_major(amount, cur)
    assert amounts.from_major(major, cur) == amount
    assert amounts.from_major(amounts.major_text(amount, cur), cur) == amount
    assert amounts.from_major(amounts.major_text(amount, cur, trim_zero_fraction=True), cur) == amount
    assert "E" not in amounts.major_text(amount, cur)


@given(minor, currency)
def test_json_carries_decimal_amounts_digit_for_digit(amount, cur):
    major = amounts.to_major(amount, cur)
    text = amounts.dumps({"transfer_amount": major, "nested": [major]})
    assert f'"transfer_amount":{amounts.major_text(amount, cur)}' in text
    back = amounts.loads(text)
    assert back["transfer_amount"] == major and str(back["nested"][0]) == str(major)
    assert amounts.from_major(back["transfer_amount"], cur) == amount


def test_amount_conversion_refuses_floats_and_extra_precision():
    assert amounts.to_major(1234, "INR") == Decimal("12.34") and amounts.to_major(5, "KWD") == Decimal("0.005")
    assert amounts.major_text(20000, "PKR", trim_zero_fraction=True) == "200"
    assert amounts.major_text(20050, "PKR", trim_zero_fraction=True) == "200.50"
    with pytest.raises(TypeError):
        amounts.to_major(12.34, "INR")
    with pytest.raises(TypeError):
        amounts.from_major(12.34, "INR")
    with pytest.raises(TypeError):
        amounts.dumps({"amount": 0.1})
    with pytest.raises(ValueError):
        amounts.from_major("12.345", "INR")
    with pytest.raises(ValueError):
        amounts.from_major("NaN", "INR")
    assert amounts.from_major("12.340", "INR") == 1234  # trailing zeros are exact


def test_beneficiaries_validate_iban_msisdn_and_vpa():
    assert BankAccount(iban="pk36 scbl 0000 0011 2345 6702", name="A").iban == "PK36SCBL0000001123456702"
    assert MobileWallet(wallet_code="JAZZCASH", msisdn="+92 300 1234567", name="A").msisdn == "+923001234567"
    assert Upi(vpa="success@upi", name="A").vpa == "success@upi"
    for bad in ({"iban": "PK36SCBL0000001123456703", "name": "A"},  # checksum
                {"account_number": "1234567890", "name": "A"},  # no bank code
                {"bank_code": "HBL", "account_number": "1234567890", "iban": "PK36SCBL0000001123456702", "name": "A"}):
        with pytest.raises(ValidationError):
            BankAccount(**bad)
    with pytest.raises(ValidationError):
        MobileWallet(wallet_code="JAZZCASH", msisdn="0300123", name="A")
    with pytest.raises(ValidationError):
        Upi(vpa="not-a-vpa", name="A")


def test_transfer_request_amount_is_a_strict_positive_int():
    ben = {"rail": "upi", "vpa": "success@upi", "name": "A"}
    assert TransferRequest(transfer_id="po_1", amount=1, currency="INR", beneficiary=ben).beneficiary.rail == "upi"
    for amount in (0, -5, 1.5, "100", True):
        with pytest.raises(ValidationError):
            TransferRequest(transfer_id="po_1", amount=amount, currency="INR", beneficiary=ben)


def test_failed_and_on_hold_results_need_a_reason():
    assert not TransferResult(transfer_id="t", status=ProviderStatus.PENDING).final
    assert TransferResult(transfer_id="t", status=ProviderStatus.FAILED, reason="x").final
    for status in (ProviderStatus.FAILED, ProviderStatus.ON_HOLD):
        with pytest.raises(ValidationError):
            TransferResult(transfer_id="t", status=status)


def test_registry_builds_by_name_and_finds_candidates():
    assert registry.candidates("upi", "INR", "IN") == ["cashfree"]
    assert registry.candidates("bank_account", "PKR", "PK") == ["safepay"]
    assert registry.candidates("mobile_wallet", "PKR", "PK") == ["safepay"]
    assert registry.candidates("mobile_wallet", "INR", "IN") == []
    c = registry.build("cashfree", {"base_url": "http://127.0.0.1:1", "client_id": "id", "client_secret": "s3cr3t"})
    assert c.name == "cashfree" and c.settings.max_in_flight == 4 and isinstance(c, Connector)
    s = registry.build("safepay", {"base_url": "http://127.0.0.1:1", "aggregator_id": "a", "secret_key": "k",
                                   "webhook_secret": "d2g="})
    assert isinstance(s, Connector) and s.transfer_key("po_1") == s.transfer_key("po_1") != s.transfer_key("po_2")
    assert "s3cr3t" not in repr(c.settings) and "s3cr3t" not in str(c.settings.model_dump())
    with pytest.raises(KeyError):
        registry.build("nope", {})
    with pytest.raises(ValidationError):
        registry.build("cashfree", {"base_url": "http://127.0.0.1:1"})  # credentials missing


def test_settings_come_from_environment_names_derived_from_the_model():
    env = {"CONNECTOR_SAFEPAY_BASE_URL": "http://127.0.0.1:9/raastwire", "CONNECTOR_SAFEPAY_AGGREGATOR_ID": "agg",
           "CONNECTOR_SAFEPAY_SECRET_KEY": "k", "CONNECTOR_SAFEPAY_WEBHOOK_SECRET": "d2g=",
           "CONNECTOR_SAFEPAY_MAX_IN_FLIGHT": "2", "UNRELATED": "x"}
    s = registry.settings_from_env("safepay", env)
    assert (s.aggregator_id, s.max_in_flight, s.secret_key.get_secret_value()) == ("agg", 2, "k")
    assert set(registry.env_names("cashfree")) >= {"CONNECTOR_CASHFREE_CLIENT_SECRET", "CONNECTOR_CASHFREE_TIMEOUT_SECONDS"}


def test_pakistani_directory_has_14_banks_and_4_wallets_with_iban_codes():
    from schwifty import IBAN

    assert len(BANKS) == 14 and [w.name for w in WALLETS] == ["Easypaisa", "JazzCash", "SadaPay", "NayaPay"]
    assert len({i.code for i in BANKS + WALLETS}) == 18 and len({i.iban_code for i in BANKS + WALLETS}) == 18
    assert {"HBL", "UBL", "MCB"} <= set(BY_CODE)
    for inst in BANKS + WALLETS:
        assert IBAN.generate("PK", bank_code=inst.iban_code, account_code="1234567890").bank_code == inst.iban_code


def _signed_cashfree(secret: str, body: bytes, ts: str) -> dict:
    sig = base64.b64encode(hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    return {"X-Webhook-Signature": sig, "X-Webhook-Timestamp": ts}


def test_cashfree_callback_signature_seconds_or_milliseconds_and_staleness():
    c = registry.build("cashfree", {"base_url": "http://127.0.0.1:1", "client_id": "id", "client_secret": "sec"})
    body = json.dumps({"type": "TRANSFER_SUCCESS", "data": {"transfer_id": "po_1", "cf_transfer_id": "9",
                                                            "status": "SUCCESS", "transfer_amount": 12.5}}).encode()
    now = time.time()
    for ts in (str(int(now)), str(int(now * 1000))):
        hint = c.parse_callback(_signed_cashfree("sec", body, ts), body, now)
        assert (hint.transfer_id, hint.status, hint.provider_reference) == ("po_1", ProviderStatus.SUCCESS, "9")
    headers = _signed_cashfree("sec", body, str(int(now)))
    for bad_headers, bad_body, at in ((headers, body.replace(b"SUCCESS", b"FAILED"), now),  # tampered
                                      (_signed_cashfree("other", body, str(int(now))), body, now),  # wrong key
                                      (headers, body, now + 301), (headers, body, now - 301),  # stale
                                      ({}, body, now)):  # unsigned
        with pytest.raises(CallbackRejected):
            c.parse_callback(bad_headers, bad_body, at)
