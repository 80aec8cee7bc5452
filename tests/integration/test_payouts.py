"""Payouts end to end: hold → Step Functions → SQS worker (bounded) → sandbox provider → capture/release."""
import pytest

from infra.local.client import ApiError
from infra.local.client import wait_for
from tests.conftest import fulfilled_order


@pytest.fixture
def funded(admin, merchant):
    """A merchant with 10,000 available (one fulfilled order of 10,000 less the 2.9% fee)."""
    client, mid = merchant
    fulfilled_order(admin, client, mid, 10_000)
    return client, mid, client.balances()["available"]


def settled(client, payout_id):
    return wait_for(lambda: (p := client.get_payout(payout_id))["status"] in ("SUCCEEDED", "FAILED") and p, timeout=90)


@pytest.mark.parametrize("suffix,status,attempts", [("0001", "SUCCEEDED", 1), ("0002", "SUCCEEDED", 2),
                                                    ("0003", "FAILED", 1)])
def test_sandbox_scenarios(funded, suffix, status, attempts):
    client, mid, available = funded
    payout = client.payout(1_234, f"99887766{suffix}")
    assert payout["status"] == "PENDING"
    assert client.balances()["held"] == 1_234 or client.get_payout(payout["payout_id"])["status"] != "PENDING"
    done = settled(client, payout["payout_id"])
    assert (done["status"], done["attempts"]) == (status, attempts)
    history = [h["status"] for h in done["status_history"]]
    assert history[0] == "PENDING" and history[-1] == status and history.count("PROCESSING") == attempts
    bal = client.balances()
    assert bal["held"] == 0
    assert bal["available"] == available - (1_234 if status == "SUCCEEDED" else 0)
    if status == "FAILED":
        assert "rejected" in done["failure_reason"]
    else:
        assert done["provider_reference"].startswith("cf_")


def test_payout_needs_available_funds_and_is_idempotent(funded):
    client, mid, available = funded
    with pytest.raises(ApiError) as e:
        client.payout(available + 1, "9988776650001")
    assert e.value.status == 402
    first = client.payout(100, "9988776650001", key="same-payout")
    again = client.payout(100, "9988776650001", key="same-payout")
    assert again["payout_id"] == first["payout_id"]
    settled(client, first["payout_id"])
    assert client.balances()["available"] == available - 100


def test_replayed_workflow_steps_do_not_move_money_twice(platform, funded):
    """Capture and release are guarded by the payout status: repeating either after the
    workflow finished changes nothing."""
    client, mid, available = funded
    payout = client.payout(500, "9988776650001")
    settled(client, payout["payout_id"])
    platform.payouts.capture(mid, payout["payout_id"], "again")
    platform.payouts.release(mid, payout["payout_id"], "late failure")
    assert client.get_payout(payout["payout_id"])["status"] == "SUCCEEDED"
    assert client.balances()["available"] == available - 500
    assert platform.ledger.get_journal(f"{payout['payout_id']}:release") is None
