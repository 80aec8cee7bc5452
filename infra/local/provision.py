"""Create payrail's resources from ``infra/catalog.py`` on the local engines, idempotently."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

import boto3
from botocore.exceptions import ClientError

from infra import catalog

ACCOUNT = "123456789012"


@dataclass
class Resources:
    """Names, URLs and ARNs of what was provisioned."""

    table_names: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    dlq_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    function_arns: dict[str, str] = field(default_factory=dict)
    machine_arns: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)
    bucket: str = catalog.LOCAL_BUCKET_NAME


def create_table(ddb, t: catalog.Table) -> str | None:
    """Create ``t`` if missing (matching the CDK definition); returns its stream ARN."""
    attrs = {t.pk, *(filter(None, [t.sk]))} | {a for i in t.indexes for a in (i.pk, i.sk) if a}
    schema = [{"AttributeName": t.pk, "KeyType": "HASH"}] + ([{"AttributeName": t.sk, "KeyType": "RANGE"}] if t.sk else [])
    kw = dict(TableName=t.name, BillingMode="PAY_PER_REQUEST", KeySchema=schema,
              AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)])
    if t.indexes:
        kw["GlobalSecondaryIndexes"] = [{
            "IndexName": i.name, "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": i.pk, "KeyType": "HASH"}] + (
                [{"AttributeName": i.sk, "KeyType": "RANGE"}] if i.sk else [])} for i in t.indexes]
    if t.stream:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": t.stream}
    try:
        ddb.create_table(**kw)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceInUseException":
            raise
    ddb.get_waiter("table_exists").wait(TableName=t.name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    if t.ttl_attribute:
        try:
            ddb.update_time_to_live(TableName=t.name, TimeToLiveSpecification={"Enabled": True,
                                                                               "AttributeName": t.ttl_attribute})
        except ClientError as e:  # already enabled
            if "already enabled" not in str(e).lower():
                raise
    return ddb.describe_table(TableName=t.name)["Table"].get("LatestStreamArn")


def create_event_bus(events) -> str:
    """payrail's bus and its archive (``catalog.EVENT_BUS``), created if missing; returns the bus
    ARN. A bus created anew gets its archive created anew too (an archive whose bus went away
    archives nothing more)."""
    bus = catalog.EVENT_BUS
    try:
        arn, created = events.describe_event_bus(Name=bus.name)["Arn"], False
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        arn, created = events.create_event_bus(Name=bus.name)["EventBusArn"], True
    try:
        events.describe_archive(ArchiveName=bus.archive_name)
        if not created:
            return arn
        events.delete_archive(ArchiveName=bus.archive_name)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    events.create_archive(ArchiveName=bus.archive_name, EventSourceArn=arn, RetentionDays=bus.archive_retention_days,
                          EventPattern=json.dumps({"source": [bus.source]}))
    return arn


def _zip(fn: catalog.Function) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(fn.folder / "handler.py", "handler.py")
    return buf.getvalue()


def provision(config, with_functions: bool = True) -> Resources:
    """Create tables, queues (with DLQs), the bucket, the functions' registry entries, the state
    machines, payrail's event bus with its archive and the EventBridge scheduled rules. Safe to run again on existing resources."""
    env = config.client_env()
    session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                    aws_session_token=env["AWS_SESSION_TOKEN"], region_name=config.region)
    ddb = session.client("dynamodb", endpoint_url=config.dynamodb_endpoint)
    aws = lambda s: session.client(s, endpoint_url=config.aws_endpoint)  # noqa: E731
    res = Resources()
    for t in catalog.TABLES.values():
        res.table_names[t.id] = t.name
        arn = create_table(ddb, t)
        if arn:
            res.stream_arns[t.id] = arn
    sqs = aws("sqs")
    for q in catalog.QUEUES.values():
        dlq = sqs.create_queue(QueueName=q.dlq_name, Attributes={"MessageRetentionPeriod": str(14 * 86400)})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=q.name, Attributes={
            "VisibilityTimeout": str(q.visibility_timeout), "MessageRetentionPeriod": str(q.retention_seconds),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": q.max_receive_count})})["QueueUrl"]
        res.queue_urls[q.id], res.dlq_urls[q.id] = url, dlq
        res.queue_arns[q.id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3 = aws("s3")
    try:
        s3.create_bucket(Bucket=res.bucket)
    except ClientError as e:
        if e.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    iam = aws("iam")
    try:
        role_arn = iam.create_role(RoleName="payrail-local", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": ["lambda.amazonaws.com",
                                                                              "states.amazonaws.com"]}}]}))["Role"]["Arn"]
    except ClientError:
        role_arn = iam.get_role(RoleName="payrail-local")["Role"]["Arn"]
    lam = aws("lambda")
    for fn in catalog.FUNCTIONS.values():
        arn = f"arn:aws:lambda:{config.region}:{ACCOUNT}:function:{fn.name}"
        if with_functions:
            try:
                arn = lam.create_function(FunctionName=fn.name, Runtime="python3.11", Role=role_arn,
                                          Handler="handler.lambda_handler", Code={"ZipFile": _zip(fn)},
                                          Timeout=fn.timeout, MemorySize=fn.memory)["FunctionArn"]
            except ClientError as e:
                if e.response["Error"]["Code"] != "ResourceConflictException":
                    raise
                arn = lam.get_function(FunctionName=fn.name)["Configuration"]["FunctionArn"]
        res.function_arns[fn.id] = arn
    sfn = aws("stepfunctions")
    existing = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    for m in catalog.STATE_MACHINES.values():
        definition = m.definition(res.function_arns, res.queue_urls)
        if m.name in existing:
            sfn.update_state_machine(stateMachineArn=existing[m.name], definition=definition)
            res.machine_arns[m.id] = existing[m.name]
        else:
            res.machine_arns[m.id] = sfn.create_state_machine(name=m.name, definition=definition,
                                                              roleArn=role_arn)["stateMachineArn"]
    events = aws("events")
    create_event_bus(events)
    for sched in catalog.SCHEDULES.values():
        events.put_rule(Name=sched.name, ScheduleExpression=f"cron({sched.cron})", State="ENABLED")
        events.put_targets(Rule=sched.name, Targets=[{"Id": sched.state_machine, "RoleArn": role_arn,
                                                     "Arn": res.machine_arns[sched.state_machine]}])
    return res
