"""``make fuzz``: property-based fuzzing of the HTTP API against its committed OpenAPI document.

Schemathesis (https://schemathesis.readthedocs.io, the 4.x Python API: ``schemathesis.openapi.from_path``,
``APIOperation.as_strategy``, ``Case.call``, ``Case.validate_response``) generates requests for every
operation of ``functions/api/openapi.json``, positive (schema-valid) and negative (schema-violating)
ones, driven by Hypothesis. Every request carries the admin bearer token and a merchant API key; the
API authenticates with the scheme the route declares. (Negative cases whose mutation is a missing
security header go without that header, on purpose: their 401/403 must be documented too.) Half
of the positive cases get the ids of real objects (a funded customer, a product, an order, a
payout, settlement jobs) so that the paths past the 404 are exercised too.

Each response is checked with exactly ``not_a_server_error``, ``status_code_conformance`` and
``response_schema_conformance``. The last line printed is::

    fuzz: <N> requests, <M> server errors, <K> conformance failures

N counts HTTP requests sent, M responses with status >= 500 (and requests that got no answer at
all), K failed status-code or response-schema checks (one per request and check). The exit status
is 1 when M or K is not 0. Failures, with the request, the response and a curl command, go to
``--report`` (default ``.local/fuzz-report.json``).

    python -m infra.local.fuzz [--requests 2000] [--seed N] [--use-running] [--data-dir .local]
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as with_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from infra.catalog import ROOT
from infra.local.client import Payrail, wait_for

OPENAPI_FILE = ROOT / "functions" / "api" / "openapi.json"
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
CONFORMANCE = {"status_code_conformance", "response_schema_conformance"}
#: merchants share the load when the API cannot raise one merchant's rate limit
MERCHANTS_WITHOUT_LIMIT_FIELD = 4
REQUEST_TIMEOUT = 30  # seconds
EXAMPLES_PER_KIND = 5  # failures kept in full per (operation, status, check); counts are always complete


# ---- credentials and real objects ------------------------------------------------------------
@dataclass
class Tenant:
    """One merchant with real objects: ``ids`` maps parameter/field names to values it owns (and to a
    webhook URL and event list the domain accepts)."""

    api_key: str
    ids: dict[str, str | list[str]]
    admin_ids: dict[str, str] = field(default_factory=dict)  # ids for the admin's merchant routes


def rate_limit_field(doc: dict) -> dict | None:
    """The JSON schema of ``rate_limit_per_minute`` in ``POST /v1/admin/merchants``'s body, or None."""
    try:
        body = doc["paths"]["/v1/admin/merchants"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    except KeyError:
        return None
    if "$ref" in body:
        body = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    prop = body.get("properties", {}).get("rate_limit_per_minute")
    if prop is None:
        return None
    for alt in prop.get("anyOf", []):  # ``int | None`` fields are documented as anyOf
        if alt.get("type") == "integer":
            return alt
    return prop


#: where the fuzz tenants' webhook endpoints point: a closed loopback port (deliveries fail fast)
WEBHOOK_URL = "http://127.0.0.1:9/fuzz"


def create_tenant(admin: Payrail, limit: int | None) -> Tenant:
    """A merchant with a funded customer, a product, a fulfilled order (and its events), a webhook
    endpoint, a PKR balance with a payout, a saved beneficiary, an INR reservation paying it, GHS floats
    with a mobile-money payment and a settlement job (what the ids of the generated GETs point to). Raises ApiError if the API refuses
    a step."""
    tag = uuid.uuid4().hex[:8]
    body = {"name": f"fuzz-{tag}"} | ({"rate_limit_per_minute": limit} if limit else {})
    created = admin.request("POST", "/v1/admin/merchants", body, admin=True)
    merchant_id, client = created["merchant"]["merchant_id"], admin.as_merchant(created["api_key"])
    customer = f"fuzz-cust-{tag}"
    admin.credit(merchant_id, customer, 1_000_000)
    product = client.create_product("fuzz product", 1_000, 1_000)
    order = client.order(product["product_id"], customer)
    wait_for(lambda: client.get_order(order["order_id"])["status"] == "FULFILLED", what="fuzz order fulfilled")
    endpoint = client.create_webhook_endpoint(WEBHOOK_URL, ["order.*"])
    event = client.events(limit=1)["data"][0]
    admin.top_up(merchant_id, 1_000_000)
    payout = client.payout(500, "1234560001")
    ben = client.save_beneficiary({"type": "upi", "vpa": "success@upi", "name": "Fuzz Payee"})
    admin.top_up(merchant_id, 1_000_000, "INR")
    reservation = client.request("POST", "/v1/reservations", {"amount": 500, "currency": "INR",
                                                              "beneficiary_id": ben["beneficiary_id"]},
                                 idempotency_key=f"fuzz-{tag}")
    for provider in ("mtn_momo", "airteltigo", "telecel"):
        admin.fund_float(merchant_id, provider, 10_000_000)
    payment = client.pay(1_000, "0241234561")
    today = datetime.now(timezone.utc).date().isoformat()
    job = client.settlement(today, today)
    return Tenant(created["api_key"], {
        "merchant_id": merchant_id, "customer_id": customer, "currency": "USD", "product_id": product["product_id"],
        "order_id": order["order_id"], "payout_id": payout["payout_id"], "job_id": job["job_id"],
        "beneficiary_id": ben["beneficiary_id"], "reservation_id": reservation["reservation_id"],
        "endpoint_id": endpoint["endpoint_id"], "event_id": event["event_id"], "payment_id": payment["payment_id"],
        # not ids, but values that pass the domain's checks, so endpoint creations and updates succeed too
        "url": WEBHOOK_URL, "enabled_events": ["order.*"]})


def create_tenants(api_url: str, admin_token: str, doc: dict) -> tuple[list[Tenant], str]:
    """``(tenants, admin_job_id)``: one merchant with a high rate limit when the API documents
    ``rate_limit_per_minute``, otherwise a few merchants that share the load."""
    admin = Payrail(api_url, admin_token=admin_token)
    limit_schema = rate_limit_field(doc)
    limit = None
    if limit_schema is not None:
        limit = min(int(limit_schema.get("maximum", 1_000_000)), 1_000_000)
    count = 1 if limit else MERCHANTS_WITHOUT_LIMIT_FIELD
    with ThreadPoolExecutor(count) as pool:
        tenants = list(pool.map(lambda _: create_tenant(admin, limit), range(count)))
    # the admin's merchant routes (suspend, rotate keys ...) get a merchant of their own, so that
    # they never revoke the keys the rest of the run uses
    victim = admin.request("POST", "/v1/admin/merchants", {"name": "fuzz-admin-target"}, admin=True)
    for t in tenants:
        t.admin_ids = {"merchant_id": victim["merchant"]["merchant_id"]}
    today = datetime.now(timezone.utc).date().isoformat()
    return tenants, admin.admin_settlement(today, today)["job_id"]


# ---- the run ---------------------------------------------------------------------------------------
@dataclass
class OperationStats:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)


