"""Beneficiaries: who a payout pays, checked against the directory, and the merchant's saved ones.

A beneficiary is one of (as the API takes it)::

    {"type": "bank_account", "name", "bank_code", "account_number"}   a directory bank (Pakistan,
                                                                       10-16 digits) or an IFSC (India, 9-18)
    {"type": "bank_account", "name", "iban"}                          a Pakistani IBAN at a directory bank
    {"type": "mobile_wallet", "name", "wallet_code", "msisdn"}        a directory wallet; the holder's mobile
                                                                       number (E.164, or national form)
    {"type": "upi", "name", "vpa"}                                    a UPI virtual payment address (India)

:func:`resolve` checks one against the connectors' directory (``GET /v1/directory``) and returns
where the money goes (:class:`Destination`); an unknown bank or wallet, a malformed account number,
IBAN or mobile number is a 400 naming the field. A saved beneficiary is verified through the
connector that would pay it when that connector can verify accounts, and can be disabled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Union

import phonenumbers
from pydantic import BaseModel, ValidationError
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from payrail.providers import registry
from payrail.providers.connectors.base import (VPA_PATTERN, BankAccount, ConnectorUnavailable, MobileWallet, TransferRejected,
                                     Upi, Verification)
from payrail.core.errors import Conflict, NotFound, ProviderUnavailable, ValidationFailed
from payrail.core.ids import derived, random_id
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import now_iso
from payrail.core.store import MainTable
from payrail.payouts.model import AccountCheck, BeneficiaryDetails, BeneficiaryStatus, Page, SavedBeneficiary, VerificationStatus
from payrail.payouts.records import BeneficiaryRecords, load_beneficiary

IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
#: the currency a country's beneficiaries are paid in (for verification, which names no currency)
HOME_CURRENCY = {"PK": "PKR", "IN": "INR", "GH": "GHS"}
ACTIVE, DISABLED = BeneficiaryStatus.ACTIVE, BeneficiaryStatus.DISABLED
#: a beneficiary as given: the API's request model (any pydantic model of those fields), or a mapping
BeneficiaryInput = Union[BaseModel, Mapping]


@dataclass(frozen=True)
class Destination:
    """A checked beneficiary: ``details`` as stored on a payout (the input, normalised, with the
    ``country`` and the institution's ``institution_name``), the connector's typed ``beneficiary``,
    its ``rail`` and ISO 3166 ``country``."""

    details: BeneficiaryDetails
    beneficiary: BankAccount | MobileWallet | Upi
    rail: str
    country: str


def _details(**fields) -> BeneficiaryDetails:
    return BeneficiaryDetails.model_construct(**fields)


def _directory(kind: str) -> dict:
    return {d.code: d for _, d in registry.directory() if d.kind == kind}


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, param=f"beneficiary.{field}", code="parameter_invalid")


def _typed(cls, **fields):
    """The connector's beneficiary model; a field it refuses is a 400 naming that field."""
    try:
        return cls(**fields)
    except ValidationError as e:
        err = e.errors()[0]
        raise _bad(".".join(map(str, err["loc"])) or "name", str(err["msg"]).removeprefix("Value error, ")) from None


def resolve(given: BeneficiaryInput) -> Destination:
    """Check a beneficiary (see the module docstring) and say where the money goes.

    Raises:
        ValidationFailed: the field at fault in ``param`` (``beneficiary.bank_code`` ...).
    """
    if isinstance(given, BaseModel):
        given = given.model_dump(exclude_none=True)
    kind, name = given.get("type"), given.get("name")
    if kind == "bank_account":
        if given.get("iban"):
            if given.get("account_number"):
                raise _bad("iban", "give either an iban or a bank_code and account_number, not both")
            try:
                iban = IBAN(given["iban"])
            except SchwiftyException as e:
                raise _bad("iban", f"invalid IBAN: {e}") from None
            banks = {d.iban_code: d for d in _directory("bank").values() if d.iban_code}
            if iban.country_code != "PK" or iban.bank_code not in banks:
                raise _bad("iban", f"IBAN of an institution outside the directory ({iban.country_code} "
                                   f"{iban.bank_code}); see GET /v1/directory")
            bank = banks[iban.bank_code]
            details = _details(type=kind, name=name, iban=iban.compact, bank_code=bank.code, country="PK",
                                         institution_name=bank.name)
            return Destination(details, _typed(BankAccount, iban=iban.compact, name=name), kind, "PK")
        code, number = str(given.get("bank_code") or "").upper(), str(given.get("account_number") or "")
        if not code:
            raise _bad("bank_code", "bank_code is required with an account_number (or give an iban)")
        bank = _directory("bank").get(code)
        if bank is not None:
            country, digits, label = bank.country, (10, 16), bank.name
        elif IFSC.match(code):
            country, digits, label = "IN", (9, 18), f"IFSC {code}"
        else:
            raise _bad("bank_code", f"unknown bank code {code!r}: use a directory code (GET /v1/directory) "
                                    "or an Indian IFSC")
        if not (number.isdigit() and digits[0] <= len(number) <= digits[1]):
            raise _bad("account_number", f"an account number in {country} has {digits[0]}-{digits[1]} digits")
        details = _details(type=kind, name=name, bank_code=code, account_number=number, country=country,
                                     institution_name=label)
        return Destination(details, _typed(BankAccount, bank_code=code, account_number=number, name=name), kind,
                           country)
    if kind == "mobile_wallet":
        code = str(given.get("wallet_code") or "").upper()
        wallet = _directory("wallet").get(code)
        if wallet is None:
            raise _bad("wallet_code", f"unknown wallet code {code!r}; see GET /v1/directory")
        try:
            number = phonenumbers.parse(str(given.get("msisdn") or ""), wallet.country)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number) or \
                phonenumbers.region_code_for_number(number) != wallet.country or \
                phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            raise _bad("msisdn", f"{wallet.name} is reached by a valid {wallet.country} mobile number "
                                 "(E.164, e.g. +923001234567, or national form)")
        msisdn = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        details = _details(type=kind, name=name, wallet_code=code, msisdn=msisdn, country=wallet.country,
                                     institution_name=wallet.name)
        return Destination(details, _typed(MobileWallet, wallet_code=code, msisdn=msisdn, name=name), kind,
                           wallet.country)
    if kind == "upi":
        vpa = str(given.get("vpa") or "")
        if not re.match(VPA_PATTERN, vpa):
            raise _bad("vpa", "a UPI address looks like name@bank")
        details = _details(type=kind, name=name, vpa=vpa, country="IN", institution_name="UPI")
        return Destination(details, _typed(Upi, vpa=vpa, name=name), kind, "IN")
    raise _bad("type", "type is one of bank_account, mobile_wallet, upi")


