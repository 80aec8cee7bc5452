"""Each stateful entity's lifecycle table tied to the rest of its vocabulary: the domain's status
enum, the API's status enum (the OpenAPI document's), the event catalog, the state machine's
Choice states and the state diagram in the docs. One entry per entity in :data:`ENTITIES`."""
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, get_args

import pytest

from infra.catalog import ROOT
from payrail.api import models
from payrail.core.events import EVENT_TYPES
from payrail.core.lifecycle import Lifecycle
from payrail.payouts import model as payouts
from payrail.payouts import workflow


@dataclass(frozen=True)
class Entity:
    """One stateful entity: its ``lifecycle`` table, its domain ``enum``, the API's status type,
    the doc holding its diagram and, when a state machine routes on it, a check of the ASL."""

    lifecycle: Lifecycle
    enum: type[StrEnum]
    api_status: Any
    doc: str
    asl: Callable[[Lifecycle], None] | None = field(default=None)

    def __str__(self) -> str:
        return self.lifecycle.entity


def _choices(asl_path: str, state: str) -> dict[str, set[str]]:
    """``{variable: {StringEquals values}}`` of the Choice state ``state`` of an ASL definition."""
    definition = json.loads((ROOT / asl_path).read_text())
    choice = definition["States"][state]
    assert choice["Type"] == "Choice"
    out: dict[str, set[str]] = {}
    for rule in choice["Choices"]:
        out.setdefault(rule["Variable"], set()).add(rule["StringEquals"])
    return out


def _payout_asl(lifecycle: Lifecycle) -> None:
    """The payout workflow's ``Route`` Choice branches on every decision of ``Next`` and no other;
    CAPTURE and RELEASE lead, from the states at the provider, to moves of the table that move
    money, CHECK to states the payout stays held in, END to none."""
    assert _choices("infra/asl/payout.asl.json", "Route") == {"$.outcome.next": {n.value for n in workflow.Next}}
    assert set(workflow.DECISIONS) == set(workflow.Next)
    for decision in (workflow.Next.CAPTURE, workflow.Next.RELEASE):
        for target in workflow.DECISIONS[decision]:
            for source in payouts.AT_PROVIDER:
                assert lifecycle.move(source, target).money, (decision, source, target)
    assert set(workflow.DECISIONS[workflow.Next.CHECK]) <= set(payouts.HELD)
    assert workflow.DECISIONS[workflow.Next.END] == ()


ENTITIES = [
    Entity(payouts.PAYOUT_LIFECYCLE, payouts.PayoutStatus, models.PayoutStatusName, "docs/payouts.md", _payout_asl),
    Entity(payouts.RESERVATION_LIFECYCLE, payouts.ReservationStatus, models.ReservationStatusName, "docs/payouts.md"),
]


@pytest.mark.parametrize("entity", ENTITIES, ids=str)
def test_the_table_covers_the_domain_enum(entity):
    assert entity.lifecycle.states is entity.enum
    moved = {m.source for m in entity.lifecycle.moves} | {m.target for m in entity.lifecycle.moves}
    assert moved | set(entity.lifecycle.starts) == set(entity.enum)


@pytest.mark.parametrize("entity", ENTITIES, ids=str)
def test_the_api_status_is_the_domain_enum(entity):
    assert get_args(entity.api_status) == tuple(s.value for s in entity.enum)


@pytest.mark.parametrize("entity", ENTITIES, ids=str)
def test_the_openapi_document_lists_the_domain_states(entity):
    schemas = json.loads((ROOT / "functions/api/openapi.json").read_text())["components"]["schemas"]
    name = entity.lifecycle.entity.capitalize()
    assert schemas[name]["properties"]["status"]["enum"] == [s.value for s in entity.enum]


@pytest.mark.parametrize("entity", ENTITIES, ids=str)
def test_the_events_are_the_catalog_entries_of_the_entity(entity):
    events = entity.lifecycle.events()
    assert events <= set(EVENT_TYPES), events - set(EVENT_TYPES)
    prefix = f"{entity.lifecycle.entity}."
    assert {e for e in EVENT_TYPES if e.startswith(prefix)} == events


@pytest.mark.parametrize("entity", [e for e in ENTITIES if e.asl], ids=str)
def test_the_state_machine_routes_on_the_table(entity):
    entity.asl(entity.lifecycle)


@pytest.mark.parametrize("entity", ENTITIES, ids=str)
def test_the_doc_shows_the_table_as_drawn(entity):
    text = (ROOT / entity.doc).read_text()
    diagrams = re.findall(r"```mermaid\n(.*?)\n```", text, re.S)
    assert entity.lifecycle.diagram() in diagrams, f"{entity.doc}: redraw with {entity}'s Lifecycle.diagram()"