@dataclass
class Result:
    """What a run found; ``line`` is the summary line ``make fuzz`` prints last."""

    requests: int = 0
    server_errors: int = 0
    conformance_failures: int = 0
    operations: dict[str, OperationStats] = field(default_factory=lambda: defaultdict(OperationStats))
    kinds: Counter = field(default_factory=Counter)  # (operation, status, check) -> count
    failures: list[dict] = field(default_factory=list)
    seed: int = 0

    @property
    def line(self) -> str:
        return (f"fuzz: {self.requests} requests, {self.server_errors} server errors, "
                f"{self.conformance_failures} conformance failures")

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and self.conformance_failures == 0

    def summary(self) -> str:
        rows = [f"{'operation':<58} {'requests':>8}  statuses  /  failed checks"]
        for label in sorted(self.operations):
            s = self.operations[label]
            statuses = " ".join(f"{code}x{n}" for code, n in sorted(s.statuses.items()))
            failed = " ".join(f"{check}x{n}" for check, n in sorted(s.failures.items()))
            rows.append(f"{label:<58} {s.requests:>8}  {statuses}" + (f"  /  {failed}" if failed else ""))
        return "\n".join(rows)

    def _sorted_kinds(self) -> list:
        return sorted(self.kinds.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2]))

    def kinds_text(self) -> str:
        """The distinct failures, one operation a line: ``status check xcount`` for each."""
        by_op: dict[str, list[str]] = defaultdict(list)
        for (op, status, check), n in self._sorted_kinds():
            by_op[op].append(f"{status} {check} x{n}")
        return "\n".join(f"  {op}: " + ", ".join(items) for op, items in by_op.items())

    def report(self) -> dict:
        return {"line": self.line, "seed": self.seed, "requests": self.requests, "server_errors": self.server_errors,
                "conformance_failures": self.conformance_failures,
                "operations": {k: {"requests": v.requests, "statuses": dict(v.statuses), "failures": dict(v.failures)}
                               for k, v in sorted(self.operations.items())},
                "kinds": [{"operation": op, "status": status, "check": check, "count": n}
                          for (op, status, check), n in self._sorted_kinds()],
                "failures": self.failures}


