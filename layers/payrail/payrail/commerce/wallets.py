"""Customer wallets and merchant balances: admin credit/debit, balances, history."""
from __future__ import annotations

import re

from payrail.core import accounts, ddb
from payrail.core.errors import NotFound, ValidationFailed
from payrail.core.ids import derived
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import Journal, Ledger, Posting, now_iso
from payrail.core.money import check_amount, check_currency
from payrail.core.store import CUSTOMER, MERCHANT, MainTable
from payrail.commerce.model import History, HistoryEntry, MerchantBalance, TopUp, WalletBalance, WalletMovement

_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def check_customer_id(customer_id: str) -> str:
    if not isinstance(customer_id, str) or not _CUSTOMER_ID.match(customer_id):
        raise ValidationFailed("customer_id must be 1-64 characters of A-Z a-z 0-9 _ . : -", param="customer_id")
    return customer_id


class Wallets:
    """Wallet operations over the ledger; customers are created on their first credit."""

    def __init__(self, ledger: Ledger, main: MainTable):
        self.ledger = ledger
        self.main = main

    def _posting_of(self, account_id: str, journal_id: str) -> HistoryEntry | None:
        cursor = None
        for _ in range(20):
            page = History.of(self.ledger.history(account_id, limit=100, starting_after=cursor))
            for p in page.data:
                if p.journal_id == journal_id:
                    return p
            if not page.has_more:
                return None
            cursor = page.data[-1].seq
        return None

    def move(self, merchant_id: str, customer_id: str, currency: str, amount: int, direction: str,
             idempotency_key: str, fingerprint: str | None = None) -> tuple[WalletMovement, bool]:
        """Credit (``direction="credit"``) or debit a customer wallet against the merchant's funding
        account: one read (the merchant, the wallet, the journal the key names) and one transaction.
        The journal is the key's idempotency record (its id derives from the key; it stores the
        request's fingerprint and the wallet's balance before and after).

        Returns:
            ``(movement, created)``: the same movement, ``created`` False, for a repeat with the same key.

        Raises:
            ValidationFailed: bad customer id, currency or amount.
            NotFound: an unknown merchant; a debit of a wallet that was never credited.
            InsufficientFunds: a debit larger than the wallet balance.
            IdempotencyMismatch: the key already moved money for another request.
        """
        check_customer_id(customer_id)
        check_currency(currency)
        check_amount(amount)
        if direction not in ("credit", "debit"):
            raise ValidationFailed("direction must be credit or debit", param="direction")
        w = accounts.wallet(merchant_id, customer_id, currency)
        journal_id = derived(direction, merchant_id, idempotency_key)
        f = accounts.merchant_account(merchant_id, "funding", currency, shard_key=journal_id)
        got = ddb.batch_get(self.ledger.db, {
            self.main.table: [{"pk": ddb.value(MERCHANT.key(merchant_id))}],
            self.ledger.table: [{"pk": ddb.value(f"A#{w.account_id}"), "sk": ddb.value("A")},
                                {"pk": ddb.value(f"J#{journal_id}"), "sk": ddb.value("J")}]})
        if not got.get(self.main.table):
            raise NotFound("merchant not found", param="merchant_id")
        read = {i["sk"]: i for i in got.get(self.ledger.table, [])}
        if "J" in read:
            res = self.ledger.replayed(read["J"])
        else:
            sign = 1 if direction == "credit" else -1
            journal = Journal(journal_id, f"wallet_{direction}", merchant_id,
                              currency, [Posting(w.account_id, sign * amount), Posting(f.account_id, -sign * amount)],
                              metadata={"customer_id": customer_id, "request_fingerprint": fingerprint})
            extra = []
            if direction == "credit":
                ts = now_iso()
                extra.append({"Update": {
                    "TableName": self.main.table, "Key": {"pk": {"S": CUSTOMER.key(merchant_id, customer_id)}},
                    "UpdateExpression": "SET #t = :t, merchant_id = :m, customer_id = :c, created_at = if_not_exists(created_at, :ts)",
                    "ExpressionAttributeNames": {"#t": "type"},
                    "ExpressionAttributeValues": {":t": {"S": CUSTOMER.type}, ":m": {"S": merchant_id},
                                                  ":c": {"S": customer_id}, ":ts": {"S": ts}}}})
            opens = [f, w] if direction == "credit" else [f]
            res = self.ledger.post(journal, opens=opens, extra=extra, known={w.account_id: read["A"]} if "A" in read else {})
        if not res.created:
            check_fingerprint(res.journal.get("metadata") or {}, fingerprint)
        if w.account_id in res.balances:
            before, after = res.balances[w.account_id]
        else:  # a journal written before journals kept their balances
            p = self._posting_of(w.account_id, journal_id)
            before, after = (p.balance_before, p.balance_after) if p else (None, None)
        return WalletMovement.model_construct(
            journal_id=res.journal["journal_id"], customer_id=customer_id, currency=currency, amount=amount,
            direction=direction, balance_before=before, balance_after=after,
            created_at=res.journal["created_at"]), res.created

    def wallet_balance(self, merchant_id: str, customer_id: str, currency: str) -> WalletBalance:
        """The wallet's balance and when it last moved.

        Raises:
            NotFound: the customer has no wallet in this currency with this merchant.
        """
        check_customer_id(customer_id)
        check_currency(currency)
        a = self.ledger.get_account(accounts.wallet(merchant_id, customer_id, currency).account_id)
        if not a:
            raise NotFound("wallet not found", param="customer_id")
        return WalletBalance.model_construct(customer_id=customer_id, currency=currency, balance=a["balance"],
                                             updated_at=a.get("updated_at"))

    def wallet_history(self, merchant_id: str, customer_id: str, currency: str, limit: int,
                       starting_after: int | None) -> History:
        """Postings of a wallet, newest first, with ``balance_before``/``balance_after``.

        Raises: NotFound (no such wallet); ValidationFailed (limit out of 1..100)."""
        self.wallet_balance(merchant_id, customer_id, currency)
        return History.of(self.ledger.history(accounts.wallet(merchant_id, customer_id, currency).account_id,
                                              limit, starting_after))

    def top_up(self, merchant_id: str, currency: str, amount: int, idempotency_key: str,
               reference: str | None = None, fingerprint: str | None = None) -> TopUp:
        """Admin funding of a merchant's available balance (funding → available), so a
        payouts-only merchant needs no orders to start. Idempotent by key.

        Returns:
            the top-up (``available_after`` None when the key had already moved the money).

        Raises:
            ValidationFailed; IdempotencyMismatch (the key funded another request).
        """
        check_currency(currency)
        check_amount(amount)
        journal_id = derived("top", merchant_id, idempotency_key)
        avail = accounts.merchant_account(merchant_id, "available", currency)
        f = accounts.merchant_account(merchant_id, "funding", currency, shard_key=journal_id)
        journal = Journal(journal_id, "merchant_top_up", merchant_id, currency,
                          [Posting(f.account_id, -amount), Posting(avail.account_id, amount)],
                          metadata={"reference": reference, "request_fingerprint": fingerprint})
        res = self.ledger.post(journal, opens=[f, avail])
        if not res.created:
            check_fingerprint(res.journal.get("metadata") or {}, fingerprint)
        return TopUp.model_construct(journal_id=journal_id, merchant_id=merchant_id, currency=currency, amount=amount,
                                     available_after=res.balances[avail.account_id][1] if res.created else None,
                                     created_at=res.journal["created_at"])

    def merchant_balances(self, merchant_id: str, currency: str) -> MerchantBalance:
        """Available, held, pending and reserved in minor units (0 for accounts never used), read as
        one consistent snapshot (a movement between them is seen whole or not at all)."""
        check_currency(currency)
        ids = {k: accounts.shard_ids(merchant_id, k, currency) for k in ("available", "held", "pending", "reserved")}
        got = self.ledger.get_accounts_snapshot([i for group in ids.values() for i in group])
        return MerchantBalance.model_construct(
            currency=currency, **{k: sum(got.get(i, {}).get("balance", 0) for i in group) for k, group in ids.items()})

    def merchant_history(self, merchant_id: str, kind: str, currency: str, limit: int,
                         starting_after: int | None) -> History:
        """Postings of one merchant account (``available``, ``held`` or ``reserved``), newest first."""
        check_currency(currency)
        if kind not in ("available", "held", "reserved"):
            raise ValidationFailed("account must be available, held or reserved", param="account")
        return History.of(self.ledger.history(accounts.merchant_account(merchant_id, kind, currency).account_id,
                                              limit, starting_after))
