"""Fuzzing as a gate: a bounded run of ``make fuzz``'s harness (schemathesis against the committed
OpenAPI document) must find no server error and no status-code or response-schema mismatch, reach
every operation past validation (a 2xx each), get past every connector's callback signature check
with callbacks signed as its stand-in signs them, and see malformed signatures refused with 401."""
import json
import os

import pytest

from infra.tools.fuzz import OPENAPI_FILE, fuzz, signers
from payrail.providers import registry

#: requests in the bounded run, examples and callbacks included (``make fuzz`` sends 2,000)
REQUESTS = 450
#: the gate's generation seed, so that a run is repeatable (``PAYRAIL_FUZZ_SEED`` picks another;
#: ``make fuzz`` draws a new one every run)
SEED = 20261201
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def run(cloud, tmp_path_factory):
    """One bounded fuzz run shared by the tests of this module: ``(result, report path)``."""
    seed = int(os.environ.get("PAYRAIL_FUZZ_SEED") or SEED)
    report = tmp_path_factory.mktemp("fuzz") / "fuzz-report.json"
    return fuzz(cloud["api_url"], cloud["admin_token"], REQUESTS, seed=seed, report=report,
                fulfilment_url=cloud["fulfilment_url"]), report


def documented() -> set[str]:
    doc = json.loads(OPENAPI_FILE.read_text())
    return {f"{m.upper()} {path}" for path, ops in doc["paths"].items() for m in ops if m in METHODS}


def test_fuzzing_finds_no_server_error_and_no_conformance_failure(run, capsys):
    result, report = run
    with capsys.disabled():
        print(f"\n{result.summary()}\n{result.line}  (seed {result.seed}, report {report})")
    assert result.requests >= REQUESTS and set(result.operations) == documented()
    assert result.ok, (f"{result.line}\n{result.kinds_text()}\n{result.examples_text()}\n"
                       f"report: {report} (PAYRAIL_FUZZ_SEED={result.seed})")


def test_every_operation_is_fuzzed_past_validation(run):
    result, _ = run
    assert set(result.documented) == documented()
    no_2xx = {op: dict(result.operations[op].statuses) for op in result.without_2xx}
    assert no_2xx == {}, f"operations that never answered 2xx: {no_2xx}"


def test_every_operation_is_sent_an_unknown_query_parameter(run):
    result, _ = run
    assert result.unknown_parameter_checked == documented()


def test_signed_callbacks_get_past_every_connectors_signature_check(run):
    result, _ = run
    assert set(result.callbacks) == set(registry.REGISTRY)
    for name, stats in result.callbacks.items():
        assert stats.past_signature > 0, f"{name}: no signed callback got past the signature check: {stats}"
        assert any(200 <= code < 300 for code in stats.signed), f"{name}: no signed callback answered 2xx: {stats}"


def test_callbacks_with_malformed_signature_headers_answer_401(run, tmp_path):
    result, _ = run
    signing = {name for name, signer in signers(tmp_path).items() if signer.signs}
    assert signing and {name for name, stats in result.callbacks.items() if stats.malformed} == signing
    answers = {name: dict(result.callbacks[name].malformed) for name in signing}
    assert answers == {name: {401: sum(result.callbacks[name].malformed.values())} for name in signing}
