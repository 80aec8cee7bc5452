"""Customer wallets: credits and debits by the admin, a wallet's balance."""
from typing import Literal

from pydantic import Field

from payrail.api.models import Amount, Currency, CustomerId, MERCHANT_ID, Model, Strict, examples

__all__ = ["WalletMoveIn", "WalletMovement", "WalletBalance"]


class WalletMoveIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    customer_id: CustomerId
    currency: Currency
    amount: Amount

    model_config = examples(
        {"merchant_id": "m_0123456789abcdef", "customer_id": "cust_42", "currency": "USD", "amount": 2500},
    )


class WalletMovement(Model):
    journal_id: str
    customer_id: str
    currency: str
    amount: int
    direction: Literal["credit", "debit"]
    balance_before: int | None
    balance_after: int | None
    created_at: str


class WalletBalance(Model):
    customer_id: str
    currency: str
    balance: int
    updated_at: str | None = None
