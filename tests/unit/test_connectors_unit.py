"""The connector seam without a network: exact amounts, typed beneficiaries and results, the
registry, the Pakistani directory and callback authentication."""
import base64
import hashlib
import hmac
import importlib
import json
import time
from datetime import datetime, timezone
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


# -- settlement files and statements (payrail.providers.statements) ----------------------------
from infra.local.standins import STANDINS  # noqa: E402
from payrail.providers import statements  # noqa: E402
from payrail.providers.connectors.safepay import transformers as safepay_wire  # noqa: E402

#: one good row of each connector's settlement file, by column, and the amount column's name
_ROWS = {
    "cashfree": ({"transfer_id": "po_1", "cf_transfer_id": "100", "transfer_amount": "123.45",
                  "transfer_currency": "INR", "status": "SUCCESS", "transfer_utr": "UTR1",
                  "added_on": "2026-03-01T10:00:00Z", "updated_on": "2026-03-01T10:00:05Z"}, "transfer_amount"),
    "safepay": ({"token": "pm_1", "request_id": "5d8e0c1e-0a53-5b44-9cbb-3a8f0b7c1d2e", "type": "PAYOUT",
                 "amount": "123.45", "currency": "PKR", "status": "P_SETTLED", "created_at": "2026-03-01T10:00:00Z",
                 "updated_at": "2026-03-01T10:00:05Z"}, "amount"),
    "mtn_momo": ({"financialTransactionId": "MTN1", "externalId": "po_1",
                  "referenceId": "5d8e0c1e-0a53-5b44-9cbb-3a8f0b7c1d2e", "type": "TRANSFER", "amount": "123.45",
                  "currency": "GHS", "status": "SUCCESSFUL", "timestamp": "2026-03-01T10:00:05Z",
                  "referenceIdToRefund": ""}, "amount"),
    "airteltigo": ({"transaction_id": "5d8e0c1e-0a53-5b44-9cbb-3a8f0b7c1d2e", "airtel_money_id": "AIR1", "type": "B2C",
                    "amount": "123.45", "currency": "GHS", "status": "TS", "transaction_date": "2026-03-01T10:00:05Z",
                    "original_transaction_id": ""}, "amount"),
    "telecel": ({"reference": "5d8e0c1e-0a53-5b44-9cbb-3a8f0b7c1d2e", "transaction_id": "TEL1", "type": "DISBURSEMENT",
                 "amount": "123.45", "currency": "GHS", "status": "SUCCESS", "booked_at": "2026-03-01T10:00:05Z",
                 "original_reference": ""}, "amount"),
}


def _conn(name):
    return registry.build(name, {"base_url": "http://127.0.0.1:9", **STANDINS[name].credentials})


def _csv(name, *rows: dict) -> list[str]:
    columns = list(_ROWS[name][0])
    return [",".join(columns)] + [",".join(str(row.get(c, "")) for c in columns) for row in rows]


def test_every_connector_documents_its_file_columns_and_has_a_row_here():
    assert set(_ROWS) == set(registry.REGISTRY)
    for name in registry.REGISTRY:
        doc = type(_conn(name)).__module__
        columns = importlib.import_module(doc.rsplit(".", 1)[0] + ".transformers").FILE_COLUMNS
        assert tuple(_ROWS[name][0]) == tuple(columns)
        module_doc = importlib.import_module(doc).__doc__
        assert all(c in module_doc for c in columns) and "assumed" in module_doc.lower()


@pytest.mark.parametrize("name", list(_ROWS))
def test_a_settlement_file_row_reads_exactly(name):
    row, _ = _ROWS[name]
    [rec] = _conn(name).parse_statement_file(_csv(name, row))
    assert (rec.provider, rec.kind, rec.amount, rec.status) == (name, "transfer", 12345, "SUCCESS")
    assert type(rec.amount) is int and rec.booked_at == datetime(2026, 3, 1, 10, 0, 5, tzinfo=timezone.utc)
    assert rec.transfer_key
    assert rec.transfer_id == ("po_1" if name in ("cashfree", "mtn_momo") else None)  # others: mapped back by key
    [mapped] = statements.map_back([rec], {rec.transfer_key: "po_1"})
    assert mapped.transfer_id == "po_1"


@pytest.mark.parametrize("name", list(_ROWS))
@pytest.mark.parametrize("amount", ["true", "1.5e2", "abc", "", "-12.00", "12.345", " 1 2", "0x10", "NaN", "Infinity"])
def test_a_settlement_file_refuses_an_amount_that_is_not_an_exact_decimal_naming_the_line(name, amount):
    row, column = _ROWS[name]
    with pytest.raises(ValueError, match=r"^line 3: "):
        list(_conn(name).parse_statement_file(_csv(name, row, {**row, column: amount})))


