"""The chart of accounts: which accounts exist per merchant and currency.

Per merchant and currency:

* ``available`` (non-negative): money the merchant may pay out.
* ``held`` (non-negative): money on hold for payouts in flight (two-phase: capture or release).
* ``pending`` (non-negative): order payments awaiting fulfilment (captured or refunded).
* ``funding`` (unbounded): the outside world's side of admin wallet credits and debits.
* ``payouts`` (unbounded): the outside world's side of captured payouts (money sent to providers).
* ``fees`` (non-negative): platform fee revenue earned on this merchant's captures.

Per customer of a merchant: ``wallet`` (non-negative).
"""
from __future__ import annotations

from payrail.ledger import NON_NEGATIVE, UNBOUNDED, AccountSpec, account_id

MERCHANT_KINDS = ("available", "held", "pending", "funding", "payouts", "fees")
_UNBOUNDED = {"funding", "payouts"}


def merchant_account(merchant_id: str, kind: str, currency: str) -> AccountSpec:
    """Spec of a merchant-level account of ``kind`` (see module docstring)."""
    if kind not in MERCHANT_KINDS:
        raise ValueError(kind)
    return AccountSpec(account_id(merchant_id, kind, currency), merchant_id, currency, kind,
                       UNBOUNDED if kind in _UNBOUNDED else NON_NEGATIVE)


def wallet(merchant_id: str, customer_id: str, currency: str) -> AccountSpec:
    """Spec of a customer's wallet account with this merchant."""
    return AccountSpec(account_id(merchant_id, "wallet", currency, owner=customer_id), merchant_id, currency,
                       "wallet", NON_NEGATIVE, owner=customer_id)
