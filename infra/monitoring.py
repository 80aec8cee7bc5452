"""The platform's dashboard and alarms (cdk-monitoring-constructs), built from the stack's resources
and the catalog: every alarm notifies one SNS topic (``catalog.ALARM_TOPIC_NAME``), with an email
subscription when the ``payrail:alarms`` context names ``alarmEmail``.

Alarms (names ``payrail-<resource>-<what>``; thresholds from the catalog):

* each queue's DLQ (and the stream failures queue) holds a message: > 0;
* each queue's oldest message is older than :attr:`catalog.Queue.age_bound_seconds`;
* the payout workflow: an execution failed ``PayoutStuck`` (a metric filter on its log), and any
  failed, timed-out or aborted execution of either state machine (> 0);
* the API's 5xx answers above ``Alarms.api_5xx_rate_percent`` of its requests;
* throttles: any Lambda throttle, any DynamoDB read or write throttle (> 0);
* each connector's success rate (``payrail.core.outcomes``: succeeded / decided, payouts and payments)
  below ``Alarms.provider_success_rate_percent`` over at least ``provider_min_outcomes`` outcomes;
* a payout hold older than ``HOLD_AGE_BOUND_SECONDS`` (the hold sweep's ``HoldsPastBound`` > 0).

HTTP API metrics are per stage: the API has one ``$default`` route (the function routes the
requests), so CloudWatch's per-route metrics would all be that route; the dashboard shows the
stage's requests, 4xx, 5xx and latency percentiles.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    DefaultDashboardFactory,
    ErrorCountThreshold,
    ErrorRateThreshold,
    LatencyType,
    MaxMessageAgeThreshold,
    MaxMessageCountThreshold,
    MetricFactoryDefaults,
    MonitoringFacade,
    SnsAlarmActionStrategy,
    ThrottledEventsThreshold,
)

from infra import catalog
from payrail.payouts import holds
from payrail.core import outcomes

#: the payout workflow's Fail state error an operator must act on (infra/asl/payout.asl.json)
PAYOUT_STUCK = "PayoutStuck"
#: the one alarm level used: every alarm pages through the same topic
LEVEL = "Critical"


@dataclass(frozen=True)
class AlarmFamily:
    """One kind of alarm the stack defines (one per queue, function, table ... of that kind).

    ``pattern`` matches the CloudWatch alarm names of the family (``payrail-…``); ``runbook`` is the
    title of its runbook section in docs/deploy.md ("#### <runbook>"), whose anchor is :attr:`anchor`."""

    key: str
    pattern: str
    runbook: str

    @property
    def anchor(self) -> str:
        """The runbook heading's anchor as GitHub renders it (lower case, spaces to dashes, no punctuation)."""
        return re.sub(r"[^a-z0-9 -]", "", self.runbook.lower()).replace(" ", "-")

    def matches(self, alarm_name: str) -> bool:
        """Whether ``alarm_name`` (a synthesized ``AlarmName``) is one of this family's."""
        return re.fullmatch(self.pattern, alarm_name) is not None


def alarm_families() -> tuple[AlarmFamily, ...]:
    """Every kind of alarm :class:`Monitoring` creates, each with its runbook in docs/deploy.md."""
    p = re.escape(catalog.PREFIX)
    return (
        AlarmFamily("dlq", rf"{p}-[a-z0-9_-]+-queue-DLQ-.*", "A DLQ is not empty"),
        AlarmFamily("stream-failures", rf"{p}-stream-failures-.*", "Stream records failed"),
        AlarmFamily("queue-age", rf"{p}-[a-z0-9_-]+-queue-Queue-Message-Age-.*", "A queue's oldest message is past its bound"),
        AlarmFamily("payout-stuck", rf"{p}-payout-stuck-.*", "A payout is stuck"),
        AlarmFamily("workflow", rf"{p}-[a-z0-9_-]+-workflow-(Failure|TimedOut|Aborted)-.*", "A workflow execution failed"),
        AlarmFamily("api-5xx", rf"{p}-api-Fault-Rate-.*", "The API answers 5xx"),
        AlarmFamily("function-throttles", rf"{p}-[a-z0-9_-]+-function-Throttled-.*", "A function is throttled"),
        AlarmFamily("table-throttles", rf"{p}-[a-z0-9_-]+-table-(Read|Write)-Throttled-.*", "A table is throttled"),
        AlarmFamily("provider-success-rate", rf"{p}-business-provider-[a-z0-9_-]+-success-rate-.*",
                    "A provider's success rate dropped"),
        AlarmFamily("holds-past-bound", rf"{p}-holds-holds-past-bound-.*", "Holds are past the bound"),
    )


