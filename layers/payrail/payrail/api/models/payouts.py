"""The API's payout models: the request, and the payout as a view of
:class:`payrail.payouts.model.Payout` (its status enum is the domain's)."""
from pydantic import Field

from payrail.api.models import BENEFICIARY_ID, REFERENCE, Amount, Currency, Model, StatusChange, Strict, examples
from payrail.api.models.beneficiaries import Beneficiary, BeneficiaryIn
from payrail.api.models.views import values_of, view
from payrail.payouts import model


class PayoutIn(Strict):
    amount: Amount
    currency: Currency
    beneficiary: BeneficiaryIn | None = Field(default=None, description="exactly one of beneficiary and beneficiary_id")
    beneficiary_id: str | None = Field(default=None, pattern=BENEFICIARY_ID, max_length=28,
                                       description="a saved beneficiary")
    merchant_reference: str | None = Field(default=None, pattern=REFERENCE, max_length=64,
                                           description="your id for it, unique among your payouts")
    description: str | None = Field(default=None, max_length=140, description="sent to the provider as remarks")

    model_config = examples(
        {"amount": 50000, "currency": "PKR",
         "beneficiary": {"type": "bank_account", "name": "Ayesha Khan", "bank_code": "HBL", "account_number": "1234560001"},
         "merchant_reference": "inv-1042", "description": "invoice 1042"},
        {"amount": 500, "currency": "INR", "beneficiary_id": "ben_000000000000000000000001"},
    )


Attempt = view(model.Attempt, "Attempt", Model, __name__)
#: the API's payout status: the values of :class:`payrail.payouts.model.PayoutStatus`
PayoutStatusName = values_of(model.PayoutStatus)
Payout = view(model.Payout, "Payout", Model, __name__, nested={
    model.BeneficiaryDetails: Beneficiary, model.Attempt: Attempt, model.StatusChange: StatusChange})


class PayoutPage(Model):
    data: list[Payout]
    has_more: bool
