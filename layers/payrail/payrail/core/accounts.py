"""The chart of accounts: which accounts exist per merchant and currency.

Per merchant and currency:

* ``available`` (non-negative): money the merchant may pay out.
* ``held`` (non-negative): money on hold for payouts in flight (two-phase: capture or release).
* ``reserved`` (non-negative): money reserved for an order's seller payout (a reservation:
  fulfilled through a payout, released, or expired back to available).
* ``pending`` (non-negative): order payments awaiting fulfilment (captured or refunded).
* ``funding`` (unbounded): the outside world's side of admin wallet credits and debits.
* ``payouts`` (unbounded): the outside world's side of captured payouts (money sent to providers).
* ``fees`` (non-negative): platform fee revenue earned on this merchant's captures.

Per customer of a merchant: ``wallet`` (non-negative).

Write-hot accounts are **sharded** (DynamoDB serves one item at ~1,000 writes/s and a
transaction per item at a time): ``pending``, ``funding`` and ``fees`` exist as
``SHARDS`` sub-accounts ``<id>#NN``, and a movement picks its shard from a stable key (the
order id, the journal id). Each shard is a full account with its own postings and floor; the
logical balance is the sum of the shards. ``pending`` stays non-negative per shard because an
order's capture or refund debits the shard its payment credited.
"""
from __future__ import annotations

from payrail.core.ledger import NON_NEGATIVE, UNBOUNDED, AccountSpec, account_id, shard_of

MERCHANT_KINDS = ("available", "held", "reserved", "pending", "funding", "payouts", "fees")
_UNBOUNDED = {"funding", "payouts"}
SHARDS = 16
SHARDED = {"pending", "funding", "fees"}


def merchant_account(merchant_id: str, kind: str, currency: str, shard_key: str | None = None) -> AccountSpec:
    """Spec of a merchant-level account of ``kind`` (see module docstring).

    Raises:
        ValueError: unknown kind, or a sharded kind without ``shard_key``.
    """
    if kind not in MERCHANT_KINDS:
        raise ValueError(kind)
    aid = account_id(merchant_id, kind, currency)
    if kind in SHARDED:
        if shard_key is None:
            raise ValueError(f"{kind} accounts are sharded: pass shard_key")
        aid = f"{aid}#{shard_of(shard_key, SHARDS):02d}"
    return AccountSpec(aid, merchant_id, currency, kind, UNBOUNDED if kind in _UNBOUNDED else NON_NEGATIVE)


def shard_ids(merchant_id: str, kind: str, currency: str) -> list[str]:
    """Every account id making up a (possibly sharded) merchant account."""
    aid = account_id(merchant_id, kind, currency)
    return [f"{aid}#{n:02d}" for n in range(SHARDS)] if kind in SHARDED else [aid]


def wallet(merchant_id: str, customer_id: str, currency: str) -> AccountSpec:
    """Spec of a customer's wallet account with this merchant."""
    return AccountSpec(account_id(merchant_id, "wallet", currency, owner=customer_id), merchant_id, currency,
                       "wallet", NON_NEGATIVE, owner=customer_id)


#: mobile-money floats (payrail.payments): per merchant, provider and currency. ``momo_float`` is the
#: merchant's float at the provider (admin-funded from ``momo_funding``), ``momo_held`` what pending
#: payments hold, ``momo_sent`` what reached recipients, ``momo_fees`` the providers' fees.
FLOAT_KINDS = ("momo_float", "momo_held", "momo_sent", "momo_fees", "momo_funding")


def provider_float(merchant_id: str, kind: str, currency: str, provider: str) -> AccountSpec:
    """Spec of a merchant's mobile-money account of ``kind`` at ``provider``
    (``<merchant>:<kind>:<provider>:<currency>``; ``momo_funding`` may go negative).

    Raises:
        ValueError: unknown kind.
    """
    if kind not in FLOAT_KINDS:
        raise ValueError(kind)
    return AccountSpec(account_id(merchant_id, kind, currency, owner=provider), merchant_id, currency, kind,
                       UNBOUNDED if kind == "momo_funding" else NON_NEGATIVE, owner=provider)
