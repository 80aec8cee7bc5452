"""Mobile-money payments to Ghana wallets, and the admin's float top-ups."""
from typing import Literal

from pydantic import ConfigDict, Field

from payrail.api.models import Amount, FloatBalance, MERCHANT_ID, Metadata, Model, Strict, of_enum, examples
from payrail.api.models.views import view
from payrail.payments import model
from payrail.payments.model import Failover, PaymentAttempt, Recipient, Refund, Risk, RiskReason, Route, RouteCandidate
from payrail.payments.workflow import PaymentStatus

__all__ = ["PAYMENT_ID", "Network", "PaymentStatusName", "MomoProvider", "RecipientIn", "PaymentIn", "Recipient",
           "RouteCandidate", "Route", "RiskReason", "Risk", "PaymentAttempt", "Failover", "Refund", "Payment",
           "PaymentPage", "FloatTopUpIn", "FloatTopUp"]

PAYMENT_ID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Network = Literal["MTN", "AT", "TELECEL"]
PaymentStatusName = of_enum(PaymentStatus)
MomoProvider = Literal["mtn_momo", "airteltigo", "telecel"]


class RecipientIn(Strict):
    phone: str = Field(min_length=7, max_length=20, pattern=r"^\+?[0-9][0-9 -]{6,19}$",
                       description="Ghana mobile number, E.164 (+233241234561) or national (0241234561); stand-in "
                                   "scenarios by the last digit: 1 ok, 2 pending then ok, 3 fails, 4 no answer, "
                                   "5 no float at the provider")
    name: str = Field(min_length=1, max_length=100)
    network: Network | None = Field(default=None, description="the network holding the wallet when the number was "
                                                              "ported (default: detected from the prefix)")


class PaymentIn(Strict):
    amount: Amount
    currency: Literal["GHS"]
    recipient: RecipientIn
    description: str | None = Field(default=None, max_length=140)
    metadata: Metadata | None = None

    model_config = examples(
        {"amount": 1000, "currency": "GHS", "recipient": {"phone": "0241234561", "name": "Ama Mensah"},
         "description": "order 1042", "metadata": {"order": "1042"}},
    )


class Payment(model.Payment):
    # the domain's payment as the API shows it: its status as an inline enum, nothing beyond its fields
    model_config = ConfigDict(extra="ignore")

    status: PaymentStatusName


class PaymentPage(Model):
    data: list[Payment]
    has_more: bool


class FloatTopUpIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    provider: MomoProvider
    currency: Literal["GHS"]
    amount: Amount

    model_config = examples(
        {"merchant_id": "m_0123456789abcdef", "provider": "mtn_momo", "currency": "GHS", "amount": 1000000},
    )


#: the admin's float funding: a view of :class:`payrail.payments.model.FloatFunding`
FloatTopUp = view(model.FloatFunding, "FloatTopUp", Model, __name__, nested={model.FloatBalance: FloatBalance})
