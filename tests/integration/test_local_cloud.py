"""The local cloud is built from the catalog (one source of truth) and behaves like the stack."""
import socket

import boto3
import pytest

from infra import catalog
from infra.local.config import LocalConfig
from infra.local.engines import PortInUse, ensure_free


def test_tables_match_the_catalog(cloud):
    ddb = boto3.client("dynamodb")
    for t in catalog.TABLES.values():
        d = ddb.describe_table(TableName=t.name)["Table"]
        keys = {k["KeyType"]: k["AttributeName"] for k in d["KeySchema"]}
        assert keys == {"HASH": t.pk, **({"RANGE": t.sk} if t.sk else {})}
        assert sorted(i["IndexName"] for i in d.get("GlobalSecondaryIndexes", [])) == sorted(i.name for i in t.indexes)
        assert (d.get("StreamSpecification") or {}).get("StreamViewType") == t.stream
        if t.ttl_attribute:
            ttl = ddb.describe_time_to_live(TableName=t.name)["TimeToLiveDescription"]
            assert ttl["AttributeName"] == t.ttl_attribute


def test_queues_have_their_dlq_and_state_machines_their_asl(cloud):
    import json

    sqs, sfn = boto3.client("sqs"), boto3.client("stepfunctions")
    for q in catalog.QUEUES.values():
        attrs = sqs.get_queue_attributes(QueueUrl=cloud["queues"][q.id], AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(q.dlq_name) and int(redrive["maxReceiveCount"]) == q.max_receive_count
        assert int(attrs["VisibilityTimeout"]) == q.visibility_timeout
    for m in catalog.STATE_MACHINES.values():
        definition = json.loads(sfn.describe_state_machine(stateMachineArn=cloud["state_machines"][m.id])["definition"])
        assert set(definition["States"]) == set(catalog.asl(m.id)["States"])


def test_schedules_are_eventbridge_rules_targeting_their_state_machine_or_function(cloud):
    from infra.local.runtime import scheduled_rules

    rules = {r["name"]: r for r in scheduled_rules()}
    for s in catalog.SCHEDULES.values():
        assert rules[s.name]["cron"] == s.cron
        if s.state_machine:
            assert rules[s.name]["targets"] == [cloud["state_machines"][s.state_machine]]
        else:
            [target] = rules[s.name]["targets"]
            assert target.endswith(f":function:{catalog.FUNCTIONS[s.function].name}")


def test_port_in_use_is_a_clear_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    try:
        with pytest.raises(PortInUse, match=f"{port}"):
            ensure_free("127.0.0.1", port, "HTTP API")
    finally:
        s.close()


def test_everything_binds_to_loopback():
    assert LocalConfig().host == "127.0.0.1"
