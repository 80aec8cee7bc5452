"""The payouts API in payrail's conventions: create (validation against the directory,
merchant references, enabled currencies, 402 with nothing held), list with filters and cursors,
top-ups, the directory, account verification and saved beneficiaries."""
from __future__ import annotations

import uuid

import pytest

from schwifty import IBAN

from infra.tools.client import ApiError, Payrail
from tests.integration.test_payouts import in_bank, jazzcash, pk_bank, settled


@pytest.fixture
def funded(admin, merchant):
    client, mid = merchant
    admin.top_up(mid, 1_000_000)
    return client, mid


def refused(call, status: int) -> dict:
    with pytest.raises(ApiError) as e:
        call()
    assert e.value.status == status, e.value.body
    return e.value.body["error"]


def test_creation_checks_the_beneficiary_against_the_directory(funded):
    client, _ = funded
    for ben, param in (
        ({"type": "bank_account", "bank_code": "XYZB", "account_number": "1234567890", "name": "A"}, "beneficiary.bank_code"),
        ({"type": "bank_account", "bank_code": "HBL", "account_number": "123456789", "name": "A"}, "beneficiary.account_number"),
        ({"type": "bank_account", "iban": "PK36SCBL0000001123456703", "name": "A"}, "beneficiary.iban"),  # bad checksum
        ({"type": "bank_account", "iban": IBAN.generate("PK", bank_code="BKIP", account_code="0000001123456702").compact,
          "name": "A"}, "beneficiary.iban"),  # a valid IBAN of a bank outside the directory
        ({"type": "mobile_wallet", "wallet_code": "PAYPAL", "msisdn": "+923001234567", "name": "A"}, "beneficiary.wallet_code"),
        ({"type": "mobile_wallet", "wallet_code": "JAZZCASH", "msisdn": "+14155550100", "name": "A"}, "beneficiary.msisdn"),
        ({"type": "mobile_wallet", "wallet_code": "JAZZCASH", "msisdn": "+92211234567", "name": "A"}, "beneficiary.msisdn"),
    ):
        err = refused(lambda: client.payout(1_000, ben), 400)
        assert err["param"] == param, (ben, err)
    assert client.balances("PKR")["held"] == 0
    # a valid IBAN at a directory bank, and a wallet by its national number, are accepted
    iban = client.payout(1_000, {"type": "bank_account", "iban": "PK36 SCBL 0000 0011 2345 6702", "name": "A K"})
    assert iban["beneficiary"]["iban"] == "PK36SCBL0000001123456702" and iban["beneficiary"]["bank_code"] == "SCB"
    wallet = client.payout(1_000, {**jazzcash("0001"), "msisdn": "0300 1230001"})
    assert wallet["beneficiary"]["msisdn"] == "+923001230001" and wallet["provider"] == "safepay"
    assert settled(client, wallet["payout_id"])["status"] == "SUCCEEDED"


def test_currency_must_be_enabled_and_paid_by_a_provider(funded, admin):
    client, mid = funded
    err = refused(lambda: client.payout(1_000, pk_bank("0001"), "USD"), 400)
    assert (err["code"], err["param"]) == ("currency_not_enabled", "currency")
    err = refused(lambda: client.payout(1_000, pk_bank("0001"), "INR"), 400)  # INR is enabled, but not to Pakistan
    assert (err["code"], err["param"]) == ("currency_not_supported", "currency")
    admin.payout_settings(mid, payout_currencies=["INR"])
    err = refused(lambda: client.payout(1_000, pk_bank("0001")), 400)
    assert err["code"] == "currency_not_enabled"


def test_insufficient_balance_holds_nothing_and_references_are_unique(funded):
    client, _ = funded
    before = client.balances("PKR")
    err = refused(lambda: client.payout(before["available"] + 1, pk_bank("0001")), 402)
    assert err["code"] == "insufficient_balance"
    assert client.balances("PKR") == before
    ref, account = f"inv-{uuid.uuid4().hex[:8]}", pk_bank("0001")
    first = client.payout(1_000, account, key="ref-key-1" + ref, merchant_reference=ref)
    assert client.payout(1_000, account, key="ref-key-1" + ref, merchant_reference=ref)["payout_id"] == \
        first["payout_id"]  # same key: the same payout
    err = refused(lambda: client.payout(2_000, pk_bank("0001"), key="ref-key-2" + ref, merchant_reference=ref), 409)
    assert (err["code"], err["param"]) == ("duplicate_merchant_reference", "merchant_reference")
    assert first["payout_id"] in err["message"]
    err = refused(lambda: client.request("POST", "/v1/payouts", {"amount": 1, "currency": "PKR"}), 400)
    assert err["param"] == "idempotency-key"
    err = refused(lambda: client.payout(1_000, None, key=str(uuid.uuid4())), 400)
    assert err["param"] == "beneficiary"


