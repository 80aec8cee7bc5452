"""The reconciliation lifecycle tables: each agrees with its domain enum, the API's status enum,
the event catalog (the two tables together emit exactly the reconciliation family) and the
diagrams in docs/reconciliation.md; the service refuses a move the tables lack before anything is
written; each class accepts only its resolutions."""
from pathlib import Path
from typing import get_args

import pytest

from payrail.api import models
from payrail.core.events import EVENT_TYPES
from payrail.core.lifecycle import IllegalMove, Lifecycle
from payrail.reconciliation import model
from payrail.reconciliation.records import ExceptionRecords, RunRecords

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/reconciliation.md"
TABLES = {
    "run": (model.LIFECYCLE, model.ReconciliationStatus, models.ReconciliationRun.model_fields["status"].annotation),
    "exception": (model.EXCEPTION_LIFECYCLE, model.ExceptionStatus,
                  models.ReconciliationException.model_fields["status"].annotation),
}


class Untouchable:
    """A table or client that fails the test when anything is written."""

    def __getattr__(self, name):
        def write(*args, **kwargs):
            raise AssertionError(f"{name} was called for a move the table lacks")
        return write


@pytest.mark.parametrize("name", list(TABLES))
def test_the_table_covers_its_enum_and_the_api_enum_is_the_domains(name):
    table, enum, api_status = TABLES[name]
    assert isinstance(table, Lifecycle) and table.states is enum
    assert {m.source for m in table.moves} | {m.target for m in table.moves} == set(enum)
    assert set(get_args(api_status)) == {s.value for s in enum}


def test_the_tables_emit_exactly_the_reconciliation_events():
    emitted = model.LIFECYCLE.events() | model.EXCEPTION_LIFECYCLE.events()
    assert emitted == {t for t in EVENT_TYPES if t.startswith("reconciliation.")}


@pytest.mark.parametrize("name", list(TABLES))
def test_the_docs_show_the_tables_diagram(name):
    table = TABLES[name][0]
    assert f"```mermaid\n{table.diagram()}\n```" in DOC.read_text(), f"regenerate the {name} diagram"


def test_a_run_ends_completed_failed_or_cancelled_and_only_a_resolution_moves_money():
    assert set(model.LIFECYCLE.final()) == {model.RS.COMPLETED, model.RS.FAILED, model.RS.CANCELLED}
    assert not any(m.money for m in model.LIFECYCLE.moves)
    assert [m.money for m in model.EXCEPTION_LIFECYCLE.moves] == [True]


def test_the_service_refuses_a_move_the_table_lacks_before_writing():
    runs = RunRecords(Untouchable(), Untouchable())
    with pytest.raises(IllegalMove):
        runs.transition({"run_id": "rec_1", "status": "COMPLETED", "status_history": []}, ("COMPLETED",), "RUNNING")
    with pytest.raises(IllegalMove):
        ExceptionRecords(Untouchable(), Untouchable()).resolve_actions(
            {"exception_id": "rex_1", "status": "RESOLVED", "status_history": []}, {}, "again")


def test_each_class_accepts_only_its_resolutions():
    R, C = model.Resolution, model.BreakClass
    assert set(model.RESOLUTIONS) == set(model.BREAKS) and C.MATCHED not in model.RESOLUTIONS
    assert model.RESOLUTIONS[C.PAID_AFTER_RELEASE] == (R.RECEIVABLE, R.WRITE_OFF, R.ACKNOWLEDGE)
    assert model.RESOLUTIONS[C.MISSING_AT_PROVIDER] == (R.REVERSE_CAPTURE, R.ACKNOWLEDGE)
    assert all(model.RESOLUTIONS[c] == (R.ACKNOWLEDGE,) for c in model.BREAKS
               if c not in (C.PAID_AFTER_RELEASE, C.MISSING_AT_PROVIDER))
