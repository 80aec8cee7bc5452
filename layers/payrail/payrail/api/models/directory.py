"""What payouts can reach (the connectors' directory) and the answer of an account verification."""
from typing import Literal

from payrail.api.models.common import Model
from payrail.api.models.views import view
from payrail.payouts import model

__all__ = ['DirectoryEntry', 'DirectoryPage', 'VerificationResult']


class DirectoryEntry(Model):
    code: str
    name: str
    kind: Literal["bank", "wallet", "rail"]
    country: str
    currency: str
    rail: Literal["bank_account", "mobile_wallet", "upi"]
    iban_code: str | None = None
    provider: str


class DirectoryPage(Model):
    data: list[DirectoryEntry]
    has_more: bool


#: an account verification's answer: a view of :class:`payrail.payouts.model.AccountCheck`
VerificationResult = view(model.AccountCheck, "VerificationResult", Model, __name__)
