import pytest
from hypothesis import given
from hypothesis import strategies as st

from payrail.core.errors import ValidationFailed
from payrail.core.money import MAX_AMOUNT, check_amount, check_currency, fee_for


@pytest.mark.parametrize("bad", [0, -1, 1.5, 10.0, True, "100", None, MAX_AMOUNT + 1])
def test_amount_must_be_positive_integer_minor_units(bad):
    with pytest.raises(ValidationFailed) as e:
        check_amount(bad)
    assert e.value.param == "amount"


def test_currency_is_checked_against_iso_4217_list():
    assert check_currency("PKR") == "PKR"
    with pytest.raises(ValidationFailed):
        check_currency("usd")
    with pytest.raises(ValidationFailed):
        check_currency("XXX")


@given(st.integers(min_value=1, max_value=MAX_AMOUNT), st.integers(min_value=0, max_value=10_000))
def test_fee_is_integer_rounded_half_up_and_never_exceeds_amount(amount, bps):
    fee = fee_for(amount, bps)
    assert isinstance(fee, int)
    assert 0 <= fee <= amount
    exact_times_2 = amount * bps * 2  # fee*10000 within half a unit of amount*bps
    assert abs(fee * 20_000 - exact_times_2) <= 10_000


def test_fee_examples():
    assert fee_for(1000, 290) == 29
    assert fee_for(2500, 290) == 73  # 72.5 rounds half up
    assert fee_for(1, 0) == 0
