"""Contract between the settlement state machine (infra/asl/settlement.asl.json) and the typed
workflow messages of payrail.settlement.workflow: every path the ASL reads is a field of the
message it reads, every payload it builds has exactly a task message's fields, every result it
selects is a field of the task's result, and the Route Choice's presence tests tell the plan's
outcomes apart."""
import json

from infra import catalog
from tests.unit.asl_paths import fields, paths
from payrail.settlement.model import SettlementStatus
from payrail.settlement.workflow import (TASKS, FailTask, FinalizeTask, JobRef, JobState, NotStarted, Planned,
                                        PlanTask, Schedule, Slice, SliceResult, SliceTask)

ASL = catalog.asl("settlement")
STATES = ASL["States"]
MAPS = ("Slices", "SlicesFromManifest")
#: the top-level state from Plan on: a plan's outcome, plus what the Catch and Finalize add
TOP = set(Planned.model_fields) | set(NotStarted.model_fields) | {"error", "result"}
#: a Map iteration's state: what its ItemSelector builds
ITEM = set(SliceTask.model_fields) - {"step"}


def own(state: dict) -> dict:
    """The state without what reads the task's result (its result selector and output path) and
    without its item processor."""
    return {k: v for k, v in state.items() if k not in ("ResultSelector", "OutputPath", "ItemProcessor")}


def test_every_path_the_asl_reads_is_a_message_field():
    read = set()
    for name, state in STATES.items():
        for path in paths(own(state)):
            top, *rest = path[2:].split(".")
            assert top in TOP, (name, path)
            if top == "slices":
                assert not rest, (name, path)
            read.add(top)
    # and every field is read or written by a state but the count (kept for the execution's history)
    assert read == TOP - {"slices_total"}
    for m in MAPS:
        for name, state in STATES[m]["ItemProcessor"]["States"].items():
            for path in paths(own(state)):
                assert path[2:].split(".")[0] in ITEM, (m, name, path)
    # results land where the state says: Plan's output is the state; Finalize's under result
    assert STATES["Plan"]["OutputPath"] == "$.Payload" and STATES["Finalize"]["ResultPath"] == "$.result"
    assert {STATES[m]["ResultPath"] for m in MAPS} == {None}  # the slices' results stay out of the state


def test_payloads_built_by_the_asl_have_exactly_the_task_messages_fields():
    plan = STATES["Plan"]["Parameters"]["Payload"]
    assert fields(plan) == set(PlanTask.model_fields) and plan["step"] == "plan"
    assert plan["input.$"] == "$" and plan["execution.$"] == "$$.Execution.Id"
    for m in MAPS:
        selector = STATES[m]["ItemSelector"]
        assert fields(selector) == ITEM and selector["slice.$"] == "$$.Map.Item.Value"
        assert all(v == f"$.{k.removesuffix('.$')}" for k, v in selector.items() if k != "slice.$")
        aggregate = STATES[m]["ItemProcessor"]["States"]["Aggregate"]
        payload = aggregate["Parameters"]["Payload"]
        assert fields(payload) == set(SliceTask.model_fields) and payload["step"] == "aggregate"
        assert fields(aggregate["ResultSelector"]) <= set(SliceResult.model_fields)
        assert all(v == f"$.Payload.{k.removesuffix('.$')}" for k, v in aggregate["ResultSelector"].items())
    for step, task in (("Finalize", FinalizeTask), ("MarkFailed", FailTask)):
        payload = STATES[step]["Parameters"]["Payload"]
        assert fields(payload) == set(task.model_fields) and TASKS[payload["step"]] is task
    assert STATES["MarkFailed"]["Parameters"]["Payload"]["error.$"] == "$.error"
    assert {c["ResultPath"] for s in STATES.values() for c in s.get("Catch", [])} == {"$.error"}
    selector = STATES["Finalize"]["ResultSelector"]
    assert fields(selector) <= set(JobState.model_fields)
    assert all(v == f"$.Payload.{k.removesuffix('.$')}" for k, v in selector.items())


def test_the_route_choice_tells_the_plan_s_outcomes_apart():
    """Route tests presence: a job that ended before it started carries ``cancelled``, a plan for
    the Distributed Map ``manifest_key``, an inline plan neither — as the messages are sent."""
    route = STATES["Route"]
    target = {c["Variable"]: c["Next"] for c in route["Choices"]}
    assert all(c["IsPresent"] is True for c in route["Choices"])
    assert target == {"$.cancelled": "Cancelled", "$.manifest_key": "SlicesFromManifest"}
    assert route["Default"] == "Slices"
    assert STATES["Slices"]["ItemsPath"] == "$.slices"
    reader = STATES["SlicesFromManifest"]["ItemReader"]["Parameters"]
    assert (reader["Bucket.$"], reader["Key.$"]) == ("$.bucket", "$.manifest_key")

    piece = Slice(slice=0, date="2026-03-01", shard=0, part=0, parts=1)
    inline = Planned(scope="ALL", job_id="stl_1", slices_total=1, concurrency=4, slices=[piece]).message()
    manifest = Planned(scope="ALL", job_id="stl_1", slices_total=41, concurrency=4, bucket="b",
                       manifest_key="settlements/parts/stl_1/manifest.json").message()
    ended = NotStarted(scope="ALL", job_id="stl_1").message()
    present = lambda msg: {v[2:] for v in target if v[2:] in msg}  # noqa: E731
    assert (present(inline), present(manifest), present(ended)) == (set(), {"manifest_key"}, {"cancelled"})
    assert inline["slices"] == [{"slice": 0, "date": "2026-03-01", "shard": 0, "part": 0, "parts": 1}]
    # a Map item (inline, or one of the manifest's) is a Slice, and the item selector's output a SliceTask
    item = SliceTask.model_validate({"step": "aggregate", "scope": "ALL", "job_id": "stl_1",
                                     "slice": inline["slices"][0]})
    assert item.slice == piece


def test_plan_reads_the_api_s_execution_input_and_the_schedule_s_event():
    api = PlanTask.model_validate({"step": "plan", "input": {"scope": "m_1", "job_id": "stl_1"},
                                   "execution": "arn:aws:states:…:execution:settlement:stl_1"})
    assert api.input == JobRef(scope="m_1", job_id="stl_1")
    scheduled = json.loads((catalog.ROOT / "events/stepfunctions/settlement_plan_scheduled.json").read_text()
                           .replace("${TIME}", "2026-03-02T00:15:00Z"))
    task = PlanTask.model_validate(scheduled)
    assert isinstance(task.input, Schedule) and task.input.time == "2026-03-02T00:15:00Z" and task.execution is None


def test_a_job_state_carries_the_status_finalize_s_selector_reads():
    done = JobState(scope="ALL", job_id="stl_1", status=SettlementStatus.COMPLETED, report_key="settlements/stl_1.csv",
                    rows=3).message()
    assert done == {"scope": "ALL", "job_id": "stl_1", "status": "COMPLETED", "report_key": "settlements/stl_1.csv",
                    "rows": 3}
