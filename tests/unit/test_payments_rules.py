"""Routing and risk rules without a cloud: fees (on-net, off-net with the interop minimum), scoring
by float, fee, reliability and health, exploration, failover order; risk scores and decisions
against an in-memory counter store."""
import random

import pytest

from payrail.payments.risk import RiskPolicy, assess
from payrail.payments.routing import RoutingPolicy, score_candidates
from payrail.payments.workflow import FINAL, TRANSITIONS, PaymentStatus as PS

PROVIDERS = [("mtn_momo", "MTN"), ("airteltigo", "AT"), ("telecel", "TELECEL")]
FULL = {"mtn_momo": 10**7, "airteltigo": 10**7, "telecel": 10**7}
CLEAN = {p: {"ok": 0, "fail": 0, "healthy": True} for p, _ in PROVIDERS}
NO_EXPLORE = RoutingPolicy(exploration=0)


def test_fees_on_and_off_net():
    p = RoutingPolicy(on_net_bps=50, off_net_bps=150, off_net_min_fee=50)
    assert p.fee(10_000, True) == 50 and p.fee(10_000, False) == 150
    assert p.fee(1_000, False) == 50  # the interop minimum
    assert p.fee(101, True) == 1      # half up, integers only


def test_on_net_wins_when_everything_is_equal():
    rows = score_candidates(10_000, "AT", PROVIDERS, FULL, CLEAN, NO_EXPLORE, random.Random(1))
    assert [r["provider"] for r in rows] == ["airteltigo", "mtn_momo", "telecel"]
    assert rows[0]["on_net"] and rows[0]["rank"] == 1 and rows[0]["why"].startswith("best score")
    assert rows[1]["why"].startswith("failover #1")


def test_float_short_provider_is_ineligible():
    floats = FULL | {"airteltigo": 9_000}
    rows = score_candidates(10_000, "AT", PROVIDERS, floats, CLEAN, NO_EXPLORE, random.Random(1))
    at = next(r for r in rows if r["provider"] == "airteltigo")
    assert not at["eligible"] and at["rank"] is None and at["score"] == 0 and "float" in at["why"]
    assert rows[0]["provider"] in ("mtn_momo", "telecel") and not rows[0]["on_net"]


def test_degraded_provider_loses_then_regains():
    bad = CLEAN | {"mtn_momo": {"ok": 0, "fail": 4, "healthy": False}}
    rows = score_candidates(10_000, "MTN", PROVIDERS, FULL, bad, NO_EXPLORE, random.Random(1))
    assert rows[0]["provider"] != "mtn_momo"
    recovered = CLEAN | {"mtn_momo": {"ok": 3, "fail": 4, "healthy": True}}
    rows = score_candidates(10_000, "MTN", PROVIDERS, FULL, recovered, NO_EXPLORE, random.Random(1))
    assert rows[0]["provider"] != "mtn_momo"  # still paying for its failures inside the window
    rows = score_candidates(10_000, "MTN", PROVIDERS, FULL, CLEAN, NO_EXPLORE, random.Random(1))
    assert rows[0]["provider"] == "mtn_momo"  # the failures left the window


def test_exploration_share_sends_some_traffic_elsewhere():
    policy = RoutingPolicy(exploration=0.1)
    firsts = [score_candidates(10_000, "MTN", PROVIDERS, FULL, CLEAN, policy, random.Random(i))[0] for i in range(2000)]
    explored = [r for r in firsts if r["explored"]]
    assert 120 <= len(explored) <= 280 and all(r["provider"] != "mtn_momo" for r in explored)
    assert all(r["why"].startswith("exploration") for r in explored)
    # the draw is seeded by the payment: the same payment routes the same way
    assert score_candidates(10_000, "MTN", PROVIDERS, FULL, CLEAN, policy, random.Random("p1")) == \
        score_candidates(10_000, "MTN", PROVIDERS, FULL, CLEAN, policy, random.Random("p1"))


class Counters:
    def __init__(self, recipient=(), merchant=()):
        self.recipient, self.merchant = list(recipient), list(merchant)

    def read(self, merchant_id, phone, window, now):
        return self.recipient if phone else self.merchant


@pytest.mark.parametrize("counters,amount,rules,declined", [
    (Counters(), 1_000, [], False),
    (Counters([{"count": 10, "amount": 1_000}]), 1_000, ["recipient_velocity"], True),
    (Counters([{"count": 1, "amount": 9_999_500}]), 1_000, ["recipient_velocity"], True),
    (Counters(merchant=[{"count": 10_000, "amount": 5}]), 1_000, ["merchant_velocity"], True),
    (Counters([{"count": 1, "amount": 1_000, "entries": ["1000:other:1000"]}]), 1_000, ["duplicate"], False),
    (Counters([{"count": 1, "amount": 1_000, "entries": ["1000:other:1"]}]), 1_000, [], False),   # too old
    (Counters([{"count": 1, "amount": 1_000, "entries": ["1000:self:1000"]}]), 1_000, [], False),  # itself
    (Counters(), 2_500_000, ["large_amount"], False),
])
def test_risk_rules(counters, amount, rules, declined):
    r = assess(RiskPolicy(), counters, "m_1", "+233241234561", amount, "self", now=1100)
    assert [x["rule"] for x in r.reasons] == rules and r.declined is declined
    assert r.score == sum(x["score"] for x in r.reasons)


def test_blocklist_and_configurable_decline_score():
    r = assess(RiskPolicy(blocklist=frozenset({"+233241234561"})), Counters(), "m_1", "+233241234561", 1_000, "x")
    assert r.declined and r.reasons[0]["rule"] == "blocklisted"
    strict = RiskPolicy(decline_score=50)
    dup = Counters([{"count": 1, "amount": 1_000, "entries": ["1000:other:1000"]}])
    assert assess(strict, dup, "m_1", "+233241234561", 1_000, "self", now=1100).declined


def test_the_nine_states_and_their_transitions():
    assert len(PS) == 9
    assert set(TRANSITIONS[PS.PENDING]) >= {PS.CANCELLED, PS.PROCESSING}
    assert PS.CANCELLED not in TRANSITIONS[PS.PROCESSING]  # a payment sent to its provider cannot be cancelled
    assert all(TRANSITIONS[s] == () for s in FINAL) and TRANSITIONS[PS.CONFIRMED] == (PS.REFUNDED,)
