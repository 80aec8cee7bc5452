"""The double-entry ledger: accounts, journals and postings in one DynamoDB table.

Model (TigerBeetle/Modern Treasury style):

* An **account** holds a ``balance`` (int, minor units) in one currency, a ``version``
  (optimistic lock) and ``seq`` (number of postings so far). Accounts with floor
  ``non_negative`` (wallets, merchant balances) can never go below zero; ``unbounded``
  accounts (system funding/clearing accounts) may.
* A **journal** is one movement of money: a list of **postings** ``(account_id, amount)``
  whose signed amounts sum to zero. Positive amounts increase a balance, negative decrease it.
* :meth:`Ledger.post` writes the journal, every account update and the postings in ONE
  ``TransactWriteItems``, guarded by ``attribute_not_exists`` on the journal id. Journals and
  postings are never updated or deleted (append-only).
* Journal ids are derived from the business operation (``order:<id>:pay``), so a retried
  operation finds its journal already written and changes nothing.

Two kinds of account update (the trade-off is contention on hot accounts):

* **Versioned** accounts (wallets, ``available``, ``held``, ``reserved``, ``payouts``): read,
  then written with ``version = :v`` (and ``balance >= :debit`` on a non-negative debit), with a
  posting item carrying ``balance_before``/``balance_after`` at ``P#<seq>``. Exact per-posting
  history (customer wallets require it; the merchant balance history API shows
  ``available``, ``held`` and ``reserved``), at the price of one transaction per account at a
  time: concurrent movements of one account retry (:data:`CONTENTION_BUDGET_SECONDS`).
* **Turns on a hot versioned account.** A cancelled transaction is billed for every item in it, so
  optimistic retries on an account many movements touch at once (a busy merchant's ``available``
  while its orders are captured) cost more than the movement itself. An account this execution
  environment met a conflict on (with the other versioned accounts of that journal: they move
  together) stays *hot* here for :data:`HOT_SECONDS`; a post takes a turn on each hot account of
  its journal first, in account id order: one conditional write of the account item (``turn``,
  ``turn_until``: free, expired, or already this post's), which also reads it. Its transaction
  then requires the turn (``turn = :t``, besides ``version``) and ends it (``REMOVE turn,
  turn_until``); a post that ends otherwise gives its turns back. A post never waits holding a
  turn on an account that sorts after the one it waits for (two posts would wait for each other):
  it gives those back, watches the busy account with eventually consistent reads (not writes) at
  short random pauses, the same for every waiter, until the turn ends, and starts again.
  An optimistic post does not overtake a live turn (``turn_until < :now`` is part of every
  versioned update's condition), and one that reads a live turn takes turns instead of sending a
  transaction that would fail. A turn lasts :data:`TURN_SECONDS` at most: a post that took one and
  died holds nobody up longer. Turns only order the writers; the version guard is what keeps the
  balance exact.
* **Counter** accounts (kinds in :data:`COUNTER_KINDS`: ``pending``, ``funding``, ``fees``, all
  sharded 16 ways by ``payrail.core.accounts``): never read before a movement; moved by a conditional
  increment (``ADD balance :amount, seq :1``), guarded only by ``balance >= :debit`` on a debit
  of a non-negative account and ``attribute_exists`` when the account may not be opened. Any
  number of transactions move one counter concurrently (no version, no re-read, no retry), which
  removes the hot items of the order and credit paths. What is given up: no posting item and so
  no ``balance_before``/``balance_after`` per movement (the balance at a point in time is the sum
  of the journals up to it), no currency check against the stored account (the currency is part
  of the account id, so it cannot differ), and no ``PostResult.balances`` entry. The journals
  name every leg, so nothing is lost for reconciliation: :func:`audit` checks a counter's
  ``balance`` and ``seq`` against the sum and count of the journal legs naming it (and a versioned
  account's against its postings and the journals both), so it stays exact.

Item layout (table ``ledger``)::

    pk=A#<account_id>  sk=A                  account
    pk=A#<account_id>  sk=P#<seq:012d>       posting of a versioned account (history, newest first by sk)
    pk=J#<journal_id>  sk=J                  journal (``balances``: each versioned leg's [before, after],
                                             so a repeat answers as the first did); capture journals also carry
                                             gsi1pk=S#<date>#<shard>, gsi1sk=<ts>#<id> (sparse
                                             settlement index)
"""
from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError
from pydantic import Field

from payrail.core import clock
from payrail.core import ddb, deadline
from payrail.core.entity import Entity
from payrail.core.errors import ConcurrencyExhausted, InsufficientFunds, NotFound, ValidationFailed
from payrail.core.ids import now_iso, random_id, shard_of  # noqa: F401 - re-exported (the ledger's time stamps and shards)

