"""The one progress bar of payrail's command line: ``payrail settlement start --watch``, the bench
tools (``bench``, ``bench_settlement``) and the fuzz run all show their progress with it.

The bar draws on stderr (stdout keeps the results a script reads) and only on a terminal: when
the console is not one (CI logs, a pipe, a test's captured output) it is disabled and prints
nothing, so the lines a tool prints stay exactly as they are.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


def bar(unit: str, console: Console | None = None, disable: bool | None = None,
        transient: bool = False) -> Progress:
    """A rich ``Progress`` of ``description [bar] done/total unit elapsed`` on ``console`` (default:
    stderr). ``disable`` defaults to "the console is not a terminal"; ``transient`` removes the bar
    once it is done (for tools whose own lines follow it)."""
    console = console or Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                    TimeElapsedColumn(), console=console,
                    disable=(not console.is_terminal) if disable is None else disable, transient=transient)


class Tracker:
    """One task of a :func:`tracked` bar: ``advance`` counts, ``update`` sets; both keep ``total`` at
    least the count reached (a run may send more than it planned)."""

    def __init__(self, progress: Progress, task: TaskID):
        self.progress, self.task = progress, task

    @property
    def completed(self) -> float:
        """The count reached so far."""
        return self.progress.tasks[self.task].completed

    def _fit(self, completed: float, total: float | None) -> float:
        total = self.progress.tasks[self.task].total if total is None else total
        return max(total or 0, completed, 1)

    def advance(self, n: float = 1, description: str | None = None) -> None:
        """Count ``n`` more (and change the description when given)."""
        done = self.completed + n
        self.progress.update(self.task, completed=done, total=self._fit(done, None),
                             **({"description": description} if description is not None else {}))

    def update(self, completed: float | None = None, total: float | None = None,
               description: str | None = None) -> None:
        """Set the count, the total or the description (each when given)."""
        done = self.completed if completed is None else completed
        kw = {"description": description} if description is not None else {}
        self.progress.update(self.task, completed=done, total=self._fit(done, total), **kw)


@contextmanager
def tracked(description: str, total: float, unit: str, console: Console | None = None,
            disable: bool | None = None, transient: bool = True) -> Iterator[Tracker]:
    """A :func:`bar` with one task of ``total`` ``unit``, started and stopped around the block."""
    with bar(unit, console=console, disable=disable, transient=transient) as progress:
        yield Tracker(progress, progress.add_task(description, total=max(total, 1)))


@contextmanager
def status(text: str, console: Console | None = None, disable: bool = False) -> Iterator[None]:
    """A spinner with ``text`` on ``console`` (default: stderr) while the block runs, for a request
    whose length is unknown (the ledger audit); gone once the block ends, nothing when ``disable``
    or when the console is not a terminal."""
    console = console or Console(stderr=True)
    if disable or not console.is_terminal:
        yield
        return
    with console.status(text, spinner="dots"):
        yield
