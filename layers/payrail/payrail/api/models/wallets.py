"""Customer wallets: credits and debits by the admin, a wallet's balance."""
from pydantic import Field

from payrail.api.models import Amount, Currency, CustomerId, MERCHANT_ID, Model, Strict, examples
from payrail.api.models.views import view
from payrail.commerce import model

__all__ = ["WalletMoveIn", "WalletMovement", "WalletBalance"]


class WalletMoveIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    customer_id: CustomerId
    currency: Currency
    amount: Amount

    model_config = examples(
        {"merchant_id": "m_0123456789abcdef", "customer_id": "cust_42", "currency": "USD", "amount": 2500},
    )


#: a credit or debit as the API shows it: a view of :class:`payrail.commerce.model.WalletMovement`
WalletMovement = view(model.WalletMovement, "WalletMovement", Model, __name__)
#: a wallet's balance: a view of :class:`payrail.commerce.model.WalletBalance`
WalletBalance = view(model.WalletBalance, "WalletBalance", Model, __name__)
