"""The lifecycle mechanism: tables are checked when declared, moves outside them are refused before
anything is written, and the guarded transition carries the table's event."""
from enum import StrEnum

import pytest

from payrail.core.lifecycle import IllegalMove, Lifecycle, Move


class Door(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    LOCKED = "LOCKED"


D = Door
DOOR = Lifecycle("door", Door, D.OPEN, [Move(D.OPEN, D.CLOSED, "door.closed"),
                                        Move(D.CLOSED, D.OPEN, "door.opened"),
                                        Move(D.CLOSED, D.LOCKED, "door.locked", money=True)], created_event="door.made")


class FakeEvents:
    def __init__(self):
        self.calls = []

    def transition(self, main, pk, obj, from_status, to_status, event_type, id_field, **kw):
        self.calls.append((pk, from_status, to_status, event_type, id_field, kw))
        return ["update", "event"]


def test_the_table_answers_sources_targets_and_final_states():
    assert DOOR.sources(D.CLOSED) == (D.OPEN,)
    assert DOOR.targets(D.CLOSED) == (D.OPEN, D.LOCKED)
    assert DOOR.final() == (D.LOCKED,)
    assert DOOR.events() == {"door.made", "door.closed", "door.opened", "door.locked"}
    assert DOOR.move("CLOSED", "LOCKED").money is True


def test_a_move_outside_the_table_is_refused_before_anything_is_written():
    events = FakeEvents()
    with pytest.raises(IllegalMove):
        DOOR.actions(events, None, "pk", {"status": "OPEN"}, D.LOCKED, id_field="door_id")
    assert events.calls == []


def test_the_guarded_transition_carries_the_tables_event_and_the_states_it_leaves():
    events = FakeEvents()
    assert DOOR.actions(events, "main", "DOOR#1", {"status": "CLOSED"}, D.LOCKED, id_field="door_id",
                        sets={"key": "k"}) == ["update", "event"]
    assert events.calls == [("DOOR#1", ("CLOSED",), "LOCKED", "door.locked", "door_id", {"sets": {"key": "k"}})]


def test_several_sources_must_share_one_event():
    events = FakeEvents()
    two = Lifecycle("two", Door, D.OPEN, [Move(D.OPEN, D.CLOSED, "a"), Move(D.LOCKED, D.CLOSED, "b"),
                                          Move(D.CLOSED, D.LOCKED, "c")])
    with pytest.raises(IllegalMove):
        two.actions(events, None, "pk", {"status": "OPEN"}, D.CLOSED, sources=(D.OPEN, D.LOCKED), id_field="x")
    two.actions(events, None, "pk", {"status": "OPEN"}, D.CLOSED, sources=(D.OPEN, D.LOCKED), id_field="x", event="a")
    assert events.calls[-1][1:4] == (("OPEN", "LOCKED"), "CLOSED", "a")


def test_tables_with_unreachable_states_or_repeated_moves_are_refused_when_declared():
    with pytest.raises(ValueError, match="unreachable"):
        Lifecycle("bad", Door, D.OPEN, [Move(D.OPEN, D.CLOSED, None)])
    with pytest.raises(ValueError, match="twice"):
        Lifecycle("bad", Door, D.OPEN, [Move(D.OPEN, D.CLOSED, None), Move(D.OPEN, D.CLOSED, "x"),
                                        Move(D.CLOSED, D.LOCKED, None)])


def test_the_diagram_lists_every_move():
    text = DOOR.diagram()
    assert "[*] --> OPEN: door.made" in text and "CLOSED --> LOCKED: door.locked · money" in text
    assert "LOCKED --> [*]" in text
