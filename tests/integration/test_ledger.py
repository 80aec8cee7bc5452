"""The ledger against DynamoDB Local (the real engine): atomicity, idempotency, floors, history."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from payrail.core.errors import InsufficientFunds, NotFound, ValidationFailed
from payrail.core.ledger import NON_NEGATIVE, UNBOUNDED, AccountSpec, ExtraConditionFailed, Journal, Posting


def accounts(mid):
    src = AccountSpec(f"{mid}:src:USD", mid, "USD", "src", UNBOUNDED)
    dst = AccountSpec(f"{mid}:dst:USD", mid, "USD", "dst", NON_NEGATIVE)
    return src, dst


def move(ledger, mid, amount, jid=None, direction=1):
    src, dst = accounts(mid)
    return ledger.post(Journal(jid or uuid.uuid4().hex, "test", mid, "USD",
                               [Posting(src.account_id, -amount * direction), Posting(dst.account_id, amount * direction)]),
                       opens=[src, dst])


def test_post_is_idempotent_by_journal_id(platform):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    first = move(platform.ledger, mid, 500, jid=f"{mid}-j1")
    again = move(platform.ledger, mid, 500, jid=f"{mid}-j1")
    assert first.created and not again.created
    assert platform.ledger.get_account(f"{mid}:dst:USD")["balance"] == 500


def test_non_negative_account_refuses_overdraft_and_nothing_changes(platform):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    move(platform.ledger, mid, 300)
    with pytest.raises(InsufficientFunds):
        move(platform.ledger, mid, 301, direction=-1)
    a = platform.ledger.get_account(f"{mid}:dst:USD")
    assert (a["balance"], a["seq"]) == (300, 1)


def test_extra_action_failure_rolls_back_the_whole_movement(platform):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    move(platform.ledger, mid, 100)
    src, dst = accounts(mid)
    impossible = {"ConditionCheck": {"TableName": platform.main.table, "Key": {"pk": {"S": f"nope-{mid}"}},
                                     "ConditionExpression": "attribute_exists(pk)"}}
    with pytest.raises(ExtraConditionFailed):
        platform.ledger.post(Journal(f"{mid}-x", "t", mid, "USD", [Posting(src.account_id, -50),
                                                                   Posting(dst.account_id, 50)]), extra=[impossible])
    assert platform.ledger.get_account(dst.account_id)["balance"] == 100
    assert platform.ledger.get_journal(f"{mid}-x") is None


def test_missing_account_and_currency_mismatch(platform):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    with pytest.raises(NotFound):
        platform.ledger.post(Journal("j", "t", mid, "USD", [Posting(f"{mid}:a", -1), Posting(f"{mid}:b", 1)]))
    move(platform.ledger, mid, 10)
    src, dst = accounts(mid)
    with pytest.raises(ValidationFailed):
        platform.ledger.post(Journal(f"{mid}-eur", "t", mid, "EUR", [Posting(src.account_id, -1),
                                                                     Posting(dst.account_id, 1)]))


def test_history_newest_first_with_before_after_and_cursor(platform):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    for amount in (100, 200, 300, 400, 500):
        move(platform.ledger, mid, amount)
    page1 = platform.ledger.history(f"{mid}:dst:USD", limit=2)
    assert [p["amount"] for p in page1["data"]] == [500, 400] and page1["has_more"]
    assert page1["data"][0]["balance_after"] == 1500 and page1["data"][0]["balance_before"] == 1000
    page3 = platform.ledger.history(f"{mid}:dst:USD", limit=2, starting_after=page1["data"][-1]["seq"] - 2)
    assert [p["amount"] for p in page3["data"]] == [100] and not page3["has_more"]
    with pytest.raises(ValidationFailed):
        platform.ledger.history(f"{mid}:dst:USD", limit=101)


def test_concurrent_movements_on_one_account_serialise_exactly(platform):
    """16 threads, 160 movements on the same two accounts: every one lands once, seq has no gaps."""
    mid = f"m_{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: move(platform.ledger, mid, 1 + i % 7), range(160)))
    hist, cursor = [], None
    while True:
        page = platform.ledger.history(f"{mid}:dst:USD", limit=100, starting_after=cursor)
        hist += page["data"]
        if not page["has_more"]:
            break
        cursor = page["data"][-1]["seq"]
    expected = sum(1 + i % 7 for i in range(160))
    acct = platform.ledger.get_account(f"{mid}:dst:USD")
    assert acct["balance"] == expected and acct["seq"] == 160
    assert sorted(p["seq"] for p in hist) == list(range(1, 161))
    assert all(p["balance_before"] + p["amount"] == p["balance_after"] for p in hist)


def test_contention_retries_stop_at_the_invocation_deadline(platform):
    """Another writer moves the account's version before every attempt (endless contention): with
    1 s left in the invocation, post keeps retrying, then gives up in time with nothing written."""
    import time

    from payrail.core import deadline
    from payrail.core.errors import ConcurrencyExhausted
    from payrail.core.ledger import Ledger

    mid = f"m_{uuid.uuid4().hex[:8]}"
    move(platform.ledger, mid, 100)
    src, dst = accounts(mid)

    class RivalWriter:
        """The DynamoDB client, with a rival update of ``dst`` just before each transaction."""

        def __init__(self, db):
            self.db, self.transactions = db, 0

        def transact_write_items(self, **kw):
            self.transactions += 1
            self.db.update_item(TableName=platform.ledger.table, Key=Ledger._akey(dst.account_id),
                                UpdateExpression="SET version = version + :one",
                                ExpressionAttributeValues={":one": {"N": "1"}})
            return self.db.transact_write_items(**kw)

        def __getattr__(self, name):
            return getattr(self.db, name)

    rival = RivalWriter(platform.ledger.db)
    contended = Ledger(platform.ledger.table, client=rival)
    journal = Journal(f"{mid}-contended", "test", mid, "USD", [Posting(src.account_id, -5), Posting(dst.account_id, 5)])
    t0 = time.monotonic()
    with deadline.within(1.0), pytest.raises(ConcurrencyExhausted):
        contended.post(journal)
    elapsed = time.monotonic() - t0
    assert elapsed < 5, f"gave up after {elapsed:.1f}s; the invocation had 1 s left"  # 20 s without a deadline
    assert rival.transactions > 1  # it did retry while time was left
    assert platform.ledger.get_journal(journal.journal_id) is None
    assert platform.ledger.get_account(dst.account_id)["balance"] == 100
