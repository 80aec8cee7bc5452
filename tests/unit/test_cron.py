from datetime import datetime

import pytest

from infra import catalog
from infra.local.cron import matches, scheduled_event
from tests.conftest import load_event


def test_daily_settlement_cron_fires_once_a_day_at_00_15_utc():
    cron = catalog.SCHEDULES["settlement-daily"].cron
    fired = [datetime(2026, 11, 22, h, m) for h in range(24) for m in range(60) if matches(cron, datetime(2026, 11, 22, h, m))]
    assert fired == [datetime(2026, 11, 22, 0, 15)]


@pytest.mark.parametrize("expr,when,expected", [
    ("*/15 * * * ? *", datetime(2026, 1, 1, 3, 45), True),
    ("*/15 * * * ? *", datetime(2026, 1, 1, 3, 46), False),
    ("0 9 ? * MON-FRI *", datetime(2026, 11, 23, 9, 0), True),   # a Monday
    ("0 9 ? * MON-FRI *", datetime(2026, 11, 22, 9, 0), False),  # a Sunday
    ("0 0 1 JAN ? 2027", datetime(2027, 1, 1, 0, 0), True),
])
def test_eventbridge_cron_fields(expr, when, expected):
    assert matches(expr, when) is expected


def test_scheduled_event_has_the_shape_of_the_sample_event():
    sample = load_event("eventbridge/settlement_schedule")
    ours = scheduled_event(sample["resources"][0], datetime(2026, 11, 22, 0, 15))
    assert set(ours) == set(sample)
    assert ours["time"] == sample["time"] and ours["detail-type"] == "Scheduled Event"
