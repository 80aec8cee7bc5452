"""The lifecycle tables of payments, orders, settlement jobs and webhook deliveries: each table
agrees with its domain enum, the API's status enum, the event catalog, the settlement state
machine's Choice states and the diagram in the docs; the domain refuses a move the table lacks
before anything is written."""
import json
from pathlib import Path
from typing import get_args

import pytest

from payrail.api import models
from payrail.commerce import model as commerce
from payrail.commerce.orders import Orders
from payrail.commerce.records import OrderRecords
from payrail.core.events import EVENT_TYPES
from payrail.core.lifecycle import IllegalMove, Lifecycle
from payrail.payments import workflow as payments
from payrail.payments.records import PaymentRecords
from payrail.payments.service import Payments
from payrail.settlement import model as settlement
from payrail.settlement.records import SettlementRecords
from payrail.settlement.service import Settlements
from payrail.webhooks import model as webhooks

ROOT = Path(__file__).resolve().parents[2]

#: entity -> (its table, its domain enum, the API's status annotation, the event family, the doc with its diagram)
ENTITIES = {
    "payment": (payments.LIFECYCLE, payments.PaymentStatus, models.Payment.model_fields["status"].annotation,
                "payment", "docs/mobile-money.md"),
    "order": (commerce.LIFECYCLE, commerce.OrderStatus, models.Order.model_fields["status"].annotation,
              "order", "docs/ledger.md"),
    "settlement": (settlement.LIFECYCLE, settlement.SettlementStatus,
                   models.SettlementJob.model_fields["status"].annotation, "settlement", "docs/settlement.md"),
    "delivery": (webhooks.LIFECYCLE, webhooks.DeliveryStatus, models.Delivery.model_fields["status"].annotation,
                 None, "docs/events-and-webhooks.md"),
    "recovery": (webhooks.RECOVERY_LIFECYCLE, webhooks.RecoveryStatus,
                 models.Recovery.model_fields["status"].annotation, None, "docs/events-and-webhooks.md"),
}
NAMES = list(ENTITIES)


@pytest.mark.parametrize("name", NAMES)
def test_the_table_covers_its_enum_and_the_api_enum_is_the_domains(name):
    table, enum, api_status, _, _ = ENTITIES[name]
    assert isinstance(table, Lifecycle) and table.states is enum
    assert {m.source for m in table.moves} | {m.target for m in table.moves} == set(enum)
    assert set(get_args(api_status)) == {s.value for s in enum}


@pytest.mark.parametrize("name", NAMES)
def test_the_table_emits_exactly_its_familys_catalogued_events(name):
    table, _, _, family, _ = ENTITIES[name]
    assert table.events() <= set(EVENT_TYPES)
    family_events = {t for t in EVENT_TYPES if family and t.startswith(f"{family}.")}
    assert table.events() == family_events


@pytest.mark.parametrize("name", NAMES)
def test_the_docs_show_the_tables_diagram(name):
    table, _, _, _, doc = ENTITIES[name]
    text = (ROOT / doc).read_text()
    assert f"```mermaid\n{table.diagram()}\n```" in text, f"{doc}: regenerate the {name} diagram from its table"


def test_payment_money_moves_where_the_float_is_held_or_leaves():
    t, PS = payments.LIFECYCLE, payments.PaymentStatus
    assert {m.target for m in t.moves if m.money and m.source in payments.HELD} == {
        PS.CONFIRMED, PS.FAILED, PS.EXPIRED, PS.CANCELLED}
    assert not any(m.money for m in t.moves if m.source in (PS.INITIATED,) or m.target == PS.PROCESSING)
    assert set(t.final()) == set(payments.FINAL)


def test_order_money_moves_on_every_capture_and_refund_and_never_again():
    t, OS = commerce.LIFECYCLE, commerce.OrderStatus
    assert all(m.money == (m.source != m.target and m.target in (OS.FULFILLED, OS.FAILED)) for m in t.moves)
    assert set(t.final()) == {OS.FULFILLED, OS.FAILED}


