"""Money: integer amounts in a currency's minor unit, with an ISO 4217 code.

No floats: amounts are ``int`` minor units everywhere (``1050`` USD is $10.50).
"""
from __future__ import annotations

from payrail.core.errors import ValidationFailed

#: ISO 4217 codes payrail supports, with their minor-unit exponent.
CURRENCIES: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "INR": 2, "GHS": 2, "PKR": 2,
    "JPY": 0, "KWD": 3,
}

#: Largest amount accepted in one movement (minor units); guards against overflow-sized input.
MAX_AMOUNT = 10**15


def check_currency(currency: str, param: str = "currency") -> str:
    """Return ``currency`` if it is a supported ISO 4217 code.

    Raises:
        ValidationFailed: unknown or unsupported code.
    """
    if currency not in CURRENCIES:
        raise ValidationFailed(f"unsupported currency {currency!r}", param=param)
    return currency


def check_amount(amount: int, param: str = "amount") -> int:
    """Return ``amount`` (minor units) if it is a positive integer no larger than MAX_AMOUNT.

    Raises:
        ValidationFailed: not an int (bools and floats are refused), zero, negative or too large.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationFailed("amount must be an integer in minor units", param=param)
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(f"amount must be between 1 and {MAX_AMOUNT}", param=param)
    return amount


def fee_for(amount: int, fee_bps: int) -> int:
    """Fee in minor units for ``amount`` at ``fee_bps`` basis points, rounded half up.

    Integer arithmetic only: ``fee_for(1000, 290) == 29``.
    """
    return (amount * fee_bps + 5_000) // 10_000
