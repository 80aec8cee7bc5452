"""Request and response models of the HTTP API (the OpenAPI document's schemas).

Requests are **strict**: money, quantities and counts are integers (a bool, a string or a float —
even ``100.0`` — is refused), unknown fields are refused (Stripe's ``parameter_unknown``), every
id has a pattern and a maximum length, no text holds a C0 or C1 control character (names go to
providers and into CSV files), and ``metadata`` follows Stripe's rule (:data:`Metadata`).
Responses describe exactly what the routes return.

One module per resource (``common`` holds the shared types); this package re-exports them all, so
route modules name every model ``models.X``.
"""

from pydantic import Field

# ---- shared types and the resources of their own module (re-exported: routes name them ``models.X``) ----
from payrail.api.models.common import *  # noqa: E402,F401,F403
from payrail.api.models.balances import *  # noqa: E402,F401,F403
from payrail.api.models.callbacks import *  # noqa: E402,F401,F403
from payrail.api.models.directory import *  # noqa: E402,F401,F403
from payrail.api.models.health import *  # noqa: E402,F401,F403
from payrail.api.models.merchants import *  # noqa: E402,F401,F403
from payrail.api.models.operations import *  # noqa: E402,F401,F403
from payrail.api.models.beneficiaries import (Beneficiary, BeneficiaryIn, BeneficiaryVerification,  # noqa: E402,F401
                                              BankAccountIn, MobileWalletIn, Name, SavedBeneficiary,
                                              SavedBeneficiaryIn, SavedBeneficiaryPage, UpiIn)
from payrail.api.models.payouts import Attempt, Payout, PayoutIn, PayoutPage, PayoutStatusName  # noqa: E402,F401
from payrail.api.models.reservations import (Fulfilment, FulfilIn, ProviderAnswer, Reservation,  # noqa: E402,F401
                                             ReservationIn, ReservationPage, ReservationStatusName)
from payrail.api.models.events import *  # noqa: E402,F401,F403
from payrail.api.models.orders import *  # noqa: E402,F401,F403
from payrail.api.models.payments import *  # noqa: E402,F401,F403
from payrail.api.models.products import *  # noqa: E402,F401,F403
from payrail.api.models.settlements import *  # noqa: E402,F401,F403
from payrail.api.models.reconciliations import *  # noqa: E402,F401,F403
from payrail.api.models.webhooks import *  # noqa: E402,F401,F403
from payrail.api.models.wallets import *  # noqa: E402,F401,F403


# ---- payout decisions, account verification, the operator's holds ----------------------------------
class DecisionIn(Strict):
    note: str | None = Field(default=None, max_length=300)

    model_config = examples(
        {"note": "beneficiary confirmed with the merchant"},
    )


class VerifyIn(Strict):
    beneficiary: BeneficiaryIn

    model_config = examples(
        {"beneficiary": {"type": "upi", "vpa": "success@upi", "name": "Asha Rao"}},
    )


class Holds(Model):
    data: list[Payout] = Field(description="payouts still holding money, oldest first")
    has_more: bool
    older_than_seconds: int
    oldest_age_seconds: int | None = Field(description="age of the oldest listed payout, seconds (None: none)")
