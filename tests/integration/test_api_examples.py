"""The API reference's examples are requests the API accepts: every documented request body example,
sent to the running platform (with the objects it names made first, as the fuzz harness makes them,
and their ids put in), answers a documented success status with a body its schema describes; every
event the platform emitted matches its ``webhooks`` entry; ``/docs`` links to ``/openapi.json``."""
import copy
import json
import uuid

import jsonschema
import pytest
import requests

from infra.local import process
from infra.tools.client import Payrail
from infra.tools.fuzz import EXAMPLES, OPENAPI_FILE, WEBHOOK_URL, create_tenants
from tests.conftest import TEST_SETTINGS

DOC = json.loads(OPENAPI_FILE.read_text())
#: body fields naming an object (or a value the local platform needs): given the fuzz tenant's
NAMED = ("merchant_id", "customer_id", "product_id", "beneficiary_id", "endpoint_id")


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"components": DOC["components"], "allOf": [schema]})


def with_real_ids(body, ids: dict):
    """``body`` with each field of NAMED set to the tenant's object of that kind, and webhook URLs to
    the local receiver's (the platform delivers on loopback only)."""
    if isinstance(body, dict):
        return {k: (ids[k] if k in NAMED and k in ids else WEBHOOK_URL if k == "url" else with_real_ids(v, ids))
                for k, v in body.items()}
    if isinstance(body, list):
        return [with_real_ids(v, ids) for v in body]
    return body


def request_examples() -> list[tuple[str, str, dict]]:
    """``(label, example name, body)`` of every documented request body example, in EXAMPLES' order."""
    ops = {f"{m.upper()} {p}": op for p, items in DOC["paths"].items() for m, op in items.items()}
    out = []
    for label in [*EXAMPLES, *sorted(set(ops) - set(EXAMPLES))]:
        media = ops.get(label, {}).get("requestBody", {}).get("content", {}).get("application/json", {})
        out += [(label, name, ex["value"]) for name, ex in (media.get("examples") or {}).items()]
    return out


@pytest.fixture(scope="module")
def cloud(tmp_path_factory, pytestconfig):
    """A local platform of this module's own: the examples leave platform-wide state behind (orders
    the fulfilment stand-in never answered, running platform-wide settlement jobs) that other
    modules' runs on the shared platform must not meet. Reached over HTTP only."""
    with process.local_cloud(tmp_path_factory.mktemp("examples-cloud"), settings=TEST_SETTINGS,
                             target=pytestconfig.getoption("--target")) as desc:
        yield desc


@pytest.fixture(scope="module")
def admin(cloud) -> Payrail:
    return Payrail(cloud["api_url"], admin_token=cloud["admin_token"])


@pytest.fixture(scope="module")
def tenants(cloud, admin):
    """The fuzz harness's merchants with real objects (its examples' prerequisites)."""
    made, _job = create_tenants(cloud["api_url"], cloud["admin_token"], DOC, fulfilment_url=cloud["fulfilment_url"])
    return made


def test_every_request_body_example_is_accepted_with_its_documented_status(cloud, admin, tenants):
    t = tenants[0]
    client = admin.as_merchant(t.api_key)
    examples = request_examples()
    assert len(examples) >= 25
    refused = []
    for label, name, example in examples:
        method, path = label.split(" ", 1)
        op = DOC["paths"][path][method.lower()]
        params = EXAMPLES[label](admin, client, t) if label in EXAMPLES else {}
        body = with_real_ids(copy.deepcopy(example), t.ids)
        headers = {"content-type": "application/json"}
        if op.get("security") == [{"adminToken": []}]:
            headers["authorization"] = f"Bearer {cloud['admin_token']}"
        elif op.get("security"):
            headers["x-api-key"] = t.api_key
        if any(p["name"] == "idempotency-key" for p in op.get("parameters", [])):
            headers["idempotency-key"] = f"example-{uuid.uuid4()}"
        url = cloud["api_url"].rstrip("/") + path.format(**(params.get("path_parameters") or {}))
        r = requests.request(method, url, json=body, params=params.get("query"), headers=headers, timeout=60)
        documented = {int(s) for s in op["responses"] if s.startswith("2")}
        if r.status_code not in documented:
            refused.append((label, name, r.status_code, r.text[:300]))
            continue
        schema = op["responses"][str(r.status_code)]["content"]["application/json"]["schema"]
        errors = [e.message for e in validator(schema).iter_errors(r.json())]
        assert not errors, (label, name, errors)
    assert not refused, refused


def test_every_emitted_event_matches_its_webhooks_entry(cloud, admin, tenants):
    client = admin.as_merchant(tenants[0].api_key)
    events = client.events(limit=100)["data"]
    assert {e["type"].split(".")[0] for e in events} >= {"order", "payout", "payment", "reservation", "settlement"}
    bad = []
    for event in events:
        entry = DOC["webhooks"][event["type"]]["post"]
        schema = entry["requestBody"]["content"]["application/json"]["schema"]
        errors = [e.message for e in validator(schema).iter_errors(event)]
        bad += [(event["type"], errors)] if errors else []
    assert not bad, sorted({(t, tuple(sorted(set(e)))) for t, e in bad})


def test_the_docs_page_links_to_the_served_document(cloud):
    base = cloud["api_url"].rstrip("/")
    page = requests.get(f"{base}/docs", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'new URL("openapi.json", currentUrl)' in page.text and "?format=json" not in page.text
    served = requests.get(f"{base}/openapi.json", timeout=30)
    assert served.status_code == 200 and served.json() == DOC
