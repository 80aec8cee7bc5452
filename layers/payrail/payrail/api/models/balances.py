"""A merchant's balances (available, held, pending, reserved, mobile-money floats), its accounts'
postings, and the admin's top-up."""
from pydantic import Field

from payrail.api.models.common import MERCHANT_ID, Amount, Currency, Model, Strict, examples

__all__ = ['Posting', 'PostingPage', 'FloatBalance', 'MerchantBalance', 'TopUpIn', 'TopUp']


class Posting(Model):
    seq: int
    account_id: str
    journal_id: str
    type: str
    currency: str
    amount: int = Field(description="minor units; negative takes from the account")
    balance_before: int
    balance_after: int
    created_at: str


class PostingPage(Model):
    data: list[Posting]
    has_more: bool


class FloatBalance(Model):
    available: int = Field(description="the merchant's float at the provider (minor units)")
    held: int = Field(description="held for mobile-money payments in flight")


class MerchantBalance(Model):
    currency: str
    available: int
    held: int = Field(description="held for payouts in flight")
    pending: int = Field(description="paid orders awaiting fulfilment")
    reserved: int = Field(description="reserved for orders' seller payouts (reservations)")
    floats: dict[str, FloatBalance] | None = Field(default=None, description="GHS: the merchant's mobile-money "
                                                   "float at each provider, funded by the admin")


class TopUpIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    currency: Currency
    amount: Amount
    reference: str | None = Field(default=None, max_length=140, description="e.g. the bank transfer that funded it")

    model_config = examples(
        {"merchant_id": "m_0123456789abcdef", "currency": "PKR", "amount": 1000000, "reference": "bank transfer 0042"},
    )


class TopUp(Model):
    journal_id: str
    merchant_id: str
    currency: str
    amount: int
    available_after: int | None = Field(description="the available balance right after (null on a replay)")
    created_at: str