def provider_success_rate(provider: str, alarms: catalog.Alarms) -> cw.MathExpression:
    """``provider``'s succeeded / decided outcomes (payouts and payments, ``payrail.core.outcomes``) in
    percent per period; 100 while fewer than ``provider_min_outcomes`` were decided (too few to
    judge), no data while there were none."""
    period = Duration.seconds(alarms.period_seconds)
    using, ok, bad = {}, [], []
    for metric, label in ((outcomes.PAYOUTS, "po"), (outcomes.PAYMENTS, "pm")):
        for kind, statuses, into in (("s", outcomes.SUCCEEDED[metric], ok), ("f", outcomes.FAILED[metric], bad)):
            for n, status in enumerate(statuses):
                mid = f"{label}{kind}{n}_{provider}"  # unique across the providers of one graph
                using[mid] = cw.Metric(namespace=outcomes.NAMESPACE, metric_name=metric, statistic="Sum",
                                       period=period, dimensions_map={"service": outcomes.SERVICE,
                                                                      "provider": provider, "status": status})
                into.append(f"FILL({mid}, 0)")
    good, total = "+".join(ok), "+".join(ok + bad)
    return cw.MathExpression(
        expression=f"IF(({total}) >= {alarms.provider_min_outcomes}, 100 * ({good}) / ({total}), 100)",
        using_metrics=using, label=f"{provider} success %", period=period)


