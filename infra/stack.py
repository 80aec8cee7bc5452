"""The payrail CDK stack, built from ``infra/catalog.py`` (the same definitions the local cloud uses)."""
from __future__ import annotations

import json
from pathlib import Path

import jsii
from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    BundlingOptions,
    CfnOutput,
    DockerImage,
    Duration,
    ILocalBundling,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import catalog, layer, monitoring
from infra.layer import LAYER_DIR

RUNTIME = lambda_.Runtime.PYTHON_3_11

_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem",
         "dynamodb:DescribeTable"]
_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem"]


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    """Builds the layer without Docker (``infra.layer.build``: pip for manylinux2014_x86_64,
    offline from the wheelhouse ``.build/wheels`` when ``make setup`` has filled it)."""

    def try_bundle(self, output_dir: str, *, image, **_kwargs) -> bool:  # noqa: D401 - jsii signature
        layer.build(Path(output_dir))
        return True


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    """HTTP API access logs to a log group (CLF-like default format)."""

    def __init__(self, destination):
        self._destination = destination

    @property
    def destination(self):
        return self._destination

    @property
    def format(self):
        return None


class PayrailStack(Stack):
    """Tables, queues with DLQs, the reports bucket, payrail's event bus with its archive, functions
    sharing the layer (each with its own least-privilege role), the HTTP API, the state machines,
    the schedules, and the dashboard with its alarms (``infra/monitoring.py``)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: dict[str, str],
                 alarms: catalog.Alarms = catalog.ALARMS, **kwargs):
        """``config``: function settings that are not resource references (FULFILMENT_URL,
        ADMIN_TOKEN_SHA256, CONNECTOR_CASHFREE_BASE_URL ...), over ``catalog.CONFIG_DEFAULTS``.
        ``alarms``: the alarm topic's subscription and thresholds (``infra/monitoring.py``)."""
        super().__init__(scope, construct_id, **kwargs)
        self.machine_logs: dict[str, logs.LogGroup] = {}
        self.tables = {t.id: self._table(t) for t in catalog.TABLES.values()}
        self.queues, self.dlqs = {}, {}
        for q in catalog.QUEUES.values():
            self.dlqs[q.id] = sqs.Queue(self, f"{q.id}-queue-dlq", queue_name=q.dlq_name, enforce_ssl=True,
                                        retention_period=Duration.days(14),
                                        encryption=sqs.QueueEncryption.SQS_MANAGED)
            self.queues[q.id] = sqs.Queue(
                self, f"{q.id}-queue", queue_name=q.name, enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
                visibility_timeout=Duration.seconds(q.visibility_timeout),
                retention_period=Duration.seconds(q.retention_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlqs[q.id], max_receive_count=q.max_receive_count))
        self.stream_failures = sqs.Queue(self, "stream-failures", queue_name=f"{catalog.PREFIX}-stream-failures",
                                         enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
                                         retention_period=Duration.days(14))
        self.bucket = s3.Bucket(
            self, catalog.BUCKET_ID, encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(prefix="settlements/", noncurrent_version_expiration=Duration.days(30),
                                              abort_incomplete_multipart_upload_after=Duration.days(1)),
                             # a job's slice manifest and partial files: intermediate, kept two days
                             s3.LifecycleRule(prefix="settlements/parts/", expiration=Duration.days(2),
                                              noncurrent_version_expiration=Duration.days(1)),
                             # a reconciliation report's parts its dead executor never completed
                             s3.LifecycleRule(prefix="reconciliation/",
                                              abort_incomplete_multipart_upload_after=Duration.days(1))])
        self.layer = lambda_.LayerVersion(
            self, "payrail-layer", compatible_runtimes=[RUNTIME],
            description="payrail domain package with aws-lambda-powertools, pydantic, requests and standardwebhooks",
            code=lambda_.Code.from_asset(str(LAYER_DIR), bundling=BundlingOptions(
                image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.11"),
                command=["bash", "-c", "pip install -r requirements.txt -t /asset-output/python && "
                                       "cp -r payrail /asset-output/python/"],
                local=PipLayerBundling())))
        self.secrets = {c: self._connector_secret(c) for c in catalog.connectors()}
        self.bus = events.EventBus(self, "event-bus", event_bus_name=catalog.EVENT_BUS.name)
        self.bus.archive("event-archive", archive_name=catalog.EVENT_BUS.archive_name,
                         description="every payrail event, for replay",
                         event_pattern=events.EventPattern(source=[catalog.EVENT_BUS.source]),
                         retention=Duration.days(catalog.EVENT_BUS.archive_retention_days))
        self.functions = {f.id: self._function(f) for f in catalog.FUNCTIONS.values()}
        self.machines = {m.id: self._state_machine(m) for m in catalog.STATE_MACHINES.values()}
        config = {**catalog.CONFIG_DEFAULTS, **config}
        for f in catalog.FUNCTIONS.values():
            env = catalog.resource_env(
                f, {k: t.table_name for k, t in self.tables.items()}, {k: q.queue_url for k, q in self.queues.items()},
                {k: m.state_machine_arn for k, m in self.machines.items()}, self.bucket.bucket_name, config,
                {c: secret.secret_arn for c, secret in self.secrets.items()})
            for k, v in env.items():
                self.functions[f.id].add_environment(k, v)
            self._grant(f, self.functions[f.id])
        self.api = self._http_api()
        for s in catalog.SCHEDULES.values():
            target = targets.SfnStateMachine(self.machines[s.state_machine], retry_attempts=10,
                                             max_event_age=Duration.hours(2)) if s.state_machine else \
                targets.LambdaFunction(self.functions[s.function], retry_attempts=2, max_event_age=Duration.minutes(5))
            events.Rule(self, s.id, rule_name=s.name, schedule=events.Schedule.expression(f"cron({s.cron})"),
                        targets=[target])
        # a settlement file put into the reconciliation inbox → a message for the reconciliation function
        # (the bucket's EventBridge notifications set on the resource itself: CDK's event_bridge_enabled
        # would add a custom-resource Lambda to do what CloudFormation does natively)
        self.bucket.node.default_child.add_property_override(
            "NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True)
        events.Rule(self, "reconciliation-inbox", rule_name=f"{catalog.PREFIX}-reconciliation-inbox",
                    event_pattern=events.EventPattern(source=["aws.s3"], detail_type=["Object Created"], detail={
                        "bucket": {"name": [self.bucket.bucket_name]},
                        "object": {"key": [{"prefix": catalog.RECONCILIATION_INBOX}]}}),
                    targets=[targets.SqsQueue(self.queues["reconciliation"])])
        self.monitoring = monitoring.build(self, alarms)
        CfnOutput(self, "ApiUrl", value=self.api.api_endpoint)
        CfnOutput(self, "AlarmTopic", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "ReportsBucket", value=self.bucket.bucket_name)
        CfnOutput(self, "EventBus", value=self.bus.event_bus_name)
        self._suppressions()

    # ---- resources --------------------------------------------------------------------------
    def _table(self, t: catalog.Table) -> dynamodb.Table:
        table = dynamodb.Table(
            self, f"{t.id}-table", table_name=t.name, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            partition_key=dynamodb.Attribute(name=t.pk, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=t.sk, type=dynamodb.AttributeType.STRING) if t.sk else None,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            stream=dynamodb.StreamViewType(t.stream) if t.stream else None,
            time_to_live_attribute=t.ttl_attribute, deletion_protection=True,
            encryption=dynamodb.TableEncryption.AWS_MANAGED, removal_policy=RemovalPolicy.RETAIN)
        for i in t.indexes:
            table.add_global_secondary_index(
                index_name=i.name, partition_key=dynamodb.Attribute(name=i.pk, type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name=i.sk, type=dynamodb.AttributeType.STRING) if i.sk else None,
                projection_type=dynamodb.ProjectionType(i.projection))
        return table

    def _connector_secret(self, connector: str) -> secretsmanager.Secret:
        """One secret per connector: a JSON object of its credentials (``secret_fields``), set by an
        operator after deployment (the stack only creates it, with a generated placeholder)."""
        from payrail.providers import registry

        fields = registry.secret_fields(connector)
        return secretsmanager.Secret(
            self, f"{connector}-connector-secret", secret_name=catalog.connector_secret_name(connector),
            description=f"payrail: credentials of the {connector} payout connector ({', '.join(fields)})",
            removal_policy=RemovalPolicy.RETAIN,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({f: "" for f in fields[:-1]}), generate_string_key=fields[-1],
                exclude_punctuation=True))

    def _function(self, f: catalog.Function) -> lambda_.Function:
        log_group = logs.LogGroup(self, f"{f.id}-logs", log_group_name=f"/aws/lambda/{f.name}",
                                  retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY)
        role = iam.Role(self, f"{f.id}-role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"least-privilege role of {f.name}")
        log_group.grant_write(role)
        fn = lambda_.Function(
            self, f"{f.id}-fn", function_name=f.name, runtime=RUNTIME, handler="handler.lambda_handler",
            code=lambda_.Code.from_asset(str(f.folder), exclude=["__pycache__"]), layers=[self.layer],
            role=role, log_group=log_group, timeout=Duration.seconds(f.timeout), memory_size=f.memory,
            tracing=lambda_.Tracing.ACTIVE, architecture=lambda_.Architecture.X86_64,
            environment={"POWERTOOLS_SERVICE_NAME": f.name, "POWERTOOLS_METRICS_NAMESPACE": "payrail",
                         "POWERTOOLS_LOG_LEVEL": "INFO", **catalog.RUNTIME_ENV})
        if f.sqs:
            fn.add_event_source(sources.SqsEventSource(
                self.queues[f.sqs.queue], batch_size=f.sqs.batch_size, report_batch_item_failures=True,
                max_concurrency=f.sqs.max_concurrency, max_batching_window=Duration.seconds(f.sqs.max_batching_window)))
        if f.stream:
            fn.add_event_source(sources.DynamoEventSource(
                self.tables[f.stream.table], starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=f.stream.batch_size, retry_attempts=f.stream.retry_attempts,
                parallelization_factor=f.stream.parallelization,
                report_batch_item_failures=True, bisect_batch_on_error=True,
                on_failure=sources.SqsDlq(self.stream_failures)))
        return fn

    def _grant(self, f: catalog.Function, fn: lambda_.Function) -> None:
        g = f.grants
        for tid in set(g.tables_rw) | set(g.tables_r):
            t = self.tables[tid]
            actions = _READ + (_WRITE if tid in g.tables_rw else [])
            if tid == "idempotency":  # an in-progress record is deleted when its request failed (retry may run)
                actions = actions + ["dynamodb:DeleteItem"]
            indexes = [f"{t.table_arn}/index/{i.name}" for i in catalog.TABLES[tid].indexes]
            fn.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[t.table_arn, *indexes]))
        for qid in g.queues_send:
            self.queues[qid].grant_send_messages(fn)
        if g.queues_read_attrs:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["sqs:GetQueueAttributes"],
                                                      resources=[self.queues[q].queue_arn for q in g.queues_read_attrs]))
        if g.queues_redrive:  # depths, and StartMessageMoveTask from each DLQ back to its queue
            sources = [self.queues[q].queue_arn for q in g.queues_redrive]
            dlqs = [self.dlqs[q].queue_arn for q in g.queues_redrive]
            fn.add_to_role_policy(iam.PolicyStatement(actions=["sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
                                                      resources=sources + dlqs))
            fn.add_to_role_policy(iam.PolicyStatement(
                actions=["sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks", "sqs:ReceiveMessage",
                         "sqs:DeleteMessage"], resources=dlqs))
            fn.add_to_role_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=sources))
        for mid in g.start_executions:
            self.machines[mid].grant_start_execution(fn)
        if g.stop_executions:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["states:StopExecution"], resources=[
                self._executions_arn(m) for m in g.stop_executions]))
        for mid in g.task_callbacks:
            self.machines[mid].grant_task_response(fn)
        if f.connectors:
            for secret in self.secrets.values():
                secret.grant_read(fn)
        if g.put_events:
            self.bus.grant_put_events_to(fn)
        if g.bucket:
            fn.add_to_role_policy(iam.PolicyStatement(
                actions=["s3:GetObject"] + (["s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
                                            if g.bucket == "rw" else []),
                resources=[self.bucket.arn_for_objects("settlements/*"),
                           self.bucket.arn_for_objects("reconciliation/*")]))

    def _executions_arn(self, machine_id: str) -> str:
        return self.format_arn(service="states", resource="execution",
                               resource_name=f"{catalog.STATE_MACHINES[machine_id].name}:*",
                               arn_format=ArnFormat.COLON_RESOURCE_NAME)

    def _state_machine(self, m: catalog.StateMachine) -> sfn.StateMachine:
        log_group = logs.LogGroup(self, f"{m.id}-sfn-logs", log_group_name=f"/aws/vendedlogs/states/{m.name}",
                                  retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY)
        self.machine_logs[m.id] = log_group
        subs = {k: self.functions[v].function_arn for k, v in m.functions.items()}
        subs |= {k: self.queues[v].queue_url for k, v in m.queues.items()}
        machine = sfn.StateMachine(
            self, f"{m.id}-sfn", state_machine_name=m.name, state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string((catalog.ASL_DIR / m.asl).read_text()),
            definition_substitutions=subs, tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False))
        machine.add_to_role_policy(iam.PolicyStatement(
            actions=["lambda:InvokeFunction"], resources=[self.functions[f].function_arn for f in m.functions.values()]))
        for qid in m.queues.values():
            self.queues[qid].grant_send_messages(machine)
        if m.distributed_map:
            # what CDK adds for a Distributed Map it builds itself (a definition from a string gets
            # nothing): child executions of this machine, and its item manifests in the bucket; a
            # separate policy, so that the machine does not depend on a grant naming itself
            policy = iam.Policy(self, f"{m.id}-distributed-map-policy")
            machine.role.attach_inline_policy(policy)
            policy.add_statements(
                iam.PolicyStatement(actions=["states:StartExecution"], resources=[machine.state_machine_arn]),
                iam.PolicyStatement(actions=["states:DescribeExecution", "states:StopExecution"],
                                    resources=[self._executions_arn(m.id)]),
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects("settlements/parts/*")]))
        return machine

    def _http_api(self) -> apigw.HttpApi:
        fn = next(self.functions[f.id] for f in catalog.FUNCTIONS.values() if f.http)
        api = apigw.HttpApi(self, "http-api", api_name=f"{catalog.PREFIX}-api", create_default_stage=False,
                            default_integration=integrations.HttpLambdaIntegration(
                                "api-integration", fn, payload_format_version=apigw.PayloadFormatVersion.VERSION_2_0))
        access_logs = logs.LogGroup(self, "api-access-logs", retention=logs.RetentionDays.ONE_MONTH,
                                    removal_policy=RemovalPolicy.DESTROY)
        apigw.HttpStage(self, "default-stage", http_api=api, stage_name="$default", auto_deploy=True,
                        throttle=apigw.ThrottleSettings(**catalog.API_THROTTLE),
                        access_log_settings=_AccessLogs(apigw.LogGroupLogDestination(access_logs)))
        return api

    def _suppressions(self) -> None:
        bucket_id = self.resolve(self.get_logical_id(self.bucket.node.default_child))
        # cdk-nag names findings by the resolved ARN: a literal region/account when the stack has one
        region = "<AWS::Region>" if Token.is_unresolved(self.region) else self.region
        account = "<AWS::AccountId>" if Token.is_unresolved(self.account) else self.account
        self.nag_acknowledgements = [
            {"id": "AwsSolutions-IAM5[Resource::*]", "reason": "Only actions without resource-level permissions: "
             "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and CloudWatch Logs delivery of the "
             "state machines (logs:CreateLogDelivery and friends)."},
            {"id": f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/settlements/*]", "reason": "Settlement "
             "reports are one object per job under settlements/; access is limited to that prefix."},
            {"id": f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/reconciliation/*]", "reason": "Reconciliation "
             "reports are one object per run under reconciliation/, settlement files under reconciliation/inbox/; "
             "access is limited to that prefix."},
            {"id": f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:{region}:{account}:"
                   f"execution:{catalog.STATE_MACHINES['settlement'].name}:*]",
             "reason": "Cancelling a settlement job stops its execution, and the settlement state machine's "
             "Distributed Map describes and stops its child executions; execution names are job ids "
             "unknown at deploy time, so the resource is this one state machine's executions."},
            {"id": f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/settlements/parts/*]", "reason": "The "
             "settlement Distributed Map reads each job's slice manifest; one prefix of intermediate files."},
            {"id": "AwsSolutions-L1", "reason": "Pinned to python3.11: the runtime the code and tests run on locally."},
            {"id": "AwsSolutions-S1", "reason": "Reports bucket: access is through presigned URLs and is "
             "recorded by CloudTrail data events; a separate access-log bucket is left to the account baseline."},
            {"id": "AwsSolutions-APIG4", "reason": "Authorization happens in the API function: merchant API keys "
             "(SHA-256 hashed in DynamoDB) and the admin bearer token; health and docs routes are public."},
            {"id": "AwsSolutions-SMG4", "reason": "Payout connector credentials are issued by each provider "
             "(Cashfree, Safepay) and rotated on the provider's dashboard; an operator then updates the secret. "
             "A rotation Lambda cannot mint provider credentials."},
            {"id": "AwsSolutions-SQS3", "reason": "stream-failures is itself the on-failure destination of the "
             "stream event source (a DLQ); the DLQs are DLQs."},
        ]
        for rule in self.nag_acknowledgements:
            Validations.of(self).acknowledge(Acknowledgment(id=rule["id"], reason=rule["reason"]))