def _text(data, limit: int = 4000) -> str | None:
    if data is None:
        return None
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return data if len(data) <= limit else data[:limit] + f"... ({len(data)} chars)"


def _curl(case, headers: dict, base_url: str) -> str | None:
    """The curl command that repeats ``case`` (credentials shown as [Filtered]), or None."""
    try:
        return case.as_curl_command(headers=headers, base_url=base_url)
    except Exception:  # noqa: BLE001 - some generated requests cannot be written as a curl command
        return None


class Fuzzer:
    """Sends generated cases to ``api_url`` and checks the answers; see the module docstring."""

    def __init__(self, api_url: str, admin_token: str, tenants: list[Tenant], admin_job_id: str,
                 openapi_file: Path = OPENAPI_FILE):
        self.api_url = api_url
        self.admin_token, self.tenants, self.admin_job_id = admin_token, tenants, admin_job_id
        self.schema = schemathesis.openapi.from_path(str(openapi_file))
        self.checks = [getattr(checks, name) for name in CHECKS]
        self.http = requests.Session()
        self.result = Result()
        self._turn = 0

    def _tenant(self) -> Tenant:
        self._turn += 1
        return self.tenants[self._turn % len(self.tenants)]

    def _use_real_ids(self, case, tenant: Tenant) -> None:
        """Put the tenant's real ids into the path, query and (top-level) body fields of the same name."""
        ids = tenant.ids | ({"job_id": self.admin_job_id} if case.path.startswith("/v1/admin/") else {})
        if case.path.startswith("/v1/admin/merchants/"):
            ids = ids | tenant.admin_ids
        for container in (case.path_parameters, case.query):
            for name in container or {}:
                if name in ids:
                    container[name] = ids[name]
        if isinstance(case.body, dict):
            for name in case.body:
                if name in ids:
                    case.body[name] = ids[name]

    def execute(self, case, real_ids: bool) -> None:
        """Send one case and record the response and every failed check."""
        tenant = self._tenant()
        if real_ids:
            self._use_real_ids(case, tenant)
        headers = {"Authorization": f"Bearer {self.admin_token}", "X-API-Key": tenant.api_key}
        label = case.operation.label
        stats = self.result.operations[label]
        stats.requests += 1
        self.result.requests += 1
        try:
            response = case.call(base_url=self.api_url, session=self.http, headers=headers, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as e:  # no answer at all counts as a server error
            self._record(case, None, "not_a_server_error", "no response", f"{type(e).__name__}: {e}", headers)
            return
        stats.statuses[response.status_code] += 1
        if label == "POST /v1/api_keys/rotate" and response.status_code == 201:
            tenant.api_key = response.json()["api_key"]  # as a client does: the old key may expire at once
        if response.status_code >= 500:
            self.result.server_errors += 1
        for check in self.checks:
            try:
                case.validate_response(response, checks=[check], headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    self._record(case, response, check.__name__, failure.title, failure.message, headers)
            except Exception as e:  # noqa: BLE001 - a check that cannot run is reported like a failure
                self._record(case, response, check.__name__, "check raised", f"{type(e).__name__}: {e}", headers)

    def _record(self, case, response, check: str, title: str, message: str, headers: dict) -> None:
        label, status = case.operation.label, response.status_code if response is not None else None
        if response is None:
            self.result.server_errors += 1
        if check in CONFORMANCE:
            self.result.conformance_failures += 1
        self.result.operations[label].failures[check] += 1
        self.result.kinds[(label, status, check)] += 1
        if self.result.kinds[(label, status, check)] > EXAMPLES_PER_KIND:
            return
        request = response.request if response is not None else None
        self.result.failures.append({
            "operation": label, "check": check, "title": title, "message": _text(message),
            "request": {"method": request.method, "url": request.url, "headers": dict(request.headers),
                        "body": _text(request.body)} if request is not None else
                       {"method": case.method, "path": case.formatted_path, "query": case.query},
            "response": {"status": status, "headers": dict(response.headers),
                         "body": _text(response.content)} if response is not None else None,
            "curl": _curl(case, headers, self.api_url),
        })

    # ---- generation ------------------------------------------------------------------------------
    def _slots(self) -> list[tuple]:
        """``(operation, mode)`` pairs: every operation positively, and negatively where it has
        something to negate (parameters or a body)."""
        slots = []
        for result in self.schema.get_all_operations():
            op = result.ok()
            slots.append((op, GenerationMode.POSITIVE))
            if op.definition.raw.get("parameters") or op.definition.raw.get("requestBody"):
                slots.append((op, GenerationMode.NEGATIVE))
        return slots

    def _drive(self, op, mode, examples: int, seed: int) -> int:
        """Run up to ``examples`` generated cases of one operation in one mode; returns how many ran."""
        before = self.result.requests
        real = st.booleans() if mode == GenerationMode.POSITIVE else st.just(False)

        @with_seed(seed)
        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False)
        @given(case=op.as_strategy(generation_mode=mode), real_ids=real)
        def run(case, real_ids):
            self.execute(case, real_ids)

        try:
            run()
        except Unsatisfiable:  # nothing (more) to generate for this operation
            pass
        return self.result.requests - before

    def run(self, budget: int, seed: int | None = None) -> Result:
        """Spread ``budget`` requests over every operation and mode; operations whose inputs run
        out early (no parameters) leave their share to the others. Returns the result."""
        self.result.seed = seed if seed is not None else random.randrange(2**32)
        rng = random.Random(self.result.seed)
        open_slots = self._slots()
        for _round in range(4):
            remaining = budget - self.result.requests
            if remaining <= 0 or not open_slots:
                break
            share = math.ceil(remaining / len(open_slots))
            still_open = []
            for op, mode in open_slots:
                if self._drive(op, mode, share, rng.randrange(2**32)) >= share:
                    still_open.append((op, mode))
            open_slots = still_open
        return self.result


def fuzz(api_url: str, admin_token: str, budget: int, seed: int | None = None,
         report: Path | None = None, openapi_file: Path = OPENAPI_FILE) -> Result:
    """Create the credentials and objects, fuzz ``budget`` requests, write ``report`` (JSON)."""
    doc = json.loads(openapi_file.read_text())
    tenants, admin_job_id = create_tenants(api_url, admin_token, doc)
    result = Fuzzer(api_url, admin_token, tenants, admin_job_id, openapi_file).run(budget, seed)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result.report(), indent=2, default=str))
    return result


