"""The CDK stack (aws_cdk.assertions): every resource the issue names, configured safely."""
import json
import subprocess
import sys
from pathlib import Path

from aws_cdk.assertions import Match

from infra import catalog
from infra.catalog import ROOT


def resources(tpl, kind):
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == kind}


def test_tables_have_pitr_streams_ttl_and_are_retained(synth):
    tpl, template, _ = synth
    tables = {r["Properties"]["TableName"]: r for r in resources(tpl, "AWS::DynamoDB::Table").values()}
    assert set(tables) == {t.name for t in catalog.TABLES.values()}
    for t in catalog.TABLES.values():
        props = tables[t.name]["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["BillingMode"] == "PAY_PER_REQUEST" and props["DeletionProtectionEnabled"] is True
        assert tables[t.name]["DeletionPolicy"] == "Retain"
        assert props.get("StreamSpecification", {}).get("StreamViewType") == t.stream
        assert props.get("TimeToLiveSpecification", {}).get("AttributeName") == t.ttl_attribute


def test_every_queue_has_a_dlq_and_enforces_tls(synth):
    tpl, template, _ = synth
    queues = {r["Properties"]["QueueName"]: r["Properties"] for r in resources(tpl, "AWS::SQS::Queue").values()}
    for q in catalog.QUEUES.values():
        assert queues[q.name]["RedrivePolicy"]["maxReceiveCount"] == q.max_receive_count
        assert q.dlq_name in queues
    policies = resources(tpl, "AWS::SQS::QueuePolicy").values()
    denies = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]
              if s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false"]
    assert len(denies) == len(queues)


def test_reports_bucket_is_encrypted_private_and_tls_only(synth):
    tpl, template, _ = synth
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
    })
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_functions_share_the_layer_and_each_has_its_own_role(synth):
    tpl, template, _ = synth
    fns = {r["Properties"]["FunctionName"]: r["Properties"] for r in resources(tpl, "AWS::Lambda::Function").values()}
    assert set(fns) == {f.name for f in catalog.FUNCTIONS.values()}
    layers = {json.dumps(p["Layers"]) for p in fns.values()}
    assert len(layers) == 1
    roles = [p["Role"]["Fn::GetAtt"][0] for p in fns.values()]
    assert len(set(roles)) == len(fns)
    for f in catalog.FUNCTIONS.values():
        p = fns[f.name]
        assert p["Handler"] == "handler.lambda_handler" and p["TracingConfig"]["Mode"] == "Active"
        # every resource reference is set; configuration without a deployed value uses the settings default
        assert {v for v in f.env if v.endswith(("_TABLE", "_URL", "_ARN", "_BUCKET"))} <= set(
            p["Environment"]["Variables"]) <= set(catalog.env_names(f)) | {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE",
                                                          "POWERTOOLS_LOG_LEVEL"} | set(catalog.RUNTIME_ENV)


