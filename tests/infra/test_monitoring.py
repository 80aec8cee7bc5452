"""The dashboard and the alarms (infra/monitoring.py): each alarm's metric, threshold and action."""
import json

import pytest

from infra import catalog
from payrail.core import outcomes


def resources(tpl, kind):
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == kind}


def logical_id(tpl, kind, prop, value):
    return next(k for k, v in resources(tpl, kind).items() if v["Properties"].get(prop) == value)


def alarms(tpl):
    return {v["Properties"]["AlarmName"]: v["Properties"] for v in resources(tpl, "AWS::CloudWatch::Alarm").values()}


def stats(alarm):
    """The alarm's metrics: ``[(namespace, name, {dimension: value}, stat)]`` (a plain alarm or math)."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"], {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
                 alarm.get("Statistic"))]
    out = []
    for m in alarm["Metrics"]:
        if "MetricStat" in m:
            metric = m["MetricStat"]["Metric"]
            out.append((metric["Namespace"], metric["MetricName"],
                        {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}, m["MetricStat"]["Stat"]))
    return out


def only_metric(alarm):
    """The alarm's one metric, or Nones (an alarm over several)."""
    found = stats(alarm)
    return found[0] if len(found) == 1 else (None, None, None, None)


@pytest.fixture(scope="module")
def tpl(synth):
    return synth[0]


@pytest.fixture(scope="module")
def topic(tpl):
    (topic_id,) = resources(tpl, "AWS::SNS::Topic")
    return topic_id


def test_one_encrypted_topic_receives_every_alarm_and_has_no_subscription_by_default(tpl, topic):
    props = tpl["Resources"][topic]["Properties"]
    assert props["TopicName"] == catalog.ALARM_TOPIC_NAME and "KmsMasterKeyId" in props
    assert not resources(tpl, "AWS::SNS::Subscription")  # cdk.json leaves alarmEmail empty
    found = alarms(tpl)
    assert found
    for name, a in found.items():
        assert a["AlarmActions"] == [{"Ref": topic}], name
        assert a["ActionsEnabled"] is True, name
    # CloudWatch may use the topic's key (an AWS managed key would refuse it)
    (key,) = resources(tpl, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    assert any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
               for s in key["Properties"]["KeyPolicy"]["Statement"])


