"""Contract between the payout state machine (infra/asl/payout.asl.json) and the typed workflow
messages of payrail.payouts.workflow: every path the ASL reads is a field of the model it reads,
every message it builds has exactly the model's fields, and its Choice routes exactly the
``Next`` values."""
from infra import catalog
from tests.unit.asl_paths import fields, paths
from payrail.providers.connectors.base import ProviderStatus
from payrail.payouts.workflow import (UNKNOWN, Dispatch, Handover, Next, Outcome, PayoutRun, PayoutStatus, StepRequest,
                                     StepResult)

ASL = catalog.asl("payout")
STATES = ASL["States"]
#: what each top-level field of the state holds: a model, or a plain value
SHAPE = {**{f: None for f in Handover.model_fields}, "outcome": Outcome, "result": StepResult, "lost": None,
         "lost_count": None}


def test_every_path_the_asl_reads_is_a_model_field():
    for name, state in STATES.items():
        for path in paths({k: v for k, v in state.items() if k != "ResultSelector"}):  # that reads the task's result
            top, *rest = path[2:].split(".")
            assert top in SHAPE, (name, path)
            model = SHAPE[top]
            if rest and model is not None:
                assert rest[0] in model.model_fields, (name, path)
    # results land where the shape says
    assert STATES["Dispatch"]["ResultPath"] == "$.outcome"
    assert {s["ResultPath"] for s in (STATES["Capture"], STATES["Release"])} == {"$.result"}


def test_an_execution_starts_by_waiting_the_handover_s_first_check_then_dispatches():
    """The worker hands a run over (Handover) only when it must be looked at again: the machine
    waits ``first_check_seconds`` before its first dispatch."""
    first = STATES[ASL["StartAt"]]
    assert first == {"Type": "Wait", "SecondsPath": "$.first_check_seconds", "Next": "Dispatch"}
    assert set(Handover.model_fields) == set(PayoutRun.model_fields) | {"first_check_seconds"}
    assert Dispatch(payout_id="po_1", merchant_id="m_1", run=1).task_token is None  # a first look


def test_messages_built_by_the_asl_have_exactly_the_models_fields():
    body = STATES["Dispatch"]["Parameters"]["MessageBody"]
    assert fields(body) == set(Dispatch.model_fields) and body["task_token.$"] == "$$.Task.Token"
    for step, action in (("Capture", "capture"), ("Release", "release")):
        payload = STATES[step]["Parameters"]["Payload"]
        assert fields(payload) == set(StepRequest.model_fields) and payload["action"] == action
        selector = STATES[step]["ResultSelector"]
        assert fields(selector) == set(StepResult.model_fields)
        assert all(v == f"$.Payload.{k.removesuffix('.$')}" for k, v in selector.items())


def test_the_route_choice_handles_exactly_the_next_values():
    choices = STATES["Route"]["Choices"]
    assert {c["Variable"] for c in choices} == {"$.outcome.next"}
    assert {c["StringEquals"] for c in choices} == {n.value for n in Next}
    target = {c["StringEquals"]: c["Next"] for c in choices}
    assert STATES[target["CHECK"]]["Type"] == "Wait" and STATES[target["CHECK"]]["Next"] == "Dispatch"
    assert (target["CAPTURE"], target["RELEASE"], STATES[target["END"]]["Type"]) == ("Capture", "Release", "Succeed")
    for name, state in STATES.items():  # every Next names a state
        for nxt in [state.get("Next"), state.get("Default")] + [c["Next"] for c in state.get("Choices", [])] + \
                [c["Next"] for c in state.get("Catch", [])]:
            assert nxt is None or nxt in STATES, (name, nxt)


def test_three_vocabularies_stay_apart():
    payout, provider = {s.value for s in PayoutStatus}, {s.value for s in ProviderStatus}
    assert UNKNOWN.value not in payout | provider
    assert not {"SUCCESS", "NOT_FOUND"} & payout and not {"SUCCEEDED", "PROCESSING"} & provider
    o = Outcome(next=Next.CHECK, payout_status=PayoutStatus.PROCESSING, observed=UNKNOWN, next_check_seconds=4)
    again = Outcome.model_validate_json(o.model_dump_json())
    assert again == o and again.observed is UNKNOWN
    assert Outcome.model_validate_json(o.model_copy(update={"observed": ProviderStatus.PENDING}).model_dump_json()
                                       ).observed is ProviderStatus.PENDING