def test_the_settlement_state_machine_enters_only_the_tables_states():
    asl = json.loads((ROOT / "infra/asl/settlement.asl.json").read_text())
    states = asl["States"]
    t, SS = settlement.LIFECYCLE, settlement.SettlementStatus
    # the Choice state routes a job whose cancel was requested to its end, every other one to its slices
    choices = {n: s for n, s in states.items() if s["Type"] == "Choice"}
    assert set(choices) == {"Route"}
    nexts = {c["Next"] for c in choices["Route"]["Choices"]} | {choices["Route"]["Default"]}
    assert nexts <= set(states)
    assert states["Cancelled"]["Type"] == "Succeed" and SS.CANCELLED in t.targets(SS.CANCELLING)
    # the steps that move the job: Plan QUEUED → RUNNING, Finalize RUNNING → COMPLETED, MarkFailed → FAILED
    for step, (source, target) in {"Plan": (SS.QUEUED, SS.RUNNING), "Finalize": (SS.RUNNING, SS.COMPLETED),
                                   "MarkFailed": (SS.RUNNING, SS.FAILED)}.items():
        assert states[step]["Type"] == "Task"
        t.move(source, target)
    assert set(t.final()) == {SS.CANCELLED, SS.COMPLETED, SS.FAILED}


class Untouchable:
    """A table or client that fails the test when anything is written."""

    def __getattr__(self, name):
        def write(*args, **kwargs):
            raise AssertionError(f"{name} was called for a move the table lacks")
        return write


def test_payments_refuse_a_move_the_table_lacks_before_writing():
    p = Payments.__new__(Payments)
    p.events = p.main = p.ledger = Untouchable()
    p.records = PaymentRecords(Untouchable(), Untouchable())
    item = {"merchant_id": "m_1", "payment_id": "p", "status": "FAILED", "status_history": []}
    with pytest.raises(IllegalMove):
        p._move(item, ("FAILED",), payments.PaymentStatus.CONFIRMED)
    with pytest.raises(IllegalMove):
        p.release(item | {"provider": "mtn_momo", "total": 1}, "CANCELLED", "no", frm=("PROCESSING",))


def test_orders_refuse_a_move_the_table_lacks_before_writing():
    o = Orders.__new__(Orders)
    o.events = o.main = o.ledger = Untouchable()
    o.orders = OrderRecords(Untouchable(), Untouchable(), commerce.LIFECYCLE)
    with pytest.raises(IllegalMove):
        o._transition({"merchant_id": "m_1", "order_id": "ord_1", "status": "FULFILLED"}, ("FULFILLED",),
                      commerce.OrderStatus.FAILED, None)


def test_settlements_refuse_a_move_the_table_lacks_before_writing():
    s = Settlements.__new__(Settlements)
    s.events = s.main = Untouchable()
    s.records = SettlementRecords(Untouchable(), Untouchable())
    with pytest.raises(IllegalMove):
        s._move({"scope": "m_1", "job_id": "stl_1", "status": "COMPLETED"}, ("COMPLETED",), "RUNNING")


def test_a_delivery_leaves_a_final_state_only_for_a_redelivery():
    t, DS = webhooks.LIFECYCLE, webhooks.DeliveryStatus
    assert t.targets(DS.DELIVERED) == t.targets(DS.FAILED) == (DS.PENDING,)
    with pytest.raises(IllegalMove):
        t.move(DS.DELIVERED, DS.FAILED)


def test_a_payments_view_is_its_item_field_for_field():
    from payrail.payments.model import Payment

    ts = "2026-03-01T12:00:00.000000Z"
    cand = {"provider": "mtn_momo", "network": "MTN", "on_net": True, "fee": 50, "total": 10_050,
            "float_available": 10**6, "eligible": True, "successes": 3, "failures": 0, "reliability_pct": 100,
            "healthy": True, "score": 1000, "rank": 1, "explored": False, "why": "on-net"}
    item = {"payment_id": "7d6f0c1e-2a7b-5b8e-9f00-0c8c7d1f2e3a", "merchant_id": "m_1", "amount": 10_000,
            "currency": "GHS", "fee": 50, "total": 10_050, "network": "MTN",
            "recipient": {"phone": "+233241234561", "name": "Ama", "network": "MTN", "detected_network": "MTN",
                          "network_source": "detected", "ported": False},
            "status": "PENDING", "status_history": [{"status": "INITIATED", "at": ts}, {"status": "PENDING", "at": ts,
                                                                                        "detail": "routed"}],
            "created_at": ts, "updated_at": ts, "looks": 0, "submissions": 0, "attempts": [],
            "risk": {"score": 0, "reasons": [], "decision": "accept"}, "candidates": [cand, cand | {"rank": None}],
            "route_order": ["mtn_momo"], "route_index": 0, "provider": "mtn_momo", "an_attribute_of_tomorrow": 1}
    p = Payment.of(item)
    assert p.status is payments.PaymentStatus.PENDING and p.candidates[1].rank is None
    assert p.view() == item
    with pytest.raises(Exception):
        p.status = "FAILED"  # frozen