def test_every_dlq_alarms_on_its_first_message(tpl):
    found = alarms(tpl)
    for name in [q.dlq_name for q in catalog.QUEUES.values()] + [f"{catalog.PREFIX}-stream-failures"]:
        qid = logical_id(tpl, "AWS::SQS::Queue", "QueueName", name)
        matching = [a for a in found.values() if only_metric(a)[:3] == (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": {"Fn::GetAtt": [qid, "QueueName"]}})]
        assert len(matching) == 1, name
        assert (matching[0]["ComparisonOperator"], matching[0]["Threshold"]) == ("GreaterThanThreshold", 0)


def test_each_queue_alarms_when_its_oldest_message_is_past_the_catalog_bound(tpl):
    found = alarms(tpl)
    for q in catalog.QUEUES.values():
        qid = logical_id(tpl, "AWS::SQS::Queue", "QueueName", q.name)
        (a,) = [a for a in found.values() if only_metric(a)[:3] == (
            "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": {"Fn::GetAtt": [qid, "QueueName"]}})]
        assert (a["ComparisonOperator"], a["Threshold"]) == ("GreaterThanThreshold", q.age_bound_seconds)
        # the bound lets every receive of a message delayed the longest run its course
        assert q.age_bound_seconds >= q.max_delay_seconds + q.visibility_timeout * q.max_receive_count
    assert {a["Threshold"] for a in found.values() if only_metric(a)[1] == "ApproximateAgeOfOldestMessage"} == {
        q.age_bound_seconds for q in catalog.QUEUES.values()}


def test_payout_stuck_is_counted_from_the_payout_workflow_log_and_alarms(tpl):
    (mf,) = resources(tpl, "AWS::Logs::MetricFilter").values()
    p = mf["Properties"]
    log_group = logical_id(tpl, "AWS::Logs::LogGroup", "LogGroupName",
                           f"/aws/vendedlogs/states/{catalog.STATE_MACHINES['payout'].name}")
    assert p["LogGroupName"] == {"Ref": log_group}
    assert '$.details.error = "PayoutStuck"' in p["FilterPattern"] and '$.type = "ExecutionFailed"' in p["FilterPattern"]
    (t,) = p["MetricTransformations"]
    assert (t["MetricNamespace"], t["MetricName"], t["MetricValue"]) == (outcomes.NAMESPACE, "PayoutStuck", "1")
    # the Fail state's error name is the one the filter looks for
    assert catalog.asl("payout")["States"]["Stuck"]["Error"] == "PayoutStuck"
    (a,) = [a for a in alarms(tpl).values() if only_metric(a)[:2] == (outcomes.NAMESPACE, "PayoutStuck")]
    assert (a["ComparisonOperator"], a["Threshold"], a["TreatMissingData"]) == ("GreaterThanThreshold", 0, "notBreaching")


@pytest.mark.parametrize("metric", ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"])
def test_every_failed_timed_out_or_aborted_execution_alarms(tpl, metric):
    found = alarms(tpl)
    for m in catalog.STATE_MACHINES.values():
        sid = logical_id(tpl, "AWS::StepFunctions::StateMachine", "StateMachineName", m.name)
        (a,) = [a for a in found.values() if only_metric(a)[:3] == ("AWS/States", metric, {"StateMachineArn": {"Ref": sid}})]
        assert (a["ComparisonOperator"], a["Threshold"]) == ("GreaterThanThreshold", 0)


def test_api_5xx_rate_alarm(tpl):
    (api,) = resources(tpl, "AWS::ApiGatewayV2::Api")
    (a,) = [a for a in alarms(tpl).values() if only_metric(a)[:2] == ("AWS/ApiGateway", "5xx")]
    # HTTP API's 5xx is 1 for a 5xx answer and 0 otherwise: its average is the rate
    assert only_metric(a)[2:] == ({"ApiId": {"Ref": api}, "Stage": "$default"}, "Average")
    assert (a["ComparisonOperator"], a["Threshold"]) == ("GreaterThanThreshold", catalog.ALARMS.api_5xx_rate_percent / 100)


def test_any_lambda_or_dynamodb_throttle_alarms(tpl):
    found = alarms(tpl)
    for f in catalog.FUNCTIONS.values():
        fid = logical_id(tpl, "AWS::Lambda::Function", "FunctionName", f.name)
        (a,) = [a for a in found.values() if only_metric(a)[:3] == ("AWS/Lambda", "Throttles", {"FunctionName": {"Ref": fid}})]
        assert (a["ComparisonOperator"], a["Threshold"]) == ("GreaterThanThreshold", 0)
    for t in catalog.TABLES.values():
        tid = logical_id(tpl, "AWS::DynamoDB::Table", "TableName", t.name)
        for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
            (a,) = [a for a in found.values() if stats(a) and stats(a)[0][:3] == (
                "AWS/DynamoDB", metric, {"TableName": {"Ref": tid}})]
            assert (a["ComparisonOperator"], a["Threshold"]) == ("GreaterThanThreshold", 0)


def provider_alarms(tpl):
    out = {}
    for a in alarms(tpl).values():
        providers = {m[2].get("provider") for m in stats(a) if m[0] == outcomes.NAMESPACE}
        if providers - {None}:
            (provider,) = providers
            out[provider] = a
    return out


def test_each_connector_alarms_when_its_success_rate_drops_below_the_threshold(tpl):
    found = provider_alarms(tpl)
    assert set(found) == set(catalog.connectors())
    for provider, a in found.items():
        assert (a["ComparisonOperator"], a["Threshold"]) == ("LessThanThreshold", catalog.ALARMS.provider_success_rate_percent)
        assert {(m[1], m[2]["status"], m[3]) for m in stats(a)} == {
            (metric, status, "Sum") for metric in (outcomes.PAYOUTS, outcomes.PAYMENTS)
            for status in outcomes.SUCCEEDED[metric] + outcomes.FAILED[metric]}
        assert all(m[2] == {"service": outcomes.SERVICE, "provider": provider, "status": m[2]["status"]} for m in stats(a))
        (expr,) = [m["Expression"] for m in a["Metrics"] if "Expression" in m]
        assert f">= {catalog.ALARMS.provider_min_outcomes}" in expr and a["TreatMissingData"] == "notBreaching"


def test_the_dashboard_covers_api_functions_queues_workflows_tables_and_outcomes(tpl):
    (dash,) = resources(tpl, "AWS::CloudWatch::Dashboard").values()
    assert dash["Properties"]["DashboardName"] == catalog.DASHBOARD_NAME
    parts = dash["Properties"]["DashboardBody"]["Fn::Join"][1]
    body = "".join(x if isinstance(x, str) else json.dumps(x) for x in parts)
    for metric in ('"AWS/ApiGateway","Count"', '"AWS/ApiGateway","4xx"', '"AWS/ApiGateway","5xx"', '"p99"',
                   '"AWS/Lambda","Errors"', '"AWS/Lambda","Throttles"', '"AWS/Lambda","Duration"',
                   '"AWS/Lambda","ConcurrentExecutions"', '"AWS/SQS","ApproximateAgeOfOldestMessage"',
                   '"AWS/States","ExecutionsStarted"', '"AWS/States","ExecutionsFailed"', '"AWS/States","ExecutionsTimedOut"',
                   '"AWS/DynamoDB","ReadThrottleEvents"', '"AWS/DynamoDB","ConsumedWriteCapacityUnits"',
                   '"AWS/DynamoDB","ConsumedReadCapacityUnits"', '"payrail","WebhooksFailed"'):
        assert metric in body, metric
    for name in (outcomes.PAYOUTS, outcomes.PAYMENTS, outcomes.SETTLEMENT_JOBS):
        assert f'MetricName=\\\\\\"{name}\\\\\\"' in body or f'MetricName=\\"{name}\\"' in body, name
    for f in catalog.FUNCTIONS.values():
        assert f.name in body
    for q in catalog.QUEUES.values():
        assert q.name in body and q.dlq_name in body
    for t in catalog.TABLES.values():
        assert t.name in body


def test_the_dashboard_shows_each_connectors_call_latency_p99_by_operation(tpl):
    (dash,) = resources(tpl, "AWS::CloudWatch::Dashboard").values()
    parts = dash["Properties"]["DashboardBody"]["Fn::Join"][1]
    body = "".join(x if isinstance(x, str) else "ref" for x in parts)  # a token in place of each reference
    widgets = [w for w in json.loads(body)["widgets"] if w.get("properties", {}).get("title") ==
               "Provider call latency p99 (ms)"]
    assert len(widgets) == 1
    shown = set()
    for line in widgets[0]["properties"]["metrics"]:
        names = [x for x in line if isinstance(x, str)]
        options = next(x for x in line if isinstance(x, dict))
        assert names[:2] == [outcomes.NAMESPACE, outcomes.PROVIDER_LATENCY] and options["stat"] == "p99"
        dims = dict(zip(names[2::2], names[3::2]))
        assert dims["service"] == outcomes.SERVICE
        shown.add((dims["provider"], dims["operation"]))
    assert shown == {(p, op) for p in catalog.connectors() for op in ("submit", "status")}


def test_alarm_email_and_thresholds_come_from_the_context(tmp_path):
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from infra.app import build

    context = json.loads((catalog.ROOT / "cdk.json").read_text())["context"]
    context["payrail:alarms"] = {"alarmEmail": "ops@example.com", "providerSuccessRatePercent": 75,
                                 "api5xxRatePercent": 5}
    app, stack = build(App(outdir=str(tmp_path), context={**context, "aws:cdk:bundling-stacks": []}))
    tpl = Template.from_stack(stack).to_json()
    (sub,) = resources(tpl, "AWS::SNS::Subscription").values()
    assert (sub["Properties"]["Protocol"], sub["Properties"]["Endpoint"]) == ("email", "ops@example.com")
    (topic,) = resources(tpl, "AWS::SNS::Topic")
    assert sub["Properties"]["TopicArn"] == {"Ref": topic}
    assert {a["Threshold"] for a in provider_alarms(tpl).values()} == {75}
    (api_alarm,) = [a for a in alarms(tpl).values() if only_metric(a)[:2] == ("AWS/ApiGateway", "5xx")]
    assert api_alarm["Threshold"] == 0.05


def test_an_unknown_alarm_setting_is_refused():
    with pytest.raises(ValueError, match="alarmEmial"):
        catalog.Alarms.from_context({"alarmEmial": "ops@example.com"})


def test_holds_past_the_bound_alarm_reads_the_hold_sweep(tpl):
    from payrail.payouts import holds

    (a,) = [a for a in alarms(tpl).values() if only_metric(a)[:2] == (outcomes.NAMESPACE, holds.HOLDS_PAST_BOUND)]
    assert only_metric(a)[2] == {"service": holds.METRIC_SERVICE}
    assert (a["ComparisonOperator"], a["Threshold"]) == ("GreaterThanThreshold", 0)
    # the sweep runs on its schedule, locally as deployed (both from the catalog)
    sweep = catalog.SCHEDULES["hold-sweep"]
    assert sweep.function == "holds" and "HOLD_AGE_BOUND_SECONDS" in catalog.FUNCTIONS["holds"].env
    rule = next(r["Properties"] for r in resources(tpl, "AWS::Events::Rule").values()
                if r["Properties"]["Name"] == sweep.name)
    fid = logical_id(tpl, "AWS::Lambda::Function", "FunctionName", catalog.FUNCTIONS["holds"].name)
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [fid, "Arn"]}


def runbook_sections(text):
    """docs/deploy.md's runbook sections: ``{heading: body}`` of each ``#### heading``."""
    import re

    parts = re.split(r"^#### (.+)$", text, flags=re.M)
    return {parts[i].strip(): re.split(r"^#{1,4} ", parts[i + 1], flags=re.M)[0] for i in range(1, len(parts), 2)}


def test_every_alarm_belongs_to_one_family_with_its_runbook_in_the_deploy_guide(tpl):
    from infra.monitoring import alarm_families

    families = alarm_families()
    found = alarms(tpl)
    for name in found:
        assert [f.key for f in families if f.matches(name)] != [], name
        assert len([f for f in families if f.matches(name)]) == 1, name
    assert {f.key for f in families} == {f.key for f in families if any(f.matches(n) for n in found)}
    guide = (catalog.ROOT / "docs" / "deploy.md").read_text()
    sections = runbook_sections(guide)
    for f in families:
        body = sections.get(f.runbook)
        assert body is not None, f"docs/deploy.md has no '#### {f.runbook}'"
        for part in ("**Means**", "**Check first**", "**Do**"):
            assert part in body, (f.runbook, part)
        assert "payrail " in body or "console" in body, f.runbook  # what to look at with the CLI or console
        assert f"](#{f.anchor})" in guide, f"the alarm table does not link to #{f.anchor}"