NON_NEGATIVE = "non_negative"
UNBOUNDED = "unbounded"
#: how long :meth:`Ledger.post` keeps retrying optimistic-lock conflicts at most (seconds); less when
#: the invocation's deadline (:mod:`payrail.core.deadline`) is nearer
CONTENTION_BUDGET_SECONDS = 20.0
#: the time a retry of :meth:`Ledger.post` needs before the invocation's deadline (its re-read and its
#: transaction, each refused by the deadline guard with less than ``ddb.MIN_ATTEMPT_SECONDS`` left):
#: a retry that would start later is not made, and the conflict is answered as contention
RETRY_RESERVE_SECONDS = 0.25
#: how long an account stays hot in an execution environment after a conflict on it (seconds), and
#: how long a turn on a hot account lasts at most (seconds; module docstring)
HOT_SECONDS = 60.0
TURN_SECONDS = 2.0
SETTLEMENT_INDEX = "gsi1"
#: slices per UTC day of the settlement index. Part of the data model (writers and the settlement
#: job must agree), so a constant rather than a setting.
SETTLEMENT_SHARDS = 16
#: what settlement reads of a capture journal (a nested projection: a fraction of the item)
SETTLEMENT_PROJECTION = "currency, #s.merchant_id, #s.gross, #s.fee"
#: items per page of a reconciliation index read (a parsed page of 1 MB is tens of MB of objects)
RECONCILIATION_PAGE = 1_000
#: account kinds moved by conditional increments without a read (module docstring: counter accounts)
COUNTER_KINDS = frozenset({"pending", "funding", "fees"})


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class Posting:
    """One leg of a journal: ``amount`` minor units added to (or, if negative, taken from) an account."""

    account_id: str
    amount: int


@dataclass(frozen=True)
class AccountSpec:
    """How to open an account that does not exist yet (opened inside the posting transaction)."""

    account_id: str
    merchant_id: str
    currency: str
    kind: str
    floor: str = NON_NEGATIVE
    owner: str | None = None


@dataclass
class Journal:
    """A balanced set of postings. ``settlement`` (``{merchant_id, gross, fee}``) marks capture
    journals that the settlement job aggregates; ``reconciliation`` marks the journals that end a
    transfer at a provider (a journal is at most one of the two)."""

    journal_id: str
    type: str
    merchant_id: str
    currency: str
    postings: list[Posting]
    metadata: dict = field(default_factory=dict)
    settlement: dict | None = None
    #: a journal that ends (or reverses) a transfer a provider made: ``{provider, transfer_id, kind
    #: ("transfer" | "reversal"), outcome ("captured" | "released" | "reversed"), amount}``, indexed
    #: for reconciliation (:meth:`Ledger.reconciliation_rows`)
    reconciliation: dict | None = None


@dataclass
class PostResult:
    """Outcome of :meth:`Ledger.post`: ``created`` is False when the journal already existed."""

    journal: dict
    created: bool
    balances: dict[str, tuple[int, int]] = field(default_factory=dict)  # account -> (before, after)


class ExtraConditionFailed(Exception):
    """A caller-supplied transaction action failed its condition (e.g. stock, order status).

    Attributes:
        index: position of the failed action in the ``extra`` list passed to :meth:`Ledger.post`.
    """

    def __init__(self, index: int):
        super().__init__(f"extra action {index} failed its condition")
        self.index = index


#: :meth:`Ledger._take_turn`'s answer while another post has the turn
_BUSY = object()


def _epoch(seconds: float) -> int:
    """A wall-clock time as integer milliseconds (a turn's ``turn_until``, compared across environments)."""
    return int(seconds * 1000)


def _turn_live(account: dict, turn: str) -> bool:
    """Whether another post than ``turn``'s has a live turn on ``account`` (an account item)."""
    return account.get("turn") not in (None, turn) and int(account.get("turn_until", 0)) >= _epoch(clock.now())


def reconciliation_partition(provider: str, date: str, shard: int) -> str:
    """The reconciliation index partition of ``provider``'s transfers ended on UTC ``date`` in
    ``shard`` (the transfer id's shard, so the provider's side can be cut the same way)."""
    return f"R#{provider}#{date}#{shard:03d}"


def account_id(merchant_id: str, kind: str, currency: str, owner: str | None = None) -> str:
    """Canonical account id: ``<merchant>:<kind>[:<owner>]:<currency>`` (``#NN`` appended for a shard)."""
    return ":".join(p for p in (merchant_id, kind, owner, currency) if p)


def is_counter(account_id_: str) -> bool:
    """Whether the account is a counter account (its kind, the id's second part, is in COUNTER_KINDS)."""
    parts = account_id_.split(":", 2)
    return len(parts) > 2 and parts[1] in COUNTER_KINDS


