import pytest
from hypothesis import given
from hypothesis import strategies as st

from payrail.core.errors import ValidationFailed
from payrail.core.ledger import Journal, Ledger, Posting, account_id, shard_of


def journal(*amounts):
    return Journal("j1", "test", "m1", "USD", [Posting(f"a{i}", a) for i, a in enumerate(amounts)])


def test_balanced_journal_passes():
    Ledger._validate(journal(-100, 60, 40))


@pytest.mark.parametrize("amounts", [(-100, 99), (100,), (0, 0), (-1, 1.0)])
def test_unbalanced_or_malformed_journal_is_refused(amounts):
    with pytest.raises(ValidationFailed):
        Ledger._validate(journal(*amounts))


def test_same_account_twice_is_refused():
    j = Journal("j", "t", "m", "USD", [Posting("a", -5), Posting("a", 5)])
    with pytest.raises(ValidationFailed):
        Ledger._validate(j)


@given(st.lists(st.integers(min_value=-10**9, max_value=10**9).filter(bool), min_size=1, max_size=20))
def test_any_list_with_a_balancing_leg_validates(amounts):
    total = sum(amounts)
    legs = amounts + ([-total] if total else [])
    if len(legs) < 2:
        return
    Ledger._validate(journal(*legs))


def test_account_ids_and_shards_are_stable():
    assert account_id("m1", "wallet", "USD", owner="c1") == "m1:wallet:c1:USD"
    assert shard_of("ord_1", 16) == shard_of("ord_1", 16)
    assert {shard_of(f"k{i}", 16) for i in range(500)} == set(range(16))
