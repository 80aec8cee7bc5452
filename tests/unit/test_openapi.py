"""The committed OpenAPI document is what the API serves; a route change without `make openapi` fails."""
import json

from infra.openapi import API_DOC, OPENAPI_FILE, ROUTE_INDEX, generate, route_index, with_operations


def test_committed_openapi_matches_the_code():
    doc = generate()
    assert OPENAPI_FILE.read_text() == doc, "run `make openapi` and commit functions/api/openapi.json"
    assert API_DOC.read_text() == with_operations(API_DOC.read_text(), json.loads(doc)), \
        "run `make openapi` and commit docs/api.md (its list of every operation)"
    assert ROUTE_INDEX.read_text() == route_index(), "run `make openapi` and commit payrail/api/routes/index.py"


def test_openapi_documents_money_routes_with_idempotency_and_security():
    doc = json.loads(OPENAPI_FILE.read_text())
    assert doc["openapi"].startswith("3.1")
    post = doc["paths"]["/v1/orders"]["post"]
    assert any(p["name"] == "idempotency-key" and p["in"] == "header" and p["required"] for p in post["parameters"])
    assert post["security"] == [{"merchantKey": []}]
    assert doc["components"]["securitySchemes"]["merchantKey"]["name"] == "X-API-Key"
    assert {"/v1/payouts", "/v1/settlements", "/v1/admin/wallets/credit", "/health/ready"} <= set(doc["paths"])


# ---- the reference: ids, summaries, examples, tags, webhooks, version --------------------------------------
import importlib.metadata  # noqa: E402
import re  # noqa: E402

import jsonschema  # noqa: E402

import payrail  # noqa: E402
from payrail.core.events import EVENT_TYPES  # noqa: E402

DOC = json.loads(OPENAPI_FILE.read_text())
OPERATIONS = [(f"{m.upper()} {p}", op) for p, ops in DOC["paths"].items() for m, op in ops.items()]


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    """A validator of ``schema`` whose ``#/components/...`` references resolve in the committed document."""
    return jsonschema.Draft202012Validator({"components": DOC["components"], "allOf": [schema]})


def test_every_operation_has_a_unique_camel_case_operation_id():
    ids = [op.get("operationId") for _, op in OPERATIONS]
    assert all(i and re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i) for i in ids), ids
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    assert {"createPayout", "listPayouts", "getPayout", "approvePayout", "cancelPayout", "refundPayment",
            "listEvents"} <= set(ids)


def test_every_summary_is_one_whole_sentence_and_every_operation_has_a_description():
    for label, op in OPERATIONS:
        assert op["summary"].endswith(".") and len(op["summary"]) <= 120, (label, op["summary"])
        assert op["summary"][0].isupper() or not op["summary"][0].isalpha(), (label, op["summary"])
        assert op.get("description", "").strip(), label


def test_every_request_body_has_examples_valid_against_its_schema():
    for label, op in OPERATIONS:
        media = op.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        examples = media.get("examples")
        assert examples, f"{label}: its body model declares no examples"
        check = validator(media["schema"])
        for name, example in examples.items():
            errors = [e.message for e in check.iter_errors(example["value"])]
            assert not errors, (label, name, errors)


def test_admin_routes_have_admin_tags_and_merchant_routes_do_not():
    for label, op in OPERATIONS:
        admin = op.get("security") == [{"adminToken": []}]
        assert all(t.startswith("admin ") == admin for t in op["tags"]), (label, op["tags"])
        assert admin == label.split()[1].startswith("/v1/admin/"), label


def test_webhooks_list_every_event_type_with_its_envelope_and_object():
    assert set(DOC["webhooks"]) == set(EVENT_TYPES)
    for name, item in DOC["webhooks"].items():
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["allOf"] == [{"$ref": "#/components/schemas/Event"}]
        assert schema["properties"]["type"] == {"const": name}
        obj = schema["properties"]["data"]["properties"]["object"]["$ref"].rsplit("/", 1)[-1]
        assert obj in DOC["components"]["schemas"], (name, obj)
        assert item["post"]["summary"].endswith(".") and len(item["post"]["summary"]) <= 120


def test_the_document_has_the_package_version():
    assert DOC["info"]["version"] == payrail.__version__ == importlib.metadata.version("payrail")


def test_every_response_example_is_valid_against_its_schema():
    checked = set()
    items = OPERATIONS + [(f"webhook {name}", item["post"]) for name, item in DOC["webhooks"].items()]
    for label, op in items:
        media = [op.get("requestBody", {}).get("content", {}).get("application/json")] + [
            answer.get("content", {}).get("application/json") for answer in op["responses"].values()]
        for m in media:
            for name, example in ((m or {}).get("examples") or {}).items():
                errors = [e.message for e in validator(m["schema"]).iter_errors(example["value"])]
                assert not errors, (label, name, errors)
                checked.add(m["schema"].get("$ref", label))
    assert {f"#/components/schemas/{n}" for n in ("Payout", "Payment", "Order")} | {"webhook payout.succeeded"} <= checked
