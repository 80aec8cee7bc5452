"""The one progress bar of the CLI and the tools: it counts to its total on a terminal, and prints
nothing at all when its console is not one (CI logs keep the tools' own lines only)."""
from __future__ import annotations

import io

from rich.console import Console

from infra.cli import progress


def terminal() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=100), buf


def test_tracked_counts_to_its_total_on_a_terminal():
    console, buf = terminal()
    with progress.tracked("fuzz: examples", 5, "requests", console=console, transient=False) as bar:
        for i in range(5):
            bar.advance(description="fuzz: generated" if i == 3 else None)
        task = bar.progress.tasks[bar.task]
    assert task.completed == task.total == 5 and task.finished
    assert task.description == "fuzz: generated"
    assert "5/5" in buf.getvalue() and "requests" in buf.getvalue()


def test_tracked_grows_its_total_when_the_count_passes_it():
    console, _ = terminal()
    with progress.tracked("bench", 2, "stages", console=console) as bar:
        bar.advance(3)
        bar.update(completed=4)
        task = bar.progress.tasks[bar.task]
    assert task.completed == task.total == 4


def test_a_console_that_is_not_a_terminal_gets_nothing():
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False)
    with progress.tracked("fuzz: examples", 3, "requests", console=console, transient=False) as bar:
        for _ in range(3):
            bar.advance()
    with progress.bar("slices", console=console) as b:
        b.update(b.add_task("job", total=2), completed=2)
    with progress.status("auditing the ledger …", console=console):
        pass
    assert bar.completed == 3 and buf.getvalue() == ""


def test_disable_silences_a_terminal_too():
    console, buf = terminal()
    with progress.bar("slices", console=console, disable=True) as b:
        b.update(b.add_task("job", total=2), completed=2)
    with progress.status("auditing the ledger …", console=console, disable=True):
        pass
    assert buf.getvalue() == ""


def test_status_shows_its_text_on_a_terminal():
    console, buf = terminal()
    with progress.status("auditing the ledger …", console=console):
        pass
    assert "auditing the ledger" in buf.getvalue()
