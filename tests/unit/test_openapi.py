"""The committed OpenAPI document is what the API serves; a route change without `make openapi` fails."""
import json

from infra.openapi import API_DOC, OPENAPI_FILE, generate, with_operations


def test_committed_openapi_matches_the_code():
    doc = generate()
    assert OPENAPI_FILE.read_text() == doc, "run `make openapi` and commit functions/api/openapi.json"
    assert API_DOC.read_text() == with_operations(API_DOC.read_text(), json.loads(doc)), \
        "run `make openapi` and commit docs/api.md (its list of every operation)"


def test_openapi_documents_money_routes_with_idempotency_and_security():
    doc = json.loads(OPENAPI_FILE.read_text())
    assert doc["openapi"].startswith("3.1")
    post = doc["paths"]["/v1/orders"]["post"]
    assert any(p["name"] == "idempotency-key" and p["in"] == "header" and p["required"] for p in post["parameters"])
    assert post["security"] == [{"merchantKey": []}]
    assert doc["components"]["securitySchemes"]["merchantKey"]["name"] == "X-API-Key"
    assert {"/v1/payouts", "/v1/settlements", "/v1/admin/wallets/credit", "/health/ready"} <= set(doc["paths"])