def test_no_function_may_delete_ledger_items(synth):
    tpl, _, _ = synth
    for p in resources(tpl, "AWS::IAM::Policy").values():
        for st in p["Properties"]["PolicyDocument"]["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if "dynamodb:DeleteItem" in actions:
                assert "idempotency" in json.dumps(st["Resource"]), st


def test_event_sources_report_partial_batch_failures_with_bounded_concurrency(synth):
    tpl, _, _ = synth
    mappings = list(resources(tpl, "AWS::Lambda::EventSourceMapping").values())
    sqs_sources = {f.sqs.queue: f.sqs for f in catalog.FUNCTIONS.values() if f.sqs}
    assert len(mappings) == len(sqs_sources) + sum(1 for f in catalog.FUNCTIONS.values() if f.stream)
    for m in mappings:
        p = m["Properties"]
        assert p["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        if "ScalingConfig" in p:
            assert p["ScalingConfig"]["MaximumConcurrency"] in {s.max_concurrency for s in sqs_sources.values()}
        else:
            assert p["StartingPosition"] == "TRIM_HORIZON" and p["BisectBatchOnFunctionError"] is True
            assert "OnFailure" in p["DestinationConfig"]


def test_http_api_is_throttled_and_logged(synth):
    _, template, _ = synth
    template.has_resource_properties("AWS::ApiGatewayV2::Stage", {
        "StageName": "$default", "AutoDeploy": True,
        "DefaultRouteSettings": {"ThrottlingBurstLimit": catalog.API_THROTTLE["burst_limit"],
                                 "ThrottlingRateLimit": catalog.API_THROTTLE["rate_limit"]},
        "AccessLogSettings": Match.object_like({"DestinationArn": Match.any_value()}),
    })
    template.has_resource_properties("AWS::ApiGatewayV2::Integration", {"PayloadFormatVersion": "2.0"})


def test_state_machines_come_from_the_asl_files(synth):
    tpl, _, _ = synth
    machines = {r["Properties"]["StateMachineName"]: r["Properties"]
                for r in resources(tpl, "AWS::StepFunctions::StateMachine").values()}
    for m in catalog.STATE_MACHINES.values():
        props = machines[m.name]
        assert set(props["DefinitionSubstitutions"]) == catalog.placeholders(m.asl)
        body = props["DefinitionString"]
        text = body if isinstance(body, str) else "".join(x for x in body["Fn::Join"][1] if isinstance(x, str))
        for state in catalog.asl(m.id)["States"]:
            assert f'"{state}"' in text
        assert props["LoggingConfiguration"]["Level"] == "ALL" and props["TracingConfiguration"]["Enabled"] is True


def test_schedules_target_their_state_machine_or_function(synth):
    tpl, _, _ = synth
    rules = {r["Properties"]["Name"]: r["Properties"] for r in resources(tpl, "AWS::Events::Rule").values()
             if "ScheduleExpression" in r["Properties"]}  # the schedules (the inbox rule matches S3 events)
    assert {n: r["ScheduleExpression"] for n, r in rules.items()} == {
        s.name: f"cron({s.cron})" for s in catalog.SCHEDULES.values()}
    settlement = rules[catalog.SCHEDULES["settlement-daily"].name]["Targets"][0]
    assert "settlementsfn" in json.dumps(settlement["Arn"]) and settlement["RetryPolicy"]["MaximumRetryAttempts"] == 10
    sweeper = rules[catalog.SCHEDULES["reservation-expiry"].name]["Targets"][0]
    assert "reservationsfn" in json.dumps(sweeper["Arn"])
    permissions = [p["Properties"] for p in resources(tpl, "AWS::Lambda::Permission").values()]
    assert any(p["Principal"] == "events.amazonaws.com" and "reservationsfn" in json.dumps(p["FunctionName"])
               for p in permissions)


def test_connector_credentials_are_secrets_readable_only_by_the_functions_that_call_providers(synth):
    tpl, _, _ = synth
    secrets = {r["Properties"]["Name"] for r in resources(tpl, "AWS::SecretsManager::Secret").values()}
    assert secrets == {catalog.connector_secret_name(c) for c in catalog.connectors()}
    readers = set()
    for p in resources(tpl, "AWS::IAM::Policy").values():
        for st in p["Properties"]["PolicyDocument"]["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if "secretsmanager:GetSecretValue" in actions:
                readers.add(p["Properties"]["Roles"][0]["Ref"])
    assert {r.split("role")[0] for r in readers} == {f.id.replace("_", "") for f in catalog.FUNCTIONS.values()
                                                     if f.connectors}


def test_cdk_nag_acknowledgements_all_carry_a_reason():
    from aws_cdk import App

    from infra.app import build

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    _, stack = build(App(context={**context, "aws:cdk:bundling-stacks": []}))
    acks = stack.nag_acknowledgements
    assert acks and all(a["id"].startswith("AwsSolutions-") and len(a["reason"]) > 40 for a in acks)
    # no blanket IAM5 acknowledgement: each wildcard finding is named
    assert all(a["id"] != "AwsSolutions-IAM5" for a in acks)


def test_cfn_lint_passes(synth):
    _, _, outdir = synth
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    r = subprocess.run([str(cfn_lint), str(outdir / "payrail.template.json")], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_unacknowledged_nag_finding_fails_synth(tmp_path):
    """The cdk-nag gate is real: an unencrypted, public-access queue breaks synth."""
    import pytest
    from aws_cdk import App
    from aws_cdk import aws_sqs as sqs

    from infra.app import build

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app, stack = build(App(outdir=str(tmp_path), context={**context, "aws:cdk:bundling-stacks": []}))
    sqs.Queue(stack, "careless", encryption=sqs.QueueEncryption.UNENCRYPTED)
    with pytest.raises(Exception, match="(?i)validation"):
        app.synth()


def test_synth_passes_cdk_nag_with_a_concrete_account_and_region(tmp_path, monkeypatch):
    """`cdk synth` / `cdk deploy` resolve the environment; acknowledgements must still match."""
    from aws_cdk import App

    from infra.app import build

    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111122223333")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app, _ = build(App(outdir=str(tmp_path), context={**context, "aws:cdk:bundling-stacks": []}))
    app.synth()
