"""On the LocalStack target, LocalStack's own services run the platform: its Lambda (through
payrail's runtime executor) runs the real handlers, its event source mappings feed them and its
EventBridge fires the schedules. Skipped on the embedded target."""
import base64
import json
import time

import boto3
import pytest

from infra import catalog
from infra.tools.client import wait_for


@pytest.fixture(autouse=True)
def localstack_only(pytestconfig):
    if pytestconfig.getoption("--target") != "localstack":
        pytest.skip("LocalStack target only (make test-localstack)")


def test_functions_run_in_localstack_lambda_with_the_stack_configuration(cloud):
    lam = boto3.client("lambda")
    for fn in catalog.FUNCTIONS.values():
        conf = lam.get_function_configuration(FunctionName=fn.name)
        assert (conf["State"], conf["Timeout"], conf["MemorySize"]) == ("Active", fn.timeout, fn.memory)
        env = conf["Environment"]["Variables"]
        # every resource reference is set; configuration without a value takes the settings default
        assert {v for v in fn.env if v.endswith(("_TABLE", "_URL", "_ARN", "_BUCKET"))} <= set(env)
        assert all(v in fn.env or v.startswith("CONNECTOR_") for v in env), set(env) - set(fn.env)
        assert all(cloud["function_env"][k] == v for k, v in env.items())
    event = {"version": "2.0", "routeKey": "$default", "rawPath": "/health/live", "rawQueryString": "",
             "headers": {"host": "localhost"}, "isBase64Encoded": False,
             "requestContext": {"http": {"method": "GET", "path": "/health/live", "sourceIp": "127.0.0.1"},
                                "requestId": "r1", "stage": "$default", "routeKey": "$default", "accountId": "1",
                                "apiId": "local", "domainName": "localhost", "timeEpoch": 0}}
    r = lam.invoke(FunctionName="payrail-api", Payload=json.dumps(event), LogType="Tail")
    assert "FunctionError" not in r and json.loads(r["Payload"].read())["statusCode"] == 200
    logs = base64.b64decode(r["LogResult"]).decode()  # the tail our runtime-init stand-in reported
    assert "START RequestId:" in logs and "REPORT RequestId:" in logs


def test_a_handler_exception_is_a_lambda_function_error_named_after_its_class(cloud):
    r = boto3.client("lambda").invoke(FunctionName="payrail-payout-steps",
                                      Payload=json.dumps({"action": "no-such-action", "payout_id": "po_x",
                                                          "merchant_id": "m_x"}))
    assert r["FunctionError"] == "Unhandled"
    error = json.loads(r["Payload"].read())
    # the step's typed request (payrail.payouts.workflow) refuses it: pydantic's ValidationError
    assert error["errorType"] == "ValidationError" and "no-such-action" in error["errorMessage"]


def test_event_sources_are_localstack_mappings_as_the_stack_defines_them(cloud):
    lam = boto3.client("lambda")
    for fn in catalog.FUNCTIONS.values():
        mappings = lam.list_event_source_mappings(FunctionName=fn.name)["EventSourceMappings"]
        if not (fn.sqs or fn.stream):
            assert mappings == []
            continue
        [m] = mappings
        assert m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and m["State"] == "Enabled"
        source = fn.sqs or fn.stream
        assert m["BatchSize"] == source.batch_size
        if fn.sqs:
            assert m["EventSourceArn"].endswith(f":{catalog.QUEUES[fn.sqs.queue].name}")
            assert m["ScalingConfig"]["MaximumConcurrency"] == fn.sqs.max_concurrency
        else:
            assert f"table/{catalog.TABLES[fn.stream.table].name}/stream/" in m["EventSourceArn"]
            assert (m["StartingPosition"], m["MaximumRetryAttempts"]) == ("TRIM_HORIZON", fn.stream.retry_attempts)


def test_localstack_eventbridge_fires_a_cron_rule_into_the_settlement_machine(cloud):
    """The daily rule's cron is days away, so an every-minute rule with the same target shows that
    LocalStack's EventBridge (not payrail's scheduler, which does not run on this target) starts
    the state machine with a scheduled event, and the settlement function handles it."""
    events, sfn = boto3.client("events"), boto3.client("stepfunctions")
    machine = cloud["state_machines"]["settlement"]
    rule = events.put_rule(Name="payrail-test-every-minute", ScheduleExpression="cron(* * * * ? *)",
                           State="ENABLED")["RuleArn"]
    role = boto3.client("iam").get_role(RoleName="payrail-local")["Role"]["Arn"]
    events.put_targets(Rule="payrail-test-every-minute", Targets=[{"Id": "settlement", "Arn": machine, "RoleArn": role}])
    started = time.time()

    def fired():
        for ex in sfn.list_executions(stateMachineArn=machine)["executions"]:
            if ex["startDate"].timestamp() < started - 1:
                continue
            inp = json.loads(sfn.describe_execution(executionArn=ex["executionArn"])["input"])
            if inp.get("detail-type") == "Scheduled Event" and inp.get("resources") == [rule]:
                return ex["executionArn"]
        return None
    try:
        arn = wait_for(fired, timeout=130, interval=2, what="LocalStack firing the every-minute rule")
    finally:
        events.remove_targets(Rule="payrail-test-every-minute", Ids=["settlement"])
        events.delete_rule(Name="payrail-test-every-minute")
    assert wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=60)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def test_a_settlement_file_in_the_inbox_starts_a_reconciliation_through_localstack_eventbridge(cloud, admin):
    """LocalStack's S3 notifies its EventBridge of the object, the inbox rule sends it to the
    reconciliation queue, and its event source mapping runs the reconciliation function."""
    day = "2001-03-03"
    body = ("provider,kind,transfer_id,provider_reference,amount,currency,status,booked_at\n"  # the generic columns
            "safepay,transfer,po_localstack_only,,100,PKR,SUCCESS,2001-03-03T10:00:00Z\n")
    boto3.client("s3").put_object(Bucket=cloud["bucket"], Key=f"reconciliation/inbox/safepay/{day}.csv",
                                  Body=body.encode())
    run = wait_for(lambda: next((r for r in admin.reconciliations(provider="safepay", limit=20)["data"]
                                 if r["from"] == day and r["status"] in ("COMPLETED", "FAILED")), None),
                   timeout=120, interval=1, what="the run the settlement file started")
    assert (run["status"], run["trigger"], run["source"]) == ("COMPLETED", "settlement_file", "settlement_file")
    assert run["counts"]["unknown_to_payrail"] == 1 and run["rows"] == 1
