"""Types every API model shares: ids and their patterns, amounts and currencies, text without
control characters, metadata, time bounds, the error body, status history entries, and the bases
:class:`Model` (responses) and :class:`Strict` (requests).

Requests are **strict**: money, quantities and counts are integers (a bool, a string or a float —
even ``100.0`` — is refused), unknown fields are refused (Stripe's ``parameter_unknown``), every
id has a pattern and a maximum length, no text holds a C0 or C1 control character (names go to
providers and into CSV files), and ``metadata`` follows Stripe's rule (:data:`Metadata`).
"""
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from payrail.core.money import MAX_AMOUNT

__all__ = ['ATTEMPT_ID', 'Amount', 'BENEFICIARY_ID', 'CONTROL_CHARACTERS', 'CURRENCY', 'CUSTOMER_ID', 'Currency', 'CustomerId', 'ENDPOINT_ID', 'EVENT_ID', 'EVENT_TYPE', 'ErrorBody', 'ErrorDetail', 'JOB_ID', 'MERCHANT_ID', 'Metadata', 'Model', 'ORDER_ID', 'PAYOUT_ID', 'PRODUCT_ID', 'RECOVERY_ID', 'REFERENCE', 'RESERVATION_ID', 'StatusChange', 'Strict', 'TIME_BOUND', 'examples', 'no_control_characters', 'of_enum', 'time_bound']

MERCHANT_ID = r"^m_[0-9a-f]{16}$"
PRODUCT_ID = r"^prod_[0-9a-f]{24}$"
ORDER_ID = r"^ord_[0-9a-f]{24}$"
PAYOUT_ID = r"^po_[0-9a-f]{24}$"
BENEFICIARY_ID = r"^ben_[0-9a-f]{24}$"
RESERVATION_ID = r"^res_[0-9a-f]{24}$"
REFERENCE = r"^[A-Za-z0-9_.:/-]{1,64}$"
#: an RFC 3339 full-date, or a UTC time on it to the hour, minute, second or microsecond (``Z`` optional)
TIME_BOUND = (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
              r"(T([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?Z?)?$")
JOB_ID = r"^stl_[A-Za-z0-9_-]{1,64}$"
CUSTOMER_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
CURRENCY = r"^[A-Z]{3}$"
EVENT_ID = r"^evt_[0-9a-f]{24}$"
ENDPOINT_ID = r"^we_[0-9a-f]{24}$"
ATTEMPT_ID = r"^att_[0-9a-f]{24}$"
RECOVERY_ID = r"^rcv_[0-9a-f]{24}$"
EVENT_TYPE = r"^[a-z_]{1,30}\.[a-z_]{1,30}$"

Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT,
                              description=f"integer in the currency's minor unit, 1..{MAX_AMOUNT}")]
Currency = Annotated[str, Field(pattern=CURRENCY, min_length=3, max_length=3, description="ISO 4217 code",
                                examples=["USD"])]
CustomerId = Annotated[str, Field(pattern=CUSTOMER_ID, min_length=1, max_length=64)]

#: C0 and C1 control characters (NUL, CR, LF, TAB, ESC, DEL, U+0080-U+009F)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NO_CONTROL = "must not contain control characters (U+0000-U+001F, U+007F-U+009F)"


def no_control_characters(value: str) -> str:
    """``value`` if it holds no C0/C1 control character. Raises ValueError."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError(_NO_CONTROL)
    return value


def _check_text(value: object) -> None:
    """Raises ValueError when a string in ``value`` (a string, or a list or dict of them, keys
    included) holds a control character; models inside are checked by their own validator."""
    if isinstance(value, str):
        no_control_characters(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k)
            _check_text(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _check_text(v)


def time_bound(value: str | None) -> str | None:
    """A ``TIME_BOUND`` (``2026-03-01``, ``2026-03-01T12:00:00Z``) that names a real instant: the
    day exists in its month (no 2026-02-30), the year is 0001 or later.

    Raises: ValueError naming the accepted forms.
    """
    if value is None:
        return None
    if not re.fullmatch(TIME_BOUND, value):
        raise ValueError("must be an RFC 3339 date (2026-03-01) or UTC time (2026-03-01T12:00:00Z)")
    try:
        datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        raise ValueError(f"is not a real date or time: {value}") from None
    return value


def of_enum(states: type[StrEnum]) -> object:
    """The ``Literal`` of a domain enum's values: the API's vocabulary comes from the domain's enum
    (the OpenAPI document shows it as an inline string enum)."""
    return Literal[tuple(s.value for s in states)]


class Model(BaseModel):
    """Base of every API model: its validator and schema are built when first used (a route's
    first request, the OpenAPI document), not when the module is imported, so a cold start pays
    only for the models its requests use."""

    model_config = ConfigDict(defer_build=True)


def examples(*bodies: dict) -> ConfigDict:
    """The ``model_config`` of a request body model with its documented ``examples`` (the OpenAPI
    document's): each a body the API accepts as it stands, but for the ids of objects it names
    (tests/integration/test_api_examples.py sends each, with ids of real objects)."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


class Strict(Model):
    """Base of request bodies: strict types, unknown fields refused, and no C0/C1 control
    character in any text field (every field of every subclass, in lists and dicts too)."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        _check_text(value)
        return value


#: Stripe's metadata rule: at most 50 keys of 1-40 characters, each value a string of at most 500; no
#: control characters (checked per entry, so the error names the key)
Metadata = Annotated[dict[Annotated[str, Field(min_length=1, max_length=40), AfterValidator(no_control_characters)],
                          Annotated[str, Field(max_length=500), AfterValidator(no_control_characters)]],
                     Field(max_length=50, description="your key-value pairs: at most 50 keys of 1-40 characters, "
                                                      "string values of at most 500 characters")]


# ---- errors -------------------------------------------------------------------------------------
class ErrorDetail(Model):
    type: str = Field(description="error family: invalid_request_error, authentication_error, idempotency_error, "
                                  "rate_limit_error, api_error")
    code: str = Field(description="stable machine-readable code")
    message: str
    param: str | None = Field(description="the offending request field, when one is to blame")
    provider: dict | None = Field(default=None, description="502/504 from a payout provider: its name, "
                                                            "reference_id, status and reason")


class ErrorBody(Model):
    error: ErrorDetail


class StatusChange(Model):
    status: str
    at: str
    detail: str | None = None
