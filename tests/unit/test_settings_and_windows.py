import pytest
from pydantic import ValidationError

from payrail.core.errors import ValidationFailed
from payrail.core.settings import Settings
from payrail.settlement.service import parse_window, window_for_schedule


def test_settings_from_env_validates_types():
    from payrail.payouts.service import PayoutPolicy

    s = Settings.from_env({"PAYOUT_BACKOFF_BASE_SECONDS": "5", "PAYOUT_BACKOFF_MAX_SECONDS": "60", "UNRELATED": "x",
                           "CONNECTOR_CASHFREE_MAX_IN_FLIGHT": "2", "PAYOUT_CURRENCIES": "PKR"})
    policy = PayoutPolicy.from_settings(s)
    assert [policy.next_check(n) for n in range(6)] == [5, 10, 20, 40, 60, 60]  # capped exponential
    assert s.connector_env == {"CONNECTOR_CASHFREE_MAX_IN_FLIGHT": "2"} and "CONNECTOR_CASHFREE" not in repr(s)
    assert policy.enabled({}) == ["PKR"] and policy.enabled({"payout_currencies": ["INR"]}) == ["INR"]
    assert policy.threshold_minor({}, "PKR") == 10_000_000 and policy.threshold_minor({}, "JPY") == 100_000
    assert policy.threshold_minor({"payout_review_threshold": 50}, "KWD") == 50_000
    with pytest.raises(ValidationError):
        Settings.from_env({"PAYOUT_MAX_ATTEMPTS": "many"})
    with pytest.raises(ValidationError):
        Settings.from_env({"ADMIN_TOKEN_SHA256": "not-a-hash"})


def test_settlement_window_is_inclusive_and_bounded():
    a, b = parse_window("2026-01-01", "2026-01-31")
    assert (b - a).days == 30
    for bad in (("2026-02-01", "2026-01-01"), ("2026-13-01", "2026-12-01"), ("2025-01-01", "2026-06-01")):
        with pytest.raises(ValidationFailed):
            parse_window(*bad)


def test_scheduled_run_settles_the_previous_utc_day():
    assert window_for_schedule("2026-11-22T00:15:00Z") == ("2026-11-21", "2026-11-21")