class Monitoring:
    """The alarm topic, the dashboard and the alarms of a :class:`infra.stack.PayrailStack`.

    Attributes: ``topic`` (sns.Topic), ``facade`` (MonitoringFacade), ``payout_stuck`` (the
    metric filter's metric)."""

    def __init__(self, stack, alarms: catalog.Alarms):
        self.stack, self.alarms = stack, alarms
        period = Duration.seconds(alarms.period_seconds)
        key = kms.Key(stack, "alarm-topic-key", enable_key_rotation=True,
                      description="payrail: encrypts the alarm topic (CloudWatch alarms publish to it)")
        key.add_to_resource_policy(iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=["*"],
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")]))
        self.topic = sns.Topic(stack, "alarm-topic", topic_name=catalog.ALARM_TOPIC_NAME, master_key=key,
                               enforce_ssl=True, display_name="payrail alarms")
        if alarms.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarms.alarm_email))
        self.facade = MonitoringFacade(
            stack, "monitoring",
            alarm_factory_defaults=AlarmFactoryDefaults(
                actions_enabled=True, alarm_name_prefix=catalog.PREFIX,
                action=SnsAlarmActionStrategy(on_alarm_topic=self.topic), evaluation_periods=1,
                datapoints_to_alarm=1),
            metric_factory_defaults=MetricFactoryDefaults(period=period),
            dashboard_factory=DefaultDashboardFactory(
                stack, "dashboards", dashboard_name_prefix=catalog.DASHBOARD_NAME, create_dashboard=True,
                create_summary_dashboard=False, create_alarm_dashboard=False))
        zero = {LEVEL: ErrorCountThreshold(max_error_count=0, period=period)}
        f = self.facade
        f.add_large_header("payrail: the API")
        f.monitor_api_gateway_v2_http_api(
            api=stack.api, api_stage="$default", alarm_friendly_name="api", human_readable_name="payrail HTTP API",
            latency_types_to_render=[LatencyType.P50, LatencyType.P99],
            add5xx_rate_alarm={LEVEL: ErrorRateThreshold(max_error_rate=alarms.api_5xx_rate_percent / 100,
                                                         period=period)})
        f.add_large_header("Business outcomes")
        self._business(period)
        self._holds(period)
        f.add_large_header("Queues and their DLQs")
        for q in catalog.QUEUES.values():
            f.monitor_sqs_queue_with_dlq(
                queue=stack.queues[q.id], dead_letter_queue=stack.dlqs[q.id], alarm_friendly_name=f"{q.id}-queue",
                add_queue_max_message_age_alarm={LEVEL: MaxMessageAgeThreshold(
                    max_age_in_seconds=q.age_bound_seconds, period=period)},
                add_dead_letter_queue_max_size_alarm={LEVEL: MaxMessageCountThreshold(max_message_count=0,
                                                                                      period=period)})
        f.monitor_sqs_queue(queue=stack.stream_failures, alarm_friendly_name="stream-failures",
                            add_queue_max_size_alarm={LEVEL: MaxMessageCountThreshold(max_message_count=0,
                                                                                      period=period)})
        f.add_large_header("Workflows")
        self.payout_stuck = self._payout_stuck(period)
        for m in catalog.STATE_MACHINES.values():
            f.monitor_step_function(
                state_machine=stack.machines[m.id], alarm_friendly_name=f"{m.id}-workflow",
                add_failed_execution_count_alarm=zero, add_timed_out_execution_count_alarm=zero,
                add_aborted_execution_count_alarm=zero)
        f.add_large_header("Functions")
        for fn in catalog.FUNCTIONS.values():
            f.monitor_lambda_function(lambda_function=stack.functions[fn.id], alarm_friendly_name=f"{fn.id}-function",
                                      add_throttles_count_alarm=zero)
        f.add_large_header("Tables")
        throttled = {LEVEL: ThrottledEventsThreshold(max_throttled_events_threshold=0, period=period)}
        for t in catalog.TABLES.values():
            f.monitor_dynamo_table(table=stack.tables[t.id], alarm_friendly_name=f"{t.id}-table",
                                   add_read_throttled_events_count_alarm=throttled,
                                   add_write_throttled_events_count_alarm=throttled)

    def _payout_stuck(self, period: Duration) -> cw.Metric:
        """A metric filter on the payout workflow's execution log: one per execution that failed
        ``PayoutStuck`` (its hold is kept for an operator), with its alarm."""
        logs.MetricFilter(self.stack, "payout-stuck-filter", log_group=self.stack.machine_logs["payout"],
                          metric_namespace=outcomes.NAMESPACE, metric_name=PAYOUT_STUCK, metric_value="1",
                          filter_pattern=logs.FilterPattern.all(
                              logs.FilterPattern.string_value("$.type", "=", "ExecutionFailed"),
                              logs.FilterPattern.string_value("$.details.error", "=", PAYOUT_STUCK)))
        metric = cw.Metric(namespace=outcomes.NAMESPACE, metric_name=PAYOUT_STUCK, statistic="Sum", period=period,
                           label="payout executions failed PayoutStuck")
        self.facade.monitor_custom(
            alarm_friendly_name="payout-stuck", human_readable_name="Payouts stuck (hold kept for an operator)",
            metric_groups=[CustomMetricGroup(title="PayoutStuck executions", metrics=[CustomMetricWithAlarm(
                metric=metric, alarm_friendly_name="payout-stuck", add_alarm={LEVEL: CustomThreshold(
                    threshold=0, comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    treat_missing_data_override=cw.TreatMissingData.NOT_BREACHING, period=period,
                    alarm_description_override="A payout workflow failed PayoutStuck: its dispatches got no "
                    "answer; the hold is kept. Find the payout, ask its provider, then capture or release.")})])])
        return metric

    def _holds(self, period: Duration) -> None:
        """The hold sweep's figures (``functions/holds``), alarming on any payout hold held longer
        than ``HOLD_AGE_BOUND_SECONDS``."""
        def metric(name: str, statistic: str, label: str) -> cw.Metric:
            return cw.Metric(namespace=outcomes.NAMESPACE, metric_name=name, statistic=statistic, period=period,
                             dimensions_map={"service": holds.METRIC_SERVICE}, label=label)
        past = CustomMetricWithAlarm(
            metric=metric(holds.HOLDS_PAST_BOUND, "Maximum", "holds past the bound"), alarm_friendly_name="holds-past-bound",
            add_alarm={LEVEL: CustomThreshold(
                threshold=0, comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data_override=cw.TreatMissingData.NOT_BREACHING, period=period,
                alarm_description_override="A payout's amount has been held longer than HOLD_AGE_BOUND_SECONDS "
                "(in review, on hold at its provider, or stuck in its workflow): an operator decides.")})
        self.facade.monitor_custom(
            alarm_friendly_name="holds", human_readable_name="Payout holds (the hold sweep)",
            metric_groups=[
                CustomMetricGroup(title="Open holds", metrics=[
                    metric(holds.HOLDS_OPEN, "Maximum", "open holds"), past]),
                CustomMetricGroup(title="Oldest hold's age (s)", metrics=[
                    metric(holds.OLDEST_HOLD_AGE, "Maximum", "oldest hold (s)")]),
            ])

    def _business(self, period: Duration) -> None:
        """Outcomes by final status and provider, each connector's success rate (with its alarm),
        each connector's call latency (p99 of submit and of status), settlement jobs and webhook deliveries (``payrail.core.outcomes``; the webhooks function's
        counts: the endpoint is a log field of each attempt, not a dimension)."""
        def search(metric: str, dims: str) -> cw.MathExpression:
            return cw.MathExpression(
                expression=f"SEARCH('{{{outcomes.NAMESPACE},{dims}}} MetricName=\"{metric}\"', 'Sum', "
                           f"{period.to_seconds()})", label="", period=period, using_metrics={})
        rates = [CustomMetricWithAlarm(
            metric=provider_success_rate(p, self.alarms), alarm_friendly_name=f"provider-{p}-success-rate",
            add_alarm={LEVEL: CustomThreshold(
                threshold=self.alarms.provider_success_rate_percent,
                comparison_operator=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data_override=cw.TreatMissingData.NOT_BREACHING, period=period,
                alarm_description_override=f"{p}: fewer than {self.alarms.provider_success_rate_percent}% of its "
                f"decided payouts and payments succeeded (at least {self.alarms.provider_min_outcomes} decided).")})
            for p in catalog.connectors()]
        webhooks = "webhooks"  # the webhooks handler's Metrics(service=...)
        self.facade.monitor_custom(
            alarm_friendly_name="business", human_readable_name="Business outcomes",
            metric_groups=[
                CustomMetricGroup(title="Payouts by provider and final status",
                                  metrics=[search(outcomes.PAYOUTS, "service,provider,status")]),
                CustomMetricGroup(title="Payments by provider and final status",
                                  metrics=[search(outcomes.PAYMENTS, "service,provider,status")]),
                CustomMetricGroup(title="Provider success rate (%)", metrics=rates),
                CustomMetricGroup(title="Provider call latency p99 (ms)", metrics=[
                    cw.Metric(namespace=outcomes.NAMESPACE, metric_name=outcomes.PROVIDER_LATENCY, statistic="p99",
                              period=period, label=f"{p} {op} p99",
                              dimensions_map={"service": outcomes.SERVICE, "provider": p, "operation": op})
                    for p in catalog.connectors() for op in outcomes.LATENCY_OPERATIONS]),
                CustomMetricGroup(title="Settlement jobs by final status",
                                  metrics=[search(outcomes.SETTLEMENT_JOBS, "service,status")]),
                CustomMetricGroup(title="Webhook delivery attempts", metrics=[
                    cw.Metric(namespace=outcomes.NAMESPACE, metric_name=f"Webhooks{o}", statistic="Sum",
                              period=period, dimensions_map={"service": webhooks}, label=o.lower())
                    for o in ("Delivered", "Retrying", "Failed", "Gone")]),
            ])
        self.facade.add_widget(cw.LogQueryWidget(
            title="Failing webhook endpoints (attempts retrying or failed, by endpoint)", width=24, height=6,
            log_group_names=[f"/aws/lambda/{catalog.FUNCTIONS['webhooks'].name}"],
            query_lines=['filter message = "webhook attempt" and outcome in ["retrying", "failed"]',
                         "stats count(*) as attempts by endpoint_id", "sort attempts desc", "limit 20"]))


def build(stack: Stack, alarms: catalog.Alarms) -> Monitoring:
    """Add the topic, the dashboard and the alarms to ``stack`` (after its resources)."""
    return Monitoring(stack, alarms)
