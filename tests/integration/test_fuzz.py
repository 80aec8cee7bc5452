"""Fuzzing as a gate: a bounded run of ``make fuzz``'s harness (schemathesis against the committed
OpenAPI document) must find no server error and no status-code or response-schema mismatch."""
import json
import os

from infra.local.fuzz import OPENAPI_FILE, fuzz

#: generated requests in the bounded run (``make fuzz`` sends 2,000)
REQUESTS = 300
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def test_fuzzing_finds_no_server_error_and_no_conformance_failure(cloud, tmp_path, capsys):
    seed = int(os.environ["PAYRAIL_FUZZ_SEED"]) if os.environ.get("PAYRAIL_FUZZ_SEED") else None
    report = tmp_path / "fuzz-report.json"
    result = fuzz(cloud["api_url"], cloud["admin_token"], REQUESTS, seed=seed, report=report)
    with capsys.disabled():
        print(f"\n{result.line}  (seed {result.seed}, report {report})")
    doc = json.loads(OPENAPI_FILE.read_text())
    documented = {f"{m.upper()} {path}" for path, ops in doc["paths"].items() for m in ops if m in METHODS}
    assert result.requests >= REQUESTS and set(result.operations) == documented
    assert result.ok, f"{result.line}\n{result.kinds_text()}\nreport: {report} (PAYRAIL_FUZZ_SEED={result.seed})"
