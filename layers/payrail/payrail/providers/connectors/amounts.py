"""Exact conversion between payrail's int minor units and a provider's decimal major units,
and JSON that carries decimal numbers without ever passing through ``float``.

    to_major(1234, "INR") == Decimal("12.34")      from_major("12.34", "INR") == 1234
    dumps({"transfer_amount": Decimal("12.34")}) == '{"transfer_amount":12.34}'
    loads('{"transfer_amount": 12.34}')["transfer_amount"] == Decimal("12.34")
"""
from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation

from payrail.core.money import CURRENCIES


def exponent(currency: str) -> int:
    """The ISO 4217 minor-unit exponent of ``currency`` (2 for INR and PKR).

    Raises: ValueError for a currency payrail does not support.
    """
    try:
        return CURRENCIES[currency]
    except KeyError:
        raise ValueError(f"unsupported currency {currency!r}") from None


def to_major(amount: int, currency: str) -> Decimal:
    """``amount`` minor units as a Decimal in major units with exactly the currency's number of
    decimal places (``1234`` INR -> ``Decimal("12.34")``, ``100`` -> ``Decimal("1.00")``).

    Raises: TypeError for a non-int (floats and bools included).
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an int in minor units")
    return Decimal(amount).scaleb(-exponent(currency))


def major_text(amount: int, currency: str, trim_zero_fraction: bool = False) -> str:
    """``to_major`` as plain text (never exponent notation): ``"12.34"``; with
    ``trim_zero_fraction`` a whole amount drops its fraction (``"200"`` rather than ``"200.00"``)."""
    value = to_major(amount, currency)
    if trim_zero_fraction and value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return f"{value:f}"


def from_major(value: str | int | Decimal, currency: str) -> int:
    """A provider's major-unit amount (JSON number parsed as Decimal, or a decimal string) as
    int minor units, exactly.

    Raises: ValueError if it is not a finite decimal, or has more decimal places than the
    currency's minor unit (``"12.345"`` INR); TypeError for a float.
    """
    if isinstance(value, float):
        raise TypeError("refusing a float amount; parse provider JSON with amounts.loads")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    minor = d.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{value!r} has more decimal places than {currency} allows")
    return int(minor)


def loads(raw: bytes | str):
    """Parse JSON with every non-integer number as a Decimal (never a float)."""
    return json.loads(raw, parse_float=Decimal)


def dumps(obj) -> str:
    """Serialise ``obj`` to compact JSON, writing each Decimal as a JSON number with its exact
    digits.

    Raises: TypeError if ``obj`` holds a float (money never travels as one).
    """
    marks: dict[str, str] = {}

    def walk(o):
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [walk(v) for v in o]
        if isinstance(o, float):
            raise TypeError("refusing to encode a float; use Decimal or int")
        if isinstance(o, Decimal):
            if not o.is_finite():
                raise ValueError("cannot encode a non-finite Decimal")
            token = f"__decimal_{uuid.uuid4().hex}__"
            marks[f'"{token}"'] = f"{o:f}"
            return token
        return o

    text = json.dumps(walk(obj), separators=(",", ":"))
    for token, digits in marks.items():
        text = text.replace(token, digits, 1)
    return text