def main(argv: list[str] | None = None) -> int:
    from infra.local import process

    p = argparse.ArgumentParser(prog="python -m infra.local.fuzz", description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2000, help="generated requests in total (default 2000)")
    p.add_argument("--seed", type=int, default=None, help="Hypothesis seed (printed in the report)")
    p.add_argument("--report", type=Path, default=ROOT / ".local" / "fuzz-report.json")
    p.add_argument("--data-dir", type=Path, default=ROOT / ".local")
    p.add_argument("--use-running", action="store_true", help="fuzz the local cloud running from --data-dir")
    args = p.parse_args(argv)

    def go(desc: dict) -> int:
        result = fuzz(desc["api_url"], desc["admin_token"], args.requests, args.seed, args.report)
        print(result.summary())
        if result.kinds:
            print("distinct failures (operation: status check xcount):\n" + result.kinds_text())
        print(f"report: {args.report} (seed {result.seed})")
        print(result.line)
        return 0 if result.ok else 1

    if args.use_running:
        desc = process.running(args.data_dir)
        if desc is None:
            print(f"no healthy local cloud runs from {args.data_dir} (start one with `make up`)", file=sys.stderr)
            return 2
        return go(desc)
    print("starting a local cloud for the fuzz run ...", flush=True)
    # failed authentication is rate limited per source IP; the run sends many such requests from one
    with process.local_cloud(args.data_dir / "fuzz", random_ports=True,
                             settings={"ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000"}) as desc:
        return go(desc)


if __name__ == "__main__":
    sys.exit(main())