@pytest.mark.parametrize("name", list(_ROWS))
def test_a_malformed_settlement_file_is_refused_naming_the_line(name):
    row, column = _ROWS[name]
    conn = _conn(name)
    lines = _csv(name, row, row)
    with pytest.raises(ValueError, match=r"^line 3: .*fields"):  # a field short
        list(conn.parse_statement_file(lines[:2] + [lines[2].rsplit(",", 1)[0]]))
    with pytest.raises(ValueError, match=r"^line 1: .*lacks column"):
        list(conn.parse_statement_file([lines[0].replace(column, "sum")] + lines[1:]))
    when = next(c for c in row if row[c] == "2026-03-01T10:00:05Z")
    with pytest.raises(ValueError, match=r"^line 2: .*time zone"):  # a local time cannot be placed in a day
        list(conn.parse_statement_file(_csv(name, {**row, when: "2026-03-01T10:00:05"})))
    with pytest.raises(ValueError, match=r"^line 2: "):
        list(conn.parse_statement_file(_csv(name, {**row, when: "yesterday"})))
    currency = next(c for c in row if row[c] in ("INR", "PKR", "GHS"))
    with pytest.raises(ValueError, match=r"^line 2: .*currency"):
        list(conn.parse_statement_file(_csv(name, {**row, currency: "USD"})))
    with pytest.raises(ValueError, match=r"^line 1: "):
        list(conn.parse_statement_file([]))
    assert list(conn.parse_statement_file([lines[0], "", lines[1], ""]))  # blank lines are no rows


def test_file_amounts_are_exact_and_never_floats():
    assert statements.file_amount("123.45", "INR") == 12345 and statements.file_amount("200", "PKR") == 20000
    assert statements.file_amount("12345", "INR", major=False) == 12345
    for bad in (True, 1.5, 12345, "1.5", "12.5e1"):
        with pytest.raises(ValueError):
            statements.file_amount(bad, "INR", major=False)
    for bad in (True, 1.5, Decimal("1.5")):
        with pytest.raises(ValueError):
            statements.file_amount(bad, "INR")


@pytest.mark.parametrize("amount", [True, False, [1], {"v": 1}])
def test_a_listed_payment_with_an_amount_of_another_type_is_refused(amount):
    raw = json.dumps({"data": {"payments": [{"token": "pm_1", "type": "PAYOUT", "amount": amount, "status": "P_SETTLED",
                                             "request_id": "k", "updated_at": "2026-03-01T10:00:05Z"}], "count": "1"}})
    with pytest.raises(ValidationError):
        safepay_wire.page(raw.encode())


def test_a_listed_payment_reads_exactly_from_a_string_or_a_json_number():
    for amount in ('"123.45"', "123.45", "200"):
        raw = ('{"data": {"payments": [{"token": "pm_1", "type": "PAYOUT", "amount": %s, "status": "P_SETTLED", '
               '"request_id": "k", "updated_at": "2026-03-01T10:00:05Z"}], "count": "1"}}' % amount)
        payments, count = safepay_wire.page(raw.encode())
        rec = safepay_wire.statement_record(payments[0])
        assert (rec.amount, count, rec.transfer_key) == ((20000 if amount == "200" else 12345), 1, "k")
    bad = safepay_wire.Payment(token="pm_1", type="PAYOUT", amount="1e3", status="P_SETTLED", request_id="k",
                               updated_at="2026-03-01T10:00:05Z")
    with pytest.raises(ValueError):
        safepay_wire.statement_record(bad)
    assert safepay_wire.statement_record(safepay_wire.Payment(type="RTP_NOW", amount="1")) is None


def test_a_status_lookup_reads_as_a_record():
    at = datetime(2026, 3, 1, 23, 0, tzinfo=timezone.utc)
    paid = TransferResult(transfer_id="po_1", status=ProviderStatus.SUCCESS, amount=500, provider_reference="MTN1")
    rec = statements.from_status("mtn_momo", paid, "GHS", at, transfer_key="k")
    assert (rec.transfer_id, rec.transfer_key, rec.amount, rec.status, rec.booked_at) == ("po_1", "k", 500, "SUCCESS", at)
    held = TransferResult(transfer_id="po_1", status=ProviderStatus.ON_HOLD, reason="review")
    assert statements.from_status("x", held, "GHS", at, amount=7).status == "PENDING"
    assert statements.from_status("x", TransferResult(transfer_id="po_1", status=ProviderStatus.NOT_FOUND), "GHS", at) is None
    with pytest.raises(ValueError):
        statements.from_status("x", held, "GHS", at)  # no amount anywhere


def test_a_registry_entry_names_its_source():
    assert registry.Entry("x", "C", "S").statement == "status_lookup"
    assert {n: e.statement for n, e in registry.REGISTRY.items()} == {
        "cashfree": "settlement_file", "safepay": "list_api", "mtn_momo": "status_lookup",
        "airteltigo": "settlement_file", "telecel": "settlement_file"}