def test_list_filters_and_cursor_pagination(admin):
    created = admin.create_merchant("lister")
    client, mid = admin.as_merchant(created["api_key"]), created["merchant"]["merchant_id"]
    admin.top_up(mid, 1_000_000)
    ps = [client.payout(1_000 + i, pk_bank("0003" if i % 3 == 0 else "0001"), merchant_reference=f"ref-{i}")
          for i in range(7)]
    for p in ps:
        settled(client, p["payout_id"])
    newest_first = [p["payout_id"] for p in reversed(ps)]
    page1 = client.payouts(limit=3)
    page2 = client.payouts(limit=3, starting_after=page1["data"][-1]["payout_id"])
    page3 = client.payouts(limit=3, starting_after=page2["data"][-1]["payout_id"])
    assert [p["payout_id"] for p in page1["data"] + page2["data"] + page3["data"]] == newest_first
    assert (page1["has_more"], page2["has_more"], page3["has_more"]) == (True, True, False)
    failed = client.payouts(status="FAILED", limit=100)["data"]
    assert {p["payout_id"] for p in failed} == {ps[i]["payout_id"] for i in (0, 3, 6)}
    assert [p["payout_id"] for p in client.payouts(status="FAILED", limit=1)["data"]] == [ps[6]["payout_id"]]
    assert [p["payout_id"] for p in client.payouts(merchant_reference="ref-4")["data"]] == [ps[4]["payout_id"]]
    assert client.payouts(merchant_reference="ref-4", status="FAILED")["data"] == []
    t = ps[3]["created_at"]
    assert [p["payout_id"] for p in client.payouts(created_to=t, limit=100)["data"]] == newest_first[3:]
    assert [p["payout_id"] for p in client.payouts(created_from=t, limit=100)["data"]] == newest_first[:4]
    assert client.payouts(created_from="2000-01-01", created_to="2000-12-31")["data"] == []
    assert refused(lambda: client.payouts(limit=101), 400)["param"] == "limit"
    assert refused(lambda: client.payouts(starting_after="po_" + "0" * 24), 400)["param"] == "starting_after"
    other = admin.as_merchant(admin.create_merchant("other")["api_key"])
    assert other.payouts()["data"] == []
    assert refused(lambda: other.get_payout(ps[0]["payout_id"]), 404)["code"] == "not_found"


def test_top_up_is_a_funding_journal_once_per_key(admin, merchant, platform):
    client, mid = merchant
    key = f"top-{uuid.uuid4()}"
    first = admin.top_up(mid, 12_345, "PKR", key=key)
    again = admin.top_up(mid, 12_345, "PKR", key=key)
    assert again["journal_id"] == first["journal_id"] and first["available_after"] == 12_345
    assert client.balances("PKR")["available"] == 12_345
    assert refused(lambda: admin.top_up(mid, 999, "PKR", key=key), 422)["code"] == "idempotency_key_reused"
    journal = platform.ledger.get_journal(first["journal_id"])
    assert journal["type"] == "merchant_top_up" and sum(p["amount"] for p in journal["postings"]) == 0
    assert refused(lambda: admin.top_up("m_" + "0" * 16, 1), 404)["param"] == "merchant_id"
    merchant_only = Payrail(client.url, api_key=client.api_key)
    assert refused(lambda: merchant_only.top_up(mid, 1), 403)["code"] == "forbidden"
    history = client.request("GET", "/v1/balances/history", params={"currency": "PKR"})["data"]
    assert [h["journal_id"] for h in history] == [first["journal_id"]]


