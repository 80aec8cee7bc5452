"""A DynamoDB client's plain Query answers (json alone instead of botocore's walk of the output
shape) are the answers botocore's own parser gives, for the items payrail's reads return."""
from __future__ import annotations

import json

import botocore.session
from botocore.parsers import create_parser

from payrail.core.ddb import plain_query_answer

ITEM = {"journal_id": {"S": "po_1:capture"}, "created_at": {"S": "2026-03-01T23:59:58.000000Z"},
        "merchant_id": {"S": "m_1"}, "currency": {"S": "INR"}, "held": {"BOOL": False}, "gone": {"NULL": True},
        "tags": {"SS": ["a", "b"]}, "legs": {"L": [{"N": "-100"}, {"M": {"amount": {"N": "100"}}}]},
        "reconciliation": {"M": {"provider": {"S": "cashfree"}, "transfer_id": {"S": "po_1"},
                                 "kind": {"S": "transfer"}, "outcome": {"S": "captured"}, "amount": {"N": "1000"}}}}


def _answer(status: int, body: dict) -> dict:
    return {"status_code": status, "headers": {"x-amzn-requestid": "r1"}, "body": json.dumps(body).encode()}


def _parse(response: dict, hooked: bool) -> dict:
    shape = botocore.session.get_session().get_service_model("dynamodb").operation_model("Query").output_shape
    custom: dict = {}
    if hooked:
        plain_query_answer(response_dict=response, customized_response_dict=custom)
    parsed = create_parser("json").parse(response, shape)
    parsed.update(custom)
    return parsed


def test_a_plain_query_answer_is_botocores():
    body = {"Items": [ITEM, ITEM | {"journal_id": {"S": "po_2:release"}}], "Count": 2, "ScannedCount": 2,
            "LastEvaluatedKey": {"pk": {"S": "J#po_2:release"}, "gsi1pk": {"S": "R#cashfree#2026-03-01#000"}}}
    assert _parse(_answer(200, body), hooked=True) == _parse(_answer(200, body), hooked=False)
    assert _parse(_answer(200, body), hooked=True)["Items"][0] == ITEM


def test_an_error_is_left_to_botocore():
    body = {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message": "slow"}
    hooked = _parse(_answer(400, body), hooked=True)
    assert hooked == _parse(_answer(400, body), hooked=False)
    assert hooked["Error"]["Code"] == "ProvisionedThroughputExceededException"
