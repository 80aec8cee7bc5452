"""Turns on hot versioned accounts, on DynamoDB Local: a post takes its turn on an account it met a
conflict on instead of sending transactions that fail (each billed for all its items), and turns
never stand in the way of the balance's own guards."""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError
from payrail.core import clock
from payrail.core.errors import InsufficientFunds
from payrail.core.ledger import NON_NEGATIVE, UNBOUNDED, AccountSpec, Journal, Ledger, Posting

from tests.conftest import quiet_audit


class Counted:
    """The DynamoDB client, counting transactions sent and those cancelled."""

    def __init__(self, db):
        self.db, self.sent, self.cancelled = db, 0, 0
        self.lock = threading.Lock()

    def transact_write_items(self, **kw):
        with self.lock:
            self.sent += 1
        try:
            return self.db.transact_write_items(**kw)
        except ClientError:
            with self.lock:
                self.cancelled += 1
            raise

    def __getattr__(self, name):
        return getattr(self.db, name)


def accounts(mid: str) -> tuple[AccountSpec, AccountSpec]:
    return (AccountSpec(f"{mid}:src:USD", mid, "USD", "src", UNBOUNDED),
            AccountSpec(f"{mid}:available:USD", mid, "USD", "available", NON_NEGATIVE))


def move(ledger: Ledger, mid: str, amount: int) -> None:
    src, dst = accounts(mid)
    ledger.post(Journal(uuid.uuid4().hex, "test", mid, "USD", [Posting(src.account_id, -amount),
                                                               Posting(dst.account_id, amount)]), opens=[src, dst])


def hold_turn(ledger: Ledger, account_id: str, seconds: float, turn: str = "turn_other") -> None:
    """Another post's live turn on the account."""
    ledger.db.update_item(TableName=ledger.table, Key=Ledger._akey(account_id),
                          UpdateExpression="SET turn = :t, turn_until = :u",
                          ExpressionAttributeValues={":t": {"S": turn},
                                                     ":u": {"N": str(int((clock.now() + seconds) * 1000))}})


@pytest.fixture
def merchant(platform) -> str:
    mid = f"m_{uuid.uuid4().hex[:8]}"
    move(platform.ledger, mid, 100)
    return mid


def test_a_post_that_reads_another_posts_live_turn_waits_for_it_instead_of_sending_a_failing_transaction(
        platform, merchant):
    _, dst = accounts(merchant)
    hold_turn(platform.ledger, dst.account_id, seconds=30)
    client = Counted(platform.ledger.db)
    other_environment = Ledger(platform.ledger.table, client=client)
    timer = threading.Timer(0.5, platform.ledger._end_turn, (dst.account_id, "turn_other"))
    timer.start()
    t0 = time.monotonic()
    move(other_environment, merchant, 5)
    assert time.monotonic() - t0 >= 0.4  # it waited for the turn to end
    assert (client.sent, client.cancelled) == (1, 0)
    acct = platform.ledger.get_account(dst.account_id)
    assert (acct["balance"], acct["seq"]) == (105, 2) and "turn" not in acct and "turn_until" not in acct
    assert other_environment._hot.get(dst.account_id, 0) > clock.monotonic()  # hot here from now on


def test_an_expired_turn_holds_nobody_up(platform, merchant):
    _, dst = accounts(merchant)
    hold_turn(platform.ledger, dst.account_id, seconds=-1)  # its post died a while ago
    t0 = time.monotonic()
    move(platform.ledger, merchant, 7)
    assert time.monotonic() - t0 < 0.4
    assert platform.ledger.get_account(dst.account_id)["balance"] == 107


def test_a_post_refused_on_its_turn_gives_the_turn_back_and_changes_nothing(platform, merchant):
    src, dst = accounts(merchant)
    ledger = Ledger(platform.ledger.table)
    ledger._heat([dst.account_id])
    with pytest.raises(InsufficientFunds):
        ledger.post(Journal(uuid.uuid4().hex, "test", merchant, "USD",
                            [Posting(dst.account_id, -101), Posting(src.account_id, 101)]))
    acct = platform.ledger.get_account(dst.account_id)
    assert (acct["balance"], acct["seq"]) == (100, 1) and "turn" not in acct
    move(ledger, merchant, 1)  # the next post on the hot account takes its turn and ends it
    acct = platform.ledger.get_account(dst.account_id)
    assert (acct["balance"], acct["seq"]) == (101, 2) and "turn" not in acct and "turn_until" not in acct


def test_environments_contending_for_one_account_take_turns_and_lose_few_transactions(platform, merchant):
    """8 execution environments (a Ledger each), 5 movements each at once into one account: every
    movement lands once with its exact before/after; after its first conflict an environment takes
    turns, so cancelled transactions stay about one per environment (optimistic retries alone
    cancel more transactions than they commit)."""
    clients = [Counted(platform.ledger.db) for _ in range(8)]
    ledgers = [Ledger(platform.ledger.table, client=c) for c in clients]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: move(ledgers[i % 8], merchant, 1 + i % 5), range(40)))
    _, dst = accounts(merchant)
    acct = platform.ledger.get_account(dst.account_id)
    assert (acct["balance"], acct["seq"]) == (100 + sum(1 + i % 5 for i in range(40)), 41)
    hist = platform.ledger.history(dst.account_id, limit=100)["data"]
    assert sorted(p["seq"] for p in hist) == list(range(1, 42))
    assert all(p["balance_before"] + p["amount"] == p["balance_after"] for p in hist)
    assert "turn" not in acct
    assert sum(c.sent for c in clients) - sum(c.cancelled for c in clients) == 40
    assert sum(c.cancelled for c in clients) <= 16, [c.cancelled for c in clients]
    assert quiet_audit(platform.ledger)["ok"]