def test_directory_lists_the_banks_wallets_and_rails(merchant):
    client, _ = merchant
    everything = client.directory()["data"]
    banks = [d for d in everything if d["kind"] == "bank"]
    wallets = [d for d in everything if d["kind"] == "wallet"]
    assert len(banks) == 14 and {b["code"] for b in banks} >= {"HBL", "UBL", "MCB"}
    assert all(b["iban_code"] and b["provider"] == "safepay" and b["currency"] == "PKR" for b in banks)
    assert {w["name"] for w in wallets} == {"Easypaisa", "JazzCash", "SadaPay", "NayaPay"}
    assert {d["rail"] for d in everything if d["country"] == "IN"} == {"bank_account", "upi"}
    page = client.directory(limit=5)
    rest = client.directory(limit=100, starting_after=page["data"][-1]["code"])
    assert page["has_more"] and [d["code"] for d in page["data"] + rest["data"]] == [d["code"] for d in everything]
    assert [d["code"] for d in client.directory(kind="wallet", limit=2)["data"]] == [w["code"] for w in wallets][:2]
    assert refused(lambda: client.directory(limit=101), 400)["param"] == "limit"


def test_account_verification_through_the_connector_that_would_pay(merchant):
    client, _ = merchant
    for ben, provider in ((pk_bank, "safepay"), (in_bank, "cashfree"), (jazzcash, "safepay")):
        ok = client.verify_account(ben("0001") if ben is not pk_bank else
                                   {"type": "bank_account", "bank_code": "MCB", "account_number": pk_bank("0001"),
                                    "name": "Ayesha Khan"})
        assert ok["valid"] and ok["account_title"] and ok["provider"] == provider, ok
    bad = client.verify_account({"type": "bank_account", "bank_code": "HBL", "account_number": pk_bank("0003"), "name": "A"})
    assert bad == {"valid": False, "account_title": None, "reason": "Account validation failed", "provider": "safepay"}
    blocked = client.verify_account(in_bank("0005"))
    assert not blocked["valid"] and blocked["reason"] == "Account is blocked"
    assert client.verify_account({"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"})["valid"]
    assert not client.verify_account({"type": "upi", "vpa": "invalid@upi", "name": "Ravi Kumar"})["valid"]
    err = refused(lambda: client.verify_account({"type": "bank_account", "bank_code": "NOPE", "account_number":
                                                 "1234567890", "name": "A"}), 400)
    assert err["param"] == "beneficiary.bank_code"


def test_saved_beneficiaries_are_verified_listed_used_and_disabled(funded):
    client, _ = funded
    saved = client.save_beneficiary(jazzcash("0001"), nickname="Ayesha's JazzCash", key=f"ben-{uuid.uuid4()}")
    assert saved["status"] == "ACTIVE" and saved["verification"]["status"] == "VERIFIED"
    assert saved["verification"]["account_title"] and saved["details"]["msisdn"] == "+923001230001"
    err = refused(lambda: client.save_beneficiary(in_bank("0003")), 400)
    assert err["code"] == "account_invalid" and "Account validation failed" in err["message"]
    second = client.save_beneficiary({"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"})
    assert [b["beneficiary_id"] for b in client.beneficiaries()["data"]] == [second["beneficiary_id"],
                                                                          saved["beneficiary_id"]]
    assert client.beneficiary(saved["beneficiary_id"]) == saved
    paid = client.payout(2_500, None, beneficiary_id=saved["beneficiary_id"])
    assert paid["beneficiary_id"] == saved["beneficiary_id"] and paid["beneficiary"] == saved["details"]
    assert settled(client, paid["payout_id"])["status"] == "SUCCEEDED"
    assert client.disable_beneficiary(saved["beneficiary_id"])["status"] == "DISABLED"
    assert refused(lambda: client.disable_beneficiary(saved["beneficiary_id"]), 409)["code"] == "invalid_state"
    err = refused(lambda: client.payout(2_500, None, beneficiary_id=saved["beneficiary_id"]), 400)
    assert err["code"] == "beneficiary_disabled"
    assert refused(lambda: client.payout(1, pk_bank("0001"), beneficiary_id=saved["beneficiary_id"]), 400)[
        "param"] == "beneficiary"
    assert refused(lambda: client.beneficiary("ben_" + "0" * 24), 404)["code"] == "not_found"
