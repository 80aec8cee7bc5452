"""Create payrail's resources from ``infra/catalog.py`` on the local engines, idempotently."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

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
    secret_arns: dict[str, str] = field(default_factory=dict)  # connector -> its credentials' secret
    bucket: str = catalog.LOCAL_BUCKET_NAME
    #: each function's environment, as the CDK stack sets it (resource references and settings)
    function_env: dict[str, dict[str, str]] = field(default_factory=dict)


def create_table(ddb, t: catalog.Table) -> str | None:
    """Create ``t`` if missing (matching the CDK definition); returns its stream ARN."""
    attrs = {t.pk, *(filter(None, [t.sk]))} | {a for i in t.indexes for a in (i.pk, i.sk) if a}
    schema = [{"AttributeName": t.pk, "KeyType": "HASH"}] + ([{"AttributeName": t.sk, "KeyType": "RANGE"}] if t.sk else [])
    kw = dict(TableName=t.name, BillingMode="PAY_PER_REQUEST", KeySchema=schema,
              AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)])
    if t.indexes:
        kw["GlobalSecondaryIndexes"] = [{
            "IndexName": i.name, "Projection": {"ProjectionType": i.projection},
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


def _zip(fn: catalog.Function, layer: Path | None = None) -> bytes:
    """The function's code: its handler, plus the layer's content (``infra.layer.build``) when
    ``layer`` is given, for a Lambda service that runs the zip itself and has no layers
    (LocalStack's Docker image, community edition)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(fn.folder / "handler.py", "handler.py")
        for f in sorted(layer.rglob("*")) if layer else ():
            if f.is_file() and "__pycache__" not in f.parts:
                z.write(f, f.relative_to(layer).as_posix())
    return buf.getvalue()


def event_source_mappings(lam, fn: catalog.Function, res: Resources) -> None:
    """The function's SQS / DynamoDB stream event source mapping, as the CDK stack defines it
    (``SqsEventSource`` / ``DynamoEventSource``), unless one from that source exists."""
    if fn.sqs:
        source = res.queue_arns[fn.sqs.queue]
        kw = dict(BatchSize=fn.sqs.batch_size, MaximumBatchingWindowInSeconds=fn.sqs.max_batching_window,
                  ScalingConfig={"MaximumConcurrency": fn.sqs.max_concurrency})
    elif fn.stream:
        source = res.stream_arns[fn.stream.table]
        kw = dict(BatchSize=fn.stream.batch_size, StartingPosition="TRIM_HORIZON",
                  MaximumRetryAttempts=fn.stream.retry_attempts, BisectBatchOnFunctionError=True,
                  ParallelizationFactor=fn.stream.parallelization)
    else:
        return
    if lam.list_event_source_mappings(FunctionName=fn.name, EventSourceArn=source)["EventSourceMappings"]:
        return
    lam.create_event_source_mapping(FunctionName=fn.name, EventSourceArn=source, Enabled=True,
                                    FunctionResponseTypes=["ReportBatchItemFailures"], **kw)


def provision(config, with_functions: bool = True, layer: Path | None = None) -> Resources:
    """Create tables, queues (with DLQs), the bucket, the functions (with their environment), the
    state machines, payrail's event bus with its archive and the EventBridge scheduled rules; on
    LocalStack (``config.localstack``) also the functions' event source mappings. Safe to run again
    on existing resources."""
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
    secrets = aws("secretsmanager")
    for connector, credentials in config.connector_credentials().items():
        name = catalog.connector_secret_name(connector)
        try:
            res.secret_arns[connector] = secrets.create_secret(Name=name, SecretString=json.dumps(credentials))["ARN"]
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceExistsException":
                raise
            res.secret_arns[connector] = secrets.put_secret_value(SecretId=name,
                                                                  SecretString=json.dumps(credentials))["ARN"]
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
                                          Handler="handler.lambda_handler", Code={"ZipFile": _zip(fn, layer)},
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
    for fn in catalog.FUNCTIONS.values():
        res.function_env[fn.id] = catalog.resource_env(fn, res.table_names, res.queue_urls, res.machine_arns,
                                                       res.bucket, config.function_settings(), res.secret_arns)
        if with_functions:  # the environment refers to the state machines, which refer to the functions
            lam.get_waiter("function_active_v2").wait(FunctionName=fn.name, WaiterConfig={"Delay": 0.2})
            lam.update_function_configuration(FunctionName=fn.name, Environment={"Variables": res.function_env[fn.id]})
            lam.get_waiter("function_updated_v2").wait(FunctionName=fn.name, WaiterConfig={"Delay": 0.2})
            if config.localstack:  # the embedded target polls with payrail's runtime instead
                event_source_mappings(lam, fn, res)
    events = aws("events")
    create_event_bus(events)
    # first: moto hands an S3 event to the default bus's rules in order and stops at the first rule
    # whose target it cannot deliver to (a schedule's Lambda or state machine), so the inbox rule
    # must come before the schedules
    reconciliation_inbox(aws("s3"), events, res.bucket, res.queue_arns["reconciliation"])
    for sched in catalog.SCHEDULES.values():
        events.put_rule(Name=sched.name, ScheduleExpression=f"cron({sched.cron})", State="ENABLED")
        target = {"Id": sched.state_machine, "RoleArn": role_arn, "Arn": res.machine_arns[sched.state_machine]} \
            if sched.state_machine else {"Id": sched.function, "Arn": res.function_arns[sched.function]}
        events.put_targets(Rule=sched.name, Targets=[target])
    return res


def reconciliation_inbox(s3, events, bucket: str, queue_arn: str) -> None:
    """As the stack: the reports bucket's EventBridge notifications on, and the rule sending an
    object created under the reconciliation inbox to the reconciliation queue (``queue_arn`` as the
    engine reports it: its account is the engine's, moto's 123456789012 or LocalStack's 000000000000)."""
    s3.put_bucket_notification_configuration(Bucket=bucket,
                                             NotificationConfiguration={"EventBridgeConfiguration": {}})
    name = f"{catalog.PREFIX}-reconciliation-inbox"
    events.put_rule(Name=name, State="ENABLED", EventPattern=json.dumps({
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": catalog.RECONCILIATION_INBOX}]}}}))
    events.put_targets(Rule=name, Targets=[{"Id": "reconciliation", "Arn": queue_arn}])
