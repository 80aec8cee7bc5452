"""The API's reservation models: the requests, the reservation as a view of
:class:`payrail.payouts.model.Reservation`, and a fulfilment's answer."""
from typing import Literal

from pydantic import Field

from payrail.api.models import BENEFICIARY_ID, REFERENCE, Amount, Currency, Model, StatusChange, Strict, examples
from payrail.api.models.beneficiaries import Beneficiary, BeneficiaryIn
from payrail.api.models.payouts import PayoutStatusName
from payrail.api.models.views import values_of, view
from payrail.payouts import model

RS = model.ReservationStatus


class ReservationIn(Strict):
    amount: Amount
    currency: Currency
    beneficiary: BeneficiaryIn | None = Field(default=None, description="exactly one of beneficiary and beneficiary_id")
    beneficiary_id: str | None = Field(default=None, pattern=BENEFICIARY_ID, max_length=28)
    expires_in_seconds: int | None = Field(default=None, strict=True, ge=1, le=7 * 86_400,
                                           description="default: the platform's (900)")
    order_reference: str | None = Field(default=None, pattern=REFERENCE, max_length=64, description="your order id")

    model_config = examples(
        {"amount": 500, "currency": "INR", "beneficiary_id": "ben_000000000000000000000001",
         "expires_in_seconds": 900, "order_reference": "ord-1042"},
    )


#: the API's reservation status: the values of :class:`payrail.payouts.model.ReservationStatus`
ReservationStatusName = values_of(RS)
Reservation = view(model.Reservation, "Reservation", Model, __name__, nested={
    model.BeneficiaryDetails: Beneficiary, model.StatusChange: StatusChange})


class ReservationPage(Model):
    data: list[Reservation]
    has_more: bool


class FulfilIn(Strict):
    amount: Amount | None = Field(default=None, description="if given, must equal the reservation's amount")

    model_config = examples(
        {"amount": 500},
    )


#: what the provider said so far: a view of :class:`payrail.payouts.model.ProviderAnswer`
ProviderAnswer = view(model.ProviderAnswer, "ProviderAnswer", Model, __name__)
#: a fulfilment's answer: a view of :class:`payrail.payouts.model.Fulfilment`
Fulfilment = view(model.Fulfilment, "Fulfilment", Model, __name__, nested={model.ProviderAnswer: ProviderAnswer})
