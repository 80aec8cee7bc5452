"""The reconciliation resources in the synthesized template: its function fed by its queue, a
daily schedule per provider, and the inbox rule turning a settlement file put into the reports
bucket into a message on that queue."""
import json

from infra import catalog


def resources(tpl: dict, kind: str) -> dict:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == kind}


def test_a_settlement_file_in_the_inbox_becomes_a_message_for_the_reconciliation_function(synth):
    tpl, _, _ = synth
    bucket = next(iter(resources(tpl, "AWS::S3::Bucket").values()))["Properties"]
    assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"] is True
    rules = [r["Properties"] for r in resources(tpl, "AWS::Events::Rule").values()
             if r["Properties"].get("Name") == f"{catalog.PREFIX}-reconciliation-inbox"]
    assert len(rules) == 1
    pattern = rules[0]["EventPattern"]
    assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": "reconciliation/inbox/"}]
    assert "reconciliationqueue" in json.dumps(rules[0]["Targets"][0]["Arn"]).replace("-", "")
    policies = [p["Properties"] for p in resources(tpl, "AWS::SQS::QueuePolicy").values()]
    assert any("events.amazonaws.com" in json.dumps(p["PolicyDocument"]) and
               "reconciliationqueue" in json.dumps(p["Queues"]).replace("-", "") for p in policies)


def test_each_provider_is_reconciled_daily_by_the_reconciliation_function(synth):
    tpl, _, _ = synth
    rules = {r["Properties"]["Name"]: r["Properties"] for r in resources(tpl, "AWS::Events::Rule").values()}
    for provider, cron in catalog.RECONCILIATION_SCHEDULES.items():
        rule = rules[f"{catalog.PREFIX}-reconciliation-{provider}"]
        assert rule["ScheduleExpression"] == f"cron({cron})"
        assert "reconciliationfn" in json.dumps(rule["Targets"][0]["Arn"]).replace("-", "")
    assert set(catalog.RECONCILIATION_SCHEDULES) == set(catalog.connectors())


def test_the_reconciliation_function_reads_its_queue_and_writes_only_its_prefix(synth):
    tpl, _, _ = synth
    mappings = [m["Properties"] for m in resources(tpl, "AWS::Lambda::EventSourceMapping").values()]
    mine = [m for m in mappings if "reconciliationqueue" in json.dumps(m["EventSourceArn"]).replace("-", "")]
    assert len(mine) == 1 and mine[0]["BatchSize"] == 1
    assert mine[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    fn = next(v["Properties"] for k, v in resources(tpl, "AWS::Lambda::Function").items()
              if v["Properties"].get("FunctionName") == catalog.FUNCTIONS["reconciliation"].name)
    assert fn["Timeout"] == 900
    queue = next(v["Properties"] for v in resources(tpl, "AWS::SQS::Queue").values()
                 if v["Properties"].get("QueueName") == catalog.QUEUES["reconciliation"].name)
    assert queue["VisibilityTimeout"] >= fn["Timeout"]
    policies = json.dumps([p["Properties"] for p in resources(tpl, "AWS::IAM::Policy").values()])
    assert "/reconciliation/*" in policies


def test_a_redelivered_run_message_finds_its_dead_executors_lease_lapsed():
    """The queue hands a message back only after the lease of the execution that had it has
    lapsed (else the message would find the run held and be dropped, the run left RUNNING), and
    the function knows which receive is the last."""
    from payrail.reconciliation.service import LEASE_SECONDS, MAX_ATTEMPTS

    queue, fn = catalog.QUEUES["reconciliation"], catalog.FUNCTIONS["reconciliation"]
    assert LEASE_SECONDS > fn.timeout
    assert queue.visibility_timeout > LEASE_SECONDS
    assert queue.max_receive_count == MAX_ATTEMPTS


def test_stalled_runs_are_swept_every_minute_by_the_reconciliation_function(synth):
    tpl, _, _ = synth
    rules = {r["Properties"]["Name"]: r["Properties"] for r in resources(tpl, "AWS::Events::Rule").values()}
    rule = rules[f"{catalog.PREFIX}-reconciliation-sweep"]
    assert rule["ScheduleExpression"] == "cron(* * * * ? *)"
    assert "reconciliationfn" in json.dumps(rule["Targets"][0]["Arn"]).replace("-", "")


def test_a_report_upload_its_executor_never_completed_is_dropped_by_the_bucket(synth):
    """A run's report goes up in parts; an executor that dies between them leaves an incomplete
    multipart upload, which the bucket's lifecycle aborts after a day (S3 keeps and bills it otherwise)."""
    tpl, _, _ = synth
    bucket = next(iter(resources(tpl, "AWS::S3::Bucket").values()))["Properties"]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r.get("Prefix") == "reconciliation/" and r["Status"] == "Enabled"
               and r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1 for r in rules)