def check_details(details: BeneficiaryInput) -> Destination:
    """:func:`resolve` for details stored earlier (a saved beneficiary, a reservation's)."""
    try:
        return resolve(details)
    except (ValidationFailed, ValidationError) as e:  # the directory changed since
        raise ValidationFailed(f"the stored beneficiary is no longer valid: {e}", param="beneficiary_id") from None


class Beneficiaries:
    """Saved beneficiaries and account verification.

    Args:
        main: the main table.
        providers: :class:`payrail.providers.slots.Providers` (verification goes through the
            connector that would pay the account).
    """

    def __init__(self, main: MainTable, providers):
        self.records = BeneficiaryRecords(main, None)
        self.providers = providers

    def verify(self, given: BeneficiaryInput) -> AccountCheck:
        """Verify an account through the connector that would pay it.

        Returns:
            the connector's answer, with the provider that gave it.

        Raises:
            ValidationFailed: a malformed beneficiary, or no connector can verify it.
            ProviderUnavailable (503): the provider could not be asked.
        """
        dest = resolve(given)
        provider = self.providers.choose(dest.rail, HOME_CURRENCY.get(dest.country, ""), dest.country)
        connector = self.providers.get(provider)
        if not connector.capabilities.verifies_accounts:
            raise ValidationFailed(f"{provider} cannot verify accounts", param="beneficiary",
                                   code="verification_not_supported")
        try:
            v: Verification = connector.verify(dest.beneficiary)
        except TransferRejected as e:
            raise ValidationFailed(f"{provider} cannot verify this beneficiary: {e.message}",
                                   param="beneficiary") from None
        except ConnectorUnavailable as e:
            raise ProviderUnavailable(f"{provider} could not be asked: {e}") from None
        return AccountCheck.model_construct(valid=v.valid, account_title=v.account_title, reason=v.reason,
                                            provider=provider)

    # ---- saved beneficiaries --------------------------------------------------------------------
    def get(self, merchant_id: str, beneficiary_id: str) -> SavedBeneficiary:
        """Raises NotFound."""
        b = self.records.get(merchant_id, beneficiary_id)
        if not b:
            raise NotFound("beneficiary not found", param="beneficiary_id")
        return b

    def active(self, merchant_id: str, beneficiary_id: str) -> SavedBeneficiary:
        """A saved beneficiary a payout may use. Raises NotFound; ValidationFailed when disabled."""
        b = self.get(merchant_id, beneficiary_id)
        if b.status != ACTIVE:
            raise ValidationFailed("this beneficiary is disabled", param="beneficiary_id", code="beneficiary_disabled")
        return b

    def create(self, merchant_id: str, given: BeneficiaryInput, nickname: str | None, idempotency_key: str | None,
               fingerprint: str | None = None) -> SavedBeneficiary:
        """Save a beneficiary, verified first when its connector can verify accounts.

        Returns:
            the saved beneficiary with ``verification`` ``{status: VERIFIED | UNVERIFIED |
            NOT_SUPPORTED, account_title, reason, provider, checked_at}``.

        Raises:
            ValidationFailed: malformed; or the provider says the account is invalid
                (``code="account_invalid"``, nothing saved).
            IdempotencyMismatch: the key saved another beneficiary.
        """
        dest = resolve(given)
        ben_id = derived("ben", merchant_id, idempotency_key) if idempotency_key else random_id("ben")
        if existing := self.records.stored(merchant_id, ben_id):
            check_fingerprint(existing, fingerprint)
            return self.get(merchant_id, ben_id)
        ts = now_iso()
        try:
            v = self.verify(given)
            if not v.valid:
                raise ValidationFailed(f"the account did not verify: {v.reason}", param="beneficiary",
                                       code="account_invalid")
            verification = {"status": VerificationStatus.VERIFIED, "account_title": v.account_title,
                            "provider": v.provider}
        except ProviderUnavailable as e:
            verification = {"status": VerificationStatus.UNVERIFIED, "reason": e.message}
        except ValidationFailed as e:
            if e.code != "verification_not_supported":
                raise
            verification = {"status": VerificationStatus.NOT_SUPPORTED, "reason": e.message}
        b = load_beneficiary({
            "beneficiary_id": ben_id, "merchant_id": merchant_id, "details": dest.details.model_dump(exclude_unset=True),
            "nickname": nickname, "status": ACTIVE, "verification": verification | {"checked_at": ts},
            "created_at": ts, "updated_at": ts, "status_history": [{"status": ACTIVE, "at": ts}]})
        if not self.records.create(b, fingerprint):
            check_fingerprint(self.records.stored(merchant_id, ben_id), fingerprint)
        return self.get(merchant_id, ben_id)

    def disable(self, merchant_id: str, beneficiary_id: str) -> SavedBeneficiary:
        """ACTIVE -> DISABLED (later payouts cannot use it). Raises NotFound, Conflict."""
        b = self.get(merchant_id, beneficiary_id)
        try:
            return self.records.move(b, DISABLED)
        except Conflict:
            raise Conflict("this beneficiary is already disabled", code="invalid_state") from None

    def page(self, merchant_id: str, limit: int, starting_after: str | None) -> Page[SavedBeneficiary]:
        return self.records.page(merchant_id, limit, starting_after)
