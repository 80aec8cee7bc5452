"""A merchant's balances (available, held, pending, reserved, mobile-money floats), its accounts'
postings, and the admin's top-up."""
from pydantic import Field

from payrail.api.models.common import MERCHANT_ID, Amount, Currency, Model, Strict, examples
from payrail.api.models.views import view
from payrail.commerce import model

__all__ = ['Posting', 'PostingPage', 'FloatBalance', 'MerchantBalance', 'TopUpIn', 'TopUp']


#: one posting of an account: a view of :class:`payrail.commerce.model.HistoryEntry`
Posting = view(model.HistoryEntry, "Posting", Model, __name__)
PostingPage = view(model.History, "PostingPage", Model, __name__, nested={model.HistoryEntry: Posting})
FloatBalance = view(model.FloatBalance, "FloatBalance", Model, __name__)
#: a merchant's balances: a view of :class:`payrail.commerce.model.MerchantBalance`
MerchantBalance = view(model.MerchantBalance, "MerchantBalance", Model, __name__,
                       nested={model.FloatBalance: FloatBalance})


class TopUpIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    currency: Currency
    amount: Amount
    reference: str | None = Field(default=None, max_length=140, description="e.g. the bank transfer that funded it")

    model_config = examples(
        {"merchant_id": "m_0123456789abcdef", "currency": "PKR", "amount": 1000000, "reference": "bank transfer 0042"},
    )


#: the admin's top-up: a view of :class:`payrail.commerce.model.TopUp`
TopUp = view(model.TopUp, "TopUp", Model, __name__)
