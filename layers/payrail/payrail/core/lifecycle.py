"""Lifecycle tables: the allowed moves of every stateful entity as data, and the one guarded
transition that every product applies them with.

Each stateful entity (payout, payment, reservation, order, settlement job, webhook delivery)
declares one :class:`Lifecycle`: its status enum, its initial state and one :class:`Move` per
allowed transition (from, to, the event it emits, whether money moves with it). Domain code
asks its lifecycle for the actions of a change (:meth:`Lifecycle.actions`); the lifecycle refuses
a move its table lacks (a bug, raised before anything is written) and builds, through
:meth:`payrail.core.events.EventLog.transition`, the conditional status update guarded by the
state(s) it leaves, the ``status_history`` append and the event Put, for one transaction.

A test ties each table to the entity's enum, the API's enum, the event catalog and the ASL's
Choice states; the state diagrams in ``docs/`` are drawn from the tables (:meth:`Lifecycle.diagram`).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Iterable, Mapping, TypeVar

from pydantic import BaseModel, ConfigDict

S = TypeVar("S", bound=StrEnum)


class StatusChange(BaseModel):
    # one entry of an entity's ``status_history``: the state entered, when, and why
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: str
    at: str
    detail: str | None = None


class IllegalMove(RuntimeError):
    """A transition the entity's lifecycle table does not allow: a bug in the caller, never an
    answer to a client (nothing has been written)."""


@dataclass(frozen=True)
class Move(Generic[S]):
    """One allowed transition.

    Attributes:
        source: the state left (the write is guarded by it).
        target: the state entered.
        event: the event type emitted in the same transaction (None: no event).
        money: whether a journal moves money in the same transaction.
    """

    source: S
    target: S
    event: str | None
    money: bool = False


class Lifecycle(Generic[S]):
    """The allowed transitions of one entity.

    Args:
        entity: the entity's name (``payout``), used in messages and diagrams.
        states: its status enum.
        initial: the state an entity is created in (with its creation event).
        created_event: the event of the creation (None: none).
        moves: every allowed :class:`Move`.
        also_created: other states an entity may be created in, each with its creation's event.

    Raises:
        ValueError: a move names a state twice, or a state is unreachable from ``initial``.
    """

    def __init__(self, entity: str, states: type[S], initial: S, moves: Iterable[Move[S]],
                 created_event: str | None = None, also_created: Mapping[S, str | None] | None = None):
        self.entity, self.states, self.initial, self.created_event = entity, states, initial, created_event
        self.starts: dict[S, str | None] = {initial: created_event, **(also_created or {})}
        self.moves: tuple[Move[S], ...] = tuple(moves)
        self._by_pair = {(m.source, m.target): m for m in self.moves}
        if len(self._by_pair) != len(self.moves):
            raise ValueError(f"{entity}: a move is listed twice")
        reached, todo = set(self.starts), list(self.starts)
        while todo:
            s = todo.pop()
            for m in self.moves:
                if m.source == s and m.target not in reached:
                    reached.add(m.target)
                    todo.append(m.target)
        if missing := [s for s in states if s not in reached]:
            raise ValueError(f"{entity}: unreachable states {missing}")

    # ---- reading the table --------------------------------------------------------------------
    def move(self, source: S | str, target: S | str) -> Move[S]:
        """The move from ``source`` to ``target``. Raises IllegalMove when the table lacks it."""
        m = self._by_pair.get((self.states(source), self.states(target)))
        if m is None:
            raise IllegalMove(f"{self.entity}: {source} → {target} is not an allowed transition")
        return m

    def sources(self, target: S | str) -> tuple[S, ...]:
        """Every state from which ``target`` may be entered, in the enum's order."""
        t = self.states(target)
        return tuple(s for s in self.states if (s, t) in self._by_pair)

    def targets(self, source: S | str) -> tuple[S, ...]:
        """Every state ``source`` may move to, in the enum's order."""
        s = self.states(source)
        return tuple(t for t in self.states if (s, t) in self._by_pair)

    def final(self) -> tuple[S, ...]:
        """The states with no way out (a move back to the same state, which only records, aside)."""
        return tuple(s for s in self.states if not any(t != s for t in self.targets(s)))

    def events(self) -> set[str]:
        """Every event type this entity emits (its creations' included)."""
        return {m.event for m in self.moves if m.event} | {e for e in self.starts.values() if e}

    def created(self, state: S | str) -> str | None:
        """The event of a creation in ``state``. Raises IllegalMove when no entity starts there."""
        s = self.states(state)
        if s not in self.starts:
            raise IllegalMove(f"{self.entity}: is never created {s}")
        return self.starts[s]

    def check(self, sources: Iterable[S | str], target: S | str) -> tuple[S, ...]:
        """``sources`` as states, each checked to move to ``target``; raises IllegalMove."""
        out = tuple(self.states(s) for s in sources)
        for s in out:
            self.move(s, target)
        return out

    # ---- applying it ----------------------------------------------------------------------------
    def actions(self, events, main, pk: str, obj: dict, target: S | str, *, sources: Iterable[S | str] | None = None,
                id_field: str, event: str | None = None, **kw) -> list[dict]:
        """The actions of moving ``obj`` to ``target``, for one ``TransactWriteItems``: the status
        Update guarded by the state(s) left and ``status_history`` as read, and the move's event.

        Args:
            events: the ``EventLog``; main: the ``MainTable``; pk: the object's key; obj: as read.
            sources: the states the move may leave (default: the object's current status); each
                must be allowed by the table.
            event: which of the table's events to emit when the sources' moves emit different ones.
            kw: more of ``EventLog.transition``'s arguments (``sets``, ``detail``, ``ts`` …).

        Raises:
            IllegalMove: a source → target pair the table lacks, or a move without an event.
        """
        states = self.check(sources if sources is not None else (obj["status"],), target)
        moves = {self.move(s, target).event for s in states}
        if event is None:
            if len(moves) != 1 or None in moves:
                raise IllegalMove(f"{self.entity}: → {target} from {states} emits {moves or 'nothing'}")
            event = moves.pop()
        elif event not in moves:
            raise IllegalMove(f"{self.entity}: → {target} from {states} does not emit {event}")
        return events.transition(main, pk, obj, tuple(str(s) for s in states), str(self.states(target)), event,
                                 id_field, **kw)

    # ---- documents ------------------------------------------------------------------------------
    def diagram(self) -> str:
        """The table as a Mermaid ``stateDiagram-v2`` (one line per move: event and money)."""
        lines = ["stateDiagram-v2"] + [f"    [*] --> {s}" + (f": {e}" if e else "") for s, e in self.starts.items()]
        for m in self.moves:
            label = " · ".join(x for x in (m.event, "money" if m.money else None) if x)
            lines.append(f"    {m.source} --> {m.target}" + (f": {label}" if label else ""))
        lines += [f"    {s} --> [*]" for s in self.final()]
        return "\n".join(lines)
