"""The API's beneficiary models: the inline kinds a payout or reservation takes, and the saved
beneficiaries (views of :mod:`payrail.payouts.model`'s entities)."""
from typing import Annotated, Literal, Union

from pydantic import Field

from payrail.api.models import StatusChange, Strict, Model, examples
from payrail.api.models.views import view
from payrail.core.patterns import VPA_PATTERN
from payrail.payouts import model

Name = Annotated[str, Field(min_length=1, max_length=100, description="the account holder's name")]


class BankAccountIn(Strict):
    type: Literal["bank_account"]
    name: Name
    bank_code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{2,20}$",
                                  description="a directory bank code (Pakistan) or an IFSC (India)")
    account_number: str | None = Field(default=None, pattern=r"^[0-9]{9,18}$",
                                       description="10-16 digits in Pakistan, 9-18 in India; stand-in suffixes: "
                                                   "0001 ok, 0002 transient, 0003 fails, 0004 pending, 0005 on hold")
    iban: str | None = Field(default=None, min_length=15, max_length=42, pattern=r"^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]+$",
                             description="instead of bank_code + account_number: a Pakistani IBAN")


class MobileWalletIn(Strict):
    type: Literal["mobile_wallet"]
    name: Name
    wallet_code: str = Field(pattern=r"^[A-Za-z]{2,20}$", description="a directory wallet code, e.g. JAZZCASH")
    msisdn: str = Field(pattern=r"^\+?[0-9][0-9 -]{6,19}$", description="the holder's mobile number: E.164 "
                        "(+923001234567) or national (03001234567)")


class UpiIn(Strict):
    type: Literal["upi"]
    name: Name
    vpa: str = Field(pattern=VPA_PATTERN, max_length=255, description="UPI address; sandbox: success@upi, invalid@upi")


BeneficiaryIn = Annotated[Union[BankAccountIn, MobileWalletIn, UpiIn], Field(discriminator="type")]

#: who a payout pays, as stored (view of :class:`payrail.payouts.model.BeneficiaryDetails`)
Beneficiary = view(model.BeneficiaryDetails, "Beneficiary", Model, __name__)


class SavedBeneficiaryIn(Strict):
    beneficiary: BeneficiaryIn
    nickname: str | None = Field(default=None, max_length=100)

    model_config = examples(
        {"beneficiary": {"type": "upi", "vpa": "success@upi", "name": "Asha Rao"}, "nickname": "Asha (UPI)"},
    )


BeneficiaryVerification = view(model.BeneficiaryVerification, "BeneficiaryVerification", Model, __name__)
SavedBeneficiary = view(model.SavedBeneficiary, "SavedBeneficiary", Model, __name__, nested={
    model.BeneficiaryDetails: Beneficiary, model.BeneficiaryVerification: BeneficiaryVerification,
    model.StatusChange: StatusChange})


class SavedBeneficiaryPage(Model):
    data: list[SavedBeneficiary]
    has_more: bool