class Ledger:
    """Data access and posting logic for the ledger table.

    Args:
        table: ledger table name.
    """

    shards = SETTLEMENT_SHARDS

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()
        #: account id -> until when (``clock.monotonic()``) a post takes a turn on it (module docstring)
        self._hot: dict[str, float] = {}

    # ---- reads -----------------------------------------------------------------------
    def get_account(self, account_id_: str) -> dict | None:
        """The account item as a dict (``balance``, ``version``, ``seq`` ...), or None."""
        r = self.db.get_item(TableName=self.table, Key=self._akey(account_id_), ConsistentRead=True)
        return ddb.load(r.get("Item"))

    def get_accounts(self, ids: list[str]) -> dict[str, dict]:
        """Strongly consistent batch read of accounts; missing ids are absent from the result."""
        keys = [self._akey(i) for i in ids]
        out: dict[str, dict] = {}
        while keys:
            r = self.db.batch_get_item(RequestItems={self.table: {"Keys": keys, "ConsistentRead": True}})
            for it in r["Responses"].get(self.table, []):
                a = ddb.load(it)
                out[a["account_id"]] = a
            keys = r.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        return out

    def get_accounts_snapshot(self, ids: list[str]) -> dict[str, dict]:
        """Accounts read in one ``TransactGetItems`` (≤ 100): a serialisable snapshot, so balances
        that one journal moves between are never seen half-moved. Missing ids are absent."""
        if len(ids) > 100:
            raise ValueError("a snapshot reads at most 100 accounts")
        r = self.db.transact_get_items(TransactItems=[{"Get": {"TableName": self.table, "Key": self._akey(i)}}
                                                      for i in ids])
        out: dict[str, dict] = {}
        for resp in r["Responses"]:
            a = ddb.load(resp.get("Item"))
            if a:
                out[a["account_id"]] = a
        return out

    def get_journal(self, journal_id: str) -> dict | None:
        r = self.db.get_item(TableName=self.table, Key={"pk": ddb.value(f"J#{journal_id}"), "sk": ddb.value("J")},
                             ConsistentRead=True)
        return ddb.load(r.get("Item"))

    def history(self, account_id_: str, limit: int = 10, starting_after: int | None = None) -> dict:
        """Postings of an account, newest first: ``{"data": [posting...], "has_more": bool}``.

        Args:
            limit: 1..100.
            starting_after: a posting ``seq``; the page starts with the next older posting.

        Raises:
            ValidationFailed: limit out of range.
        """
        if not 1 <= limit <= 100:
            raise ValidationFailed("limit must be between 1 and 100", param="limit")
        kw = dict(TableName=self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                  ExpressionAttributeValues={":pk": ddb.value(f"A#{account_id_}"), ":p": ddb.value("P#")},
                  ScanIndexForward=False, Limit=limit + 1, ConsistentRead=True)
        if starting_after is not None:
            kw["ExclusiveStartKey"] = {"pk": ddb.value(f"A#{account_id_}"), "sk": ddb.value(f"P#{starting_after:012d}")}
        items = [ddb.load(i) for i in self.db.query(**kw)["Items"]]
        data = [{k: v for k, v in i.items() if k not in ("pk", "sk")} for i in items[:limit]]
        return {"data": data, "has_more": len(items) > limit}

    # ---- the one way money moves -----------------------------------------------------
    def post(self, journal: Journal, opens: list[AccountSpec] = (), extra: list[dict] = (),
             created_at: str | None = None, known: dict[str, dict] | None = None,
             before_retry: Callable[[], None] | None = None) -> PostResult:
        """Write ``journal`` atomically with its postings, account updates and ``extra`` actions.

        Args:
            journal: balanced journal (postings sum to zero; all accounts in ``journal.currency``).
            opens: accounts to open (balance 0) if missing; other missing accounts raise NotFound.
            extra: further ``TransactWriteItems`` actions (e.g. order put, stock update) that
                must commit together with the money movement.
            created_at: ISO timestamp to stamp on journal and postings (default: now).
            known: the journal's versioned accounts as the caller has just read them
                (strongly consistent; an id absent from it does not exist), so the first attempt
                needs no read of its own; a retry reads again. Counter accounts are never read.
            before_retry: called after a cancellation that is no failed condition (an account's
                version moved, or another transaction held one of the items) and before trying
                again; it may raise (for example :class:`ExtraConditionFailed` when a fresh read
                shows one of ``extra`` would fail) to end the post with nothing written.

        Returns:
            PostResult; ``created=False`` when a journal with this id already exists (the
            retried operation had already happened; nothing was written this time).

        Raises:
            ValidationFailed: unbalanced journal, zero amount, duplicate account, currency mismatch.
            NotFound: an account neither exists nor is in ``opens``.
            InsufficientFunds: a ``non_negative`` account would go below zero.
            ExtraConditionFailed: one of ``extra`` failed its condition.
            ConcurrencyExhausted: optimistic-lock conflicts on a hot account lasted longer than
                CONTENTION_BUDGET_SECONDS or the invocation's remaining time (``deadline.remaining()``)
                less :data:`RETRY_RESERVE_SECONDS`, whichever is shorter; at least one attempt is
                made, and no back-off sleeps past that budget (nothing was written; the caller may
                retry).
        """
        self._validate(journal)
        specs = {s.account_id: s for s in opens}
        versioned = [p.account_id for p in journal.postings if not is_counter(p.account_id)]
        give_up_at = clock.monotonic() + min(CONTENTION_BUDGET_SECONDS, deadline.remaining() - RETRY_RESERVE_SECONDS)
        turn, taken = random_id("turn"), set()  # this post's turn token; the accounts it has a turn on
        try:
            return self._post(journal, specs, versioned, extra, created_at, known, before_retry, give_up_at,
                              turn, taken)
        finally:
            for account in taken:  # a post that ended without its transaction gives its turns back
                self._end_turn(account, turn)

    def _post(self, journal: Journal, specs: dict[str, AccountSpec], versioned: list[str], extra: list[dict],
              created_at: str | None, known: dict[str, dict] | None, before_retry: Callable[[], None] | None,
              give_up_at: float, turn: str, taken: set[str]) -> PostResult:
        """The attempts of :meth:`post` (its docstring); ``taken`` collects the accounts this post
        has a turn on, and loses those its committed transaction ended."""
        attempt = 0
        while True:
            attempt += 1
            ts = created_at or now_iso()
            hot = [a for a in versioned if self._hot.get(a, 0.0) > clock.monotonic()]
            if not hot and known is not None and attempt == 1:
                accounts = {i: known[i] for i in versioned if i in known}
            else:
                rest = [a for a in versioned if a not in hot]
                accounts = self.get_accounts(rest) if rest else {}
            if any(_turn_live(acct, turn) for acct in accounts.values()):
                self._heat(versioned)  # another post has its turn: take ours rather than send a transaction it would fail
                continue
            waited = False
            for a in sorted(hot):
                acct = self._take_turn(a, turn)
                if acct is _BUSY:
                    if any(held > a for held in taken):  # never wait holding a later turn: two posts would wait
                        for held in taken:               # for each other; earlier ones are safe to keep
                            self._end_turn(held, turn)
                        taken.clear()
                    self._wait_turn(a, turn, give_up_at)
                    waited = True
                    break
                if acct is not None:
                    accounts[a] = acct
                    taken.add(a)
            if waited:
                continue
            actions, balances, posting_actions = [None], {}, []  # the journal (with balances) goes first
            counters: dict[int, Posting] = {}  # action index -> posting of a counter account
            updates: dict[int, str] = {}  # action index -> versioned account updated there
            for p in journal.postings:
                if is_counter(p.account_id):
                    counters[len(actions)] = p
                    actions.append(self._counter_update(p, specs.get(p.account_id), ts))
                    continue
                acct = accounts.get(p.account_id)
                if acct is None:
                    spec = specs.get(p.account_id)
                    if spec is None:
                        raise NotFound(f"account {p.account_id} not found", param="account")
                    acct = {"account_id": spec.account_id, "merchant_id": spec.merchant_id, "currency": spec.currency,
                            "kind": spec.kind, "floor": spec.floor, "owner": spec.owner,
                            "balance": 0, "version": 0, "seq": 0, "_new": True}
                if acct["currency"] != journal.currency:
                    raise ValidationFailed(f"account {p.account_id} is in {acct['currency']}, journal in "
                                           f"{journal.currency}", param="currency")
                before, after = acct["balance"], acct["balance"] + p.amount
                if acct["floor"] == NON_NEGATIVE and after < 0:
                    existing = self.get_journal(journal.journal_id)
                    if existing:
                        return self.replayed(existing)
                    raise InsufficientFunds(f"insufficient funds in {p.account_id}", param="amount")
                balances[p.account_id] = (before, after)
                updates[len(actions)] = p.account_id
                actions.append(self._account_update(acct, p.amount, after, ts,
                                                    turn if p.account_id in taken else None))
                posting_actions.append(self._posting_put(acct, journal, p.amount, before, after, ts))
            actions[0] = self._journal_put(journal, ts, balances)
            actions += posting_actions
            offset = len(actions)
            actions += list(extra)
            try:
                self.db.transact_write_items(TransactItems=actions)
                taken.clear()  # the transaction ended them
                return PostResult(self._journal_dict(journal, ts, balances), created=True, balances=balances)
            except ClientError as err:
                if not ddb.is_code(err, "TransactionCanceledException", "TransactionConflictException"):
                    raise
                codes = ddb.cancellation_codes(err)
                if codes and codes[0] == "ConditionalCheckFailed":
                    existing = self.get_journal(journal.journal_id)
                    if existing:
                        return self.replayed(existing)
                for i, code in enumerate(codes[offset:]):
                    if code == "ConditionalCheckFailed":
                        raise ExtraConditionFailed(i) from err
                for i, p in counters.items():
                    if i < len(codes) and codes[i] == "ConditionalCheckFailed":
                        if self._counter_floor_guarded(p, specs.get(p.account_id)):
                            raise InsufficientFunds(f"insufficient funds in {p.account_id} (or no such account)",
                                                    param="amount") from err
                        raise NotFound(f"account {p.account_id} not found", param="account") from err
                # account version moved, another post's turn, or a transaction conflict: those accounts
                # are hot here from now on; back off (full jitter), re-read, retry
                conflicted = [a for i, a in updates.items() if i < len(codes) and codes[i] != "None"]
                self._heat(versioned)  # the journal's accounts move together: turns on all of them
                if conflicted and taken.issuperset(conflicted):  # a read held the items, no writer: again soon
                    pause = random.uniform(0, 0.01)
                else:
                    pause = random.uniform(0, min(0.5, 0.005 * 2 ** min(attempt, 7)))
                if clock.monotonic() + pause >= give_up_at:
                    raise ConcurrencyExhausted("too much contention on the accounts of this movement; "
                                               "retry the request") from err
                time.sleep(pause)
                if before_retry is not None:
                    before_retry()

    # ---- building blocks -------------------------------------------------------------
    @staticmethod
    def _validate(j: Journal) -> None:
        if not j.postings:
            raise ValidationFailed("a journal needs postings")
        seen = set()
        for p in j.postings:
            if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount == 0:
                raise ValidationFailed("posting amounts are non-zero integers (minor units)", param="amount")
            if p.account_id in seen:
                raise ValidationFailed(f"account {p.account_id} appears twice in one journal")
            seen.add(p.account_id)
        # every account of a journal is in j.currency (checked in post), so balancing per currency is one sum
        total = sum(p.amount for p in j.postings)
        if total:
            raise ValidationFailed(f"journal {j.journal_id} does not balance: {j.currency} {total:+d}")

    @staticmethod
    def _akey(account_id_: str) -> dict:
        return {"pk": ddb.value(f"A#{account_id_}"), "sk": ddb.value("A")}

    @staticmethod
    def replayed(journal: dict) -> PostResult:
        """The result of a post whose journal already existed: its versioned accounts' balances as
        that post left them (journals older than the ``balances`` attribute have none)."""
        return PostResult(journal, created=False,
                          balances={k: tuple(v) for k, v in (journal.get("balances") or {}).items()})

    def _journal_dict(self, j: Journal, ts: str, balances: dict[str, tuple[int, int]] | None = None) -> dict:
        d = {"journal_id": j.journal_id, "type": j.type, "merchant_id": j.merchant_id, "currency": j.currency,
             "postings": [{"account_id": p.account_id, "amount": p.amount} for p in j.postings],
             "metadata": j.metadata or None, "created_at": ts,
             "balances": {k: list(v) for k, v in balances.items()} if balances else None}
        if j.settlement:
            d["settlement"] = j.settlement
            d["gsi1pk"] = f"S#{ts[:10]}#{shard_of(j.journal_id, self.shards):03d}"
            d["gsi1sk"] = f"{ts}#{j.journal_id}"
        elif j.reconciliation:
            r = j.reconciliation
            d["reconciliation"] = r
            d["gsi1pk"] = reconciliation_partition(r["provider"], ts[:10], shard_of(r["transfer_id"], self.shards))
            d["gsi1sk"] = f"{ts}#{j.journal_id}"
        return d

    def journal_item(self, j: Journal, ts: str, balances: dict[str, tuple[int, int]] | None = None) -> dict:
        """The journal's item exactly as :meth:`post` writes it (DynamoDB attribute values): keys
        ``pk=J#<id>``, ``sk=J``, the journal (with its versioned legs' ``balances``), and for
        capture journals the settlement index keys. Shared with the settlement benchmark's
        seeder, so seeded rows are the platform's rows."""
        return ddb.dump({"pk": f"J#{j.journal_id}", "sk": "J", **self._journal_dict(j, ts, balances)})

    def _journal_put(self, j: Journal, ts: str, balances: dict[str, tuple[int, int]] | None = None) -> dict:
        return {"Put": {"TableName": self.table, "Item": self.journal_item(j, ts, balances),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def _account_update(self, acct: dict, amount: int, after: int, ts: str, turn: str | None = None) -> dict:
        """A versioned account's update: guarded by its ``version`` (and ``balance >= :debit`` on a
        debit of a non-negative account), by this post's ``turn`` when it has one (which it ends),
        else by no other post's turn being live (module docstring)."""
        values = {":after": after, ":v1": acct["version"] + 1, ":seq": acct["seq"] + 1, ":ts": ts}
        sets = ["balance = :after", "version = :v1", "seq = :seq", "updated_at = :ts"]
        if acct.get("_new"):
            cond = "attribute_not_exists(pk)"
            for f in ("account_id", "merchant_id", "currency", "kind", "floor", "owner"):
                if acct.get(f) is not None:
                    values[f":{f}"] = acct[f]
                    sets.append(f"#{f} = :{f}")
            values[":ts0"] = ts
            sets.append("created_at = :ts0")
        else:
            cond = "version = :v"
            values[":v"] = acct["version"]
            if acct["floor"] == NON_NEGATIVE and amount < 0:
                cond += " AND balance >= :debit"
                values[":debit"] = -amount
            if turn is not None:
                cond += " AND turn = :turn"
                values[":turn"] = turn
            else:
                cond += " AND (attribute_not_exists(turn_until) OR turn_until < :now)"
                values[":now"] = _epoch(clock.now())
        names = {f"#{f}": f for f in ("account_id", "merchant_id", "currency", "kind", "floor", "owner")
                 if f":{f}" in values}
        upd = {"TableName": self.table, "Key": self._akey(acct["account_id"]),
               "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE turn, turn_until" if turn else ""),
               "ConditionExpression": cond,
               "ExpressionAttributeValues": {k: ddb.value(v) for k, v in values.items()}}
        if names:
            upd["ExpressionAttributeNames"] = names
        return {"Update": upd}

    def _heat(self, accounts: list[str]) -> None:
        until = clock.monotonic() + HOT_SECONDS
        for a in accounts:
            self._hot[a] = until
        if len(self._hot) > 10_000:  # an environment's memory stays bounded
            now = clock.monotonic()
            self._hot = {a: t for a, t in self._hot.items() if t > now}

    def _take_turn(self, account_id_: str, turn: str) -> dict | None:
        """Take this post's turn on a hot account (module docstring): the account as it is now,
        None when it does not exist (yet: opened by the post), or ``_BUSY`` while another post has
        the turn (or a transaction has the item)."""
        now = _epoch(clock.now())
        try:
            r = self.db.update_item(
                TableName=self.table, Key=self._akey(account_id_), ReturnValues="ALL_NEW",
                UpdateExpression="SET turn = :turn, turn_until = :until",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(turn_until) "
                                    "OR turn_until < :now OR turn = :turn)",
                ExpressionAttributeValues={":turn": ddb.value(turn), ":now": ddb.value(now),
                                           ":until": ddb.value(now + int(TURN_SECONDS * 1000))},
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
            return ddb.load(r["Attributes"])
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                return _BUSY if err.response.get("Item") else None
            if ddb.is_code(err, "TransactionConflictException"):
                return _BUSY
            raise

    def _wait_turn(self, account_id_: str, turn: str, give_up_at: float) -> None:
        """Watch an account another post has the turn on, with eventually consistent reads at short
        random pauses (every waiter looks as often, so none is left behind), until the turn ends or
        expires.

        Raises:
            ConcurrencyExhausted: still another post's turn at ``give_up_at`` (``clock.monotonic()``).
        """
        while True:
            pause = random.uniform(0.002, 0.02)
            if clock.monotonic() + pause >= give_up_at:
                raise ConcurrencyExhausted("too much contention on the accounts of this movement; retry the request")
            time.sleep(pause)
            r = self.db.get_item(TableName=self.table, Key=self._akey(account_id_), ConsistentRead=False)
            if not _turn_live(ddb.load(r.get("Item")) or {}, turn):
                return

    def _end_turn(self, account_id_: str, turn: str) -> None:
        """Give back this post's turn on an account (nothing when it is no longer this post's)."""
        for _ in range(3):
            try:
                self.db.update_item(TableName=self.table, Key=self._akey(account_id_),
                                    UpdateExpression="REMOVE turn, turn_until", ConditionExpression="turn = :turn",
                                    ExpressionAttributeValues={":turn": ddb.value(turn)})
                return
            except Exception as exc:  # an outage leaves the turn to expire
                if isinstance(exc, ClientError) and ddb.is_code(exc, "TransactionConflictException"):
                    time.sleep(random.uniform(0, 0.01))  # a transaction reading the account: again
                    continue
                if not ddb.is_outage(exc) and not (isinstance(exc, ClientError)
                                                   and ddb.is_code(exc, "ConditionalCheckFailedException")):
                    raise
                return

    @staticmethod
    def _counter_floor_guarded(p: Posting, spec: AccountSpec | None) -> bool:
        """A debit of a non-negative counter (one not in ``opens`` counts as non-negative: pass an
        unbounded counter's spec to debit it below zero)."""
        return p.amount < 0 and (spec is None or spec.floor == NON_NEGATIVE)

    def _counter_update(self, p: Posting, spec: AccountSpec | None, ts: str) -> dict:
        """A counter account's conditional increment (module docstring): ``ADD balance, seq``; the
        account's fields set if it is new (``spec`` given: it may be opened); ``balance >= :debit``
        on a debit of a non-negative account, ``attribute_exists`` when it may not be opened."""
        values: dict = {":amt": p.amount, ":one": 1, ":ts": ts}
        sets = ["updated_at = :ts"]
        names: dict = {}
        if spec is not None:
            for f in ("account_id", "merchant_id", "currency", "kind", "floor", "owner", "created_at"):
                v = ts if f == "created_at" else getattr(spec, f)
                if v is not None:
                    names[f"#{f}"] = f
                    values[f":{f}"] = v
                    sets.append(f"#{f} = if_not_exists(#{f}, :{f})")
        if self._counter_floor_guarded(p, spec):
            cond = "balance >= :debit"
            values[":debit"] = -p.amount
        elif spec is None:
            cond = "attribute_exists(pk)"
        else:
            cond = None
        upd = {"TableName": self.table, "Key": self._akey(p.account_id),
               "UpdateExpression": "ADD balance :amt, seq :one SET " + ", ".join(sets),
               "ExpressionAttributeValues": {k: ddb.value(v) for k, v in values.items()}}
        if cond:
            upd["ConditionExpression"] = cond
        if names:
            upd["ExpressionAttributeNames"] = names
        return {"Update": upd}

    def _posting_put(self, acct: dict, j: Journal, amount: int, before: int, after: int, ts: str) -> dict:
        seq = acct["seq"] + 1
        item = {"pk": f"A#{acct['account_id']}", "sk": f"P#{seq:012d}", "seq": seq,
                "account_id": acct["account_id"], "journal_id": j.journal_id, "type": j.type,
                "currency": j.currency, "amount": amount, "balance_before": before, "balance_after": after,
                "created_at": ts}
        return {"Put": {"TableName": self.table, "Item": ddb.dump(item),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    # ---- settlement index ------------------------------------------------------------
    def _settlement_query(self, date: str, shard: int, partition: str | None = None) -> dict:
        return dict(TableName=self.table, IndexName=SETTLEMENT_INDEX, KeyConditionExpression="gsi1pk = :p",
                    ExpressionAttributeValues={":p": ddb.value(partition or f"S#{date}#{shard:03d}")})

    def reconciliation_query(self, provider: str, date: str, shard: int, lo: str | None = None,
                             hi: str | None = None) -> dict:
        """The ``Query`` arguments of :meth:`reconciliation_rows` (the journal keys between ``lo``
        and ``hi``, ISO times; a key at exactly ``hi`` is filtered out by the reader)."""
        kw = self._settlement_query(date, shard, reconciliation_partition(provider, date, shard))
        kw["ProjectionExpression"] = "journal_id, created_at, merchant_id, currency, reconciliation"
        kw["Limit"] = RECONCILIATION_PAGE  # a reader holds a few parsed pages at once: keep them small
        if lo or hi:
            kw["KeyConditionExpression"] += " AND gsi1sk BETWEEN :lo AND :hi"
            kw["ExpressionAttributeValues"] |= {":lo": ddb.value(lo or date), ":hi": ddb.value(hi or f"{date}T24")}
        return kw

    def reconciliation_rows(self, provider: str, date: str, shard: int, lo: str | None = None, hi: str | None = None):
        """Yield ``(provider, kind, transfer_id, merchant_id, amount, currency, outcome, created_at,
        journal_id)`` (amount in minor units; the fields of the journal's ``reconciliation``
        ``{provider, transfer_id, kind, outcome, amount}`` beside its own) of every journal ending a
        transfer at ``provider`` on UTC ``date`` whose transfer id falls in ``shard`` (the same
        sparse index as settlement, partition ``R#<provider>#<date>#<shard>``), optionally only
        those with ``lo <= created_at < hi`` (ISO times), page by page: nothing but the current
        page is held."""
        kw = self.reconciliation_query(provider, date, shard, lo, hi)
        same = sys.intern  # merchants, currencies, kinds and outcomes repeat: one string each
        while True:
            r = self.db.query(**kw)
            for it in r["Items"]:
                at = it["created_at"]["S"]
                if hi and at >= hi:
                    continue
                m = it["reconciliation"]["M"]
                yield (same(m["provider"]["S"]), same(m["kind"]["S"]), m["transfer_id"]["S"],
                       same(it["merchant_id"]["S"]), int(m["amount"]["N"]), same(it["currency"]["S"]),
                       same(m["outcome"]["S"]), at, it["journal_id"]["S"])
            if "LastEvaluatedKey" not in r:
                return
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def settlement_query(self, date: str, shard: int, part: int = 0, parts: int = 1,
                         merchant_id: str | None = None) -> dict:
        """The ``Query`` arguments of one slice of the settlement index: the capture journals of
        UTC ``date`` in ``shard`` whose timestamp falls in the ``part``-th of ``parts`` equal
        ranges of the day (the index sort key begins with the timestamp, so a big day is cut
        finer without changing what writers write), projected to what settlement needs
        (:data:`SETTLEMENT_PROJECTION`), optionally only ``merchant_id``'s."""
        kw = self._settlement_query(date, shard)
        kw["ProjectionExpression"] = SETTLEMENT_PROJECTION
        kw["ExpressionAttributeNames"] = {"#s": "settlement"}
        if parts > 1:
            lo, hi = (86_400 * k // parts for k in (part, part + 1))
            kw["KeyConditionExpression"] += " AND gsi1sk BETWEEN :lo AND :hi"
            # [lo, hi): every key starts with its timestamp "...THH:MM:SS.ffffffZ#", so a key at
            # exactly ``hi`` sorts after the bare "THH:MM:SS" bound; the last range ends at "T24:00:00"
            kw["ExpressionAttributeValues"] |= {":lo": ddb.value(f"{date}T{_hms(lo)}"),
                                                ":hi": ddb.value(f"{date}T{_hms(hi)}")}
        if merchant_id:
            kw["FilterExpression"] = "#s.merchant_id = :m"
            kw["ExpressionAttributeValues"][":m"] = ddb.value(merchant_id)
        return kw

    def settlement_rows(self, date: str, shard: int, part: int = 0, parts: int = 1,
                        merchant_id: str | None = None):
        """Yield ``(merchant_id, currency, gross, fee)`` (minor units) of every capture journal in
        one slice of the settlement index (see :meth:`settlement_query`), page by page: nothing
        but the current page is held. The attribute values are read directly (no generic
        deserialisation: this loop runs once per capture)."""
        kw = self.settlement_query(date, shard, part, parts, merchant_id)
        while True:
            r = self.db.query(**kw)
            for it in r["Items"]:
                s = it["settlement"]["M"]
                yield s["merchant_id"]["S"], it["currency"]["S"], int(s["gross"]["N"]), int(s["fee"]["N"])
            if "LastEvaluatedKey" not in r:
                return
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def settlement_day_estimate(self, date: str, sample: int = 256, partition: str | None = None) -> int:
        """Roughly how many capture journals UTC ``date`` holds, from one small read: the first
        ``sample`` keys of shard 0 (shards are even by construction) and how far into the day the
        last of them lies. Exact for a day with fewer than ``sample`` captures per shard.
        ``partition``: shard 0 of another index of the same shape (a provider's reconciliation day,
        :func:`reconciliation_partition`)."""
        kw = self._settlement_query(date, 0, partition) | {"ProjectionExpression": "gsi1sk", "Limit": sample}
        r = self.db.query(**kw)
        items = r["Items"]
        if "LastEvaluatedKey" not in r or not items:
            return len(items) * self.shards
        hh, mm, ss = (int(x) for x in items[-1]["gsi1sk"]["S"][11:19].split(":"))
        elapsed = max(hh * 3600 + mm * 60 + ss, 1)
        return len(items) * self.shards * 86_400 // elapsed

    # ---- audit -----------------------------------------------------------------------
    def scan(self, segments: int = 4):
        """Yield every item of the ledger table (parallel scan segments, read one after another)."""
        for seg in range(segments):
            kw = dict(TableName=self.table, Segment=seg, TotalSegments=segments, ConsistentRead=True)
            while True:
                r = self.db.scan(**kw)
                for it in r["Items"]:
                    yield ddb.load(it)
                if "LastEvaluatedKey" not in r:
                    break
                kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


class AuditReport(Entity):
    """:func:`audit`'s report (the API's ``LedgerAudit`` is this model)."""

    ok: bool = Field(description="every check passed")
    journals: int
    accounts: int
    postings: int = Field(description="journal legs")
    unbalanced_journals: list[str] = Field(description="journals whose postings do not sum to zero")
    account_mismatches: list[str] = Field(description="accounts whose balance or count disagrees with their legs")
    orphan_postings: list[str] = Field(description="postings no journal names, or with a wrong balance_after")
    total_by_currency: dict[str, int] = Field(description="sum of every account's balance per currency (zero)")


def audit(ledger: Ledger) -> AuditReport:
    """Reconcile the whole ledger from its items.

    Checks: every journal's postings sum to zero; every account's ``balance`` equals the sum of
    the journal legs naming it and its ``seq`` their count; a versioned account's postings say the
    same (sum, count, one per leg) and each posting's ``balance_after`` equals ``balance_before +
    amount``; every posting belongs to a journal that names it; the sum of all balances per
    currency is zero. Counter accounts (module docstring) have no posting items: their legs are
    the journals'.

    Returns:
        the :class:`AuditReport` (``postings`` counts journal legs; read by name, ``report["ok"]``,
        as well as by attribute).
    """
    accounts, journals, postings = {}, {}, defaultdict(list)
    for it in ledger.scan():
        if it["sk"] == "A":
            accounts[it["account_id"]] = it
        elif it["sk"] == "J":
            journals[it["journal_id"]] = it
        elif it["sk"].startswith("P#"):
            postings[it["account_id"]].append(it)
    unbalanced = [jid for jid, j in journals.items() if sum(p["amount"] for p in j["postings"]) != 0]
    mismatches, orphans = [], []
    legs = {(jid, p["account_id"]): p["amount"] for jid, j in journals.items() for p in j["postings"]}
    by_account: dict[str, list[int]] = defaultdict(list)
    for (_, aid), amount in legs.items():
        by_account[aid].append(amount)
    for aid, a in accounts.items():
        mine = by_account.get(aid, [])
        ps = postings.get(aid, [])
        if sum(mine) != a["balance"] or len(mine) != a["seq"]:
            mismatches.append(aid)
        elif not is_counter(aid) and (sum(p["amount"] for p in ps) != a["balance"] or len(ps) != a["seq"]):
            mismatches.append(aid)
        for p in ps:
            if p["balance_before"] + p["amount"] != p["balance_after"] or legs.get((p["journal_id"], aid)) != p["amount"]:
                orphans.append(f"{aid}#{p['seq']}")
    missing = set(by_account) - set(accounts)
    if missing:
        mismatches += sorted(missing)
    totals: dict[str, int] = defaultdict(int)
    for a in accounts.values():
        totals[a["currency"]] += a["balance"]
    ok = not unbalanced and not mismatches and not orphans and not any(totals.values())
    return AuditReport.model_construct(journals=len(journals), accounts=len(accounts), postings=len(legs),
                                       unbalanced_journals=unbalanced, account_mismatches=mismatches,
                                       orphan_postings=orphans, total_by_currency=dict(totals), ok=ok)
