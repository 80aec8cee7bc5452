"""A dependency that cannot be reached is an outage, not a bug: the API answers 503
``service_unavailable`` with ``Retry-After`` (never 500), and an AWS call gives up by the
invocation's deadline however long its client's timeouts and retries are."""
import json
import threading
import uuid

import pytest
from botocore.exceptions import ClientError

from infra import catalog
from infra.local.process import free_port
from infra.local.runtime import LambdaContext, load_handler
from payrail.core import ddb, deadline
from tests.conftest import load_event
from tests.unit.test_health import black_hole  # noqa: F401 - a fixture

AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def aws_at(monkeypatch):
    """``aws_at(url)``: every AWS client made from now on calls ``url``; the shared clients are
    made again afterwards."""
    def point(url: str) -> None:
        for k, v in {**AWS, "AWS_ENDPOINT_URL": url, "AWS_ENDPOINT_URL_DYNAMODB": url}.items():
            monkeypatch.setenv(k, v)
        ddb.client.cache_clear()
    yield point
    ddb.client.cache_clear()


def api(event: dict) -> dict:
    fn = catalog.FUNCTIONS["api"]
    return load_handler(fn, instance=2000 + uuid.uuid4().int % 10**6)(event, LambdaContext(fn, fn.name))


@pytest.mark.parametrize("path, body", [
    ("/v1/orders", {"product_id": "prod_x", "quantity": 1, "customer_id": "c-1"}),
    ("/v1/payouts", {"amount": 1_000, "currency": "PKR", "beneficiary": {
        "type": "bank_account", "bank_code": "HBL", "account_number": "1234560001", "name": "A K"}}),
])
def test_unreachable_dynamodb_answers_503_with_retry_after_not_500(aws_at, path, body):
    aws_at(f"http://127.0.0.1:{free_port()}")  # a closed loopback port: every connection is refused
    event = load_event("apigw/place_order", API_KEY="pk_test_unknown", IDEMPOTENCY_KEY=str(uuid.uuid4()),
                       PRODUCT_ID="prod_x", CUSTOMER_ID="c-1")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["body"] = json.dumps(body)
    r = api(event)
    assert r["statusCode"] == 503, r
    assert json.loads(r["body"])["error"]["code"] == "service_unavailable"
    assert int({k.lower(): v for k, v in r["headers"].items()}["retry-after"]) > 0


def test_an_aws_call_gives_up_by_the_invocation_deadline(aws_at, black_hole):  # noqa: F811
    """Against an endpoint that never answers, a call with 10 s read timeouts and 4 attempts
    ends by a 1 s deadline with an outage error (it would take about 40 s otherwise)."""
    aws_at(black_hole)
    raised: list[BaseException] = []

    def get():
        with deadline.within(1.0):
            try:
                ddb.client().get_item(TableName="t", Key={"pk": {"S": "x"}})
            except Exception as e:  # noqa: BLE001 - inspected below
                raised.append(e)
    worker = threading.Thread(target=get, daemon=True)  # a hang fails this test at the bound below
    worker.start()
    worker.join(8)
    assert not worker.is_alive(), "the call did not give up by its deadline"
    assert raised and ddb.is_outage(raised[0]), raised


def test_outages_are_told_from_bugs_and_domain_answers():
    def client_error(code: str, status: int) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                           "PutItem")
    assert ddb.is_outage(client_error("ProvisionedThroughputExceededException", 400))
    assert ddb.is_outage(client_error("ThrottlingException", 400))
    assert ddb.is_outage(client_error("InternalServerError", 500))
    assert ddb.is_outage(ddb.DeadlineReached(operation="PutItem"))
    assert not ddb.is_outage(client_error("ConditionalCheckFailedException", 400))
    assert not ddb.is_outage(client_error("ValidationException", 400))
    assert not ddb.is_outage(KeyError("bug"))
