"""What every Lambda handler under ``functions/`` shares: Powertools' logger, tracer and metrics
named after the function, and one decorator stacking what each invocation runs inside (outermost
first): ``logger.inject_lambda_context``, ``tracer.capture_lambda_handler``,
``metrics.log_metrics`` and :func:`payrail.core.deadline.from_lambda_context`.

    fn = wiring("payment-expiry")            # Logger/Tracer service payrail-payment-expiry,
                                              # Metrics namespace payrail, service payment-expiry
    @fn.handler
    def lambda_handler(event, context): ...

    lambda_handler = fn.batch(record_handler, EventType.SQS)   # SQS / DynamoDB stream partial batch responses

Call :func:`wiring` at module level of the handler: each import of the handler module is one
execution environment, so its batch processor is never shared by two invocations at once.
Powertools' batch utilities are imported only by :meth:`Wiring.batch` (cold starts of the other
functions do not load them); a batch handler imports ``EventType`` from them before any of
payrail's modules: imported after pydantic, they also load Powertools' parser models (a tenth of
the handler's cold start).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools import Logger, Metrics, Tracer

from payrail.core import deadline

NAMESPACE = "payrail"
#: what the tracer patches: the AWS SDK, and for a handler that calls a provider, the fulfilment
#: service or a webhook endpoint over HTTP, ``requests`` too. Patching every library the X-Ray
#: SDK knows (Powertools' default) would also import httpx, which payrail never uses, into every
#: cold start.
AWS_CALLS: tuple[str, ...] = ("botocore",)
HTTP_CALLS: tuple[str, ...] = ("botocore", "requests")


@dataclass
class Wiring:
    """One function's ``logger``, ``tracer`` and ``metrics`` (None for a function that emits none).

    Args:
        correlation_id_path: the event path ``logger.inject_lambda_context`` takes the correlation id
            from (e.g. Powertools' ``correlation_paths.API_GATEWAY_HTTP``), or None.
    """

    logger: Logger
    tracer: Tracer
    metrics: Metrics | None
    correlation_id_path: str | None = None

    def handler(self, fn: Callable) -> Callable:
        """``fn(event, context)`` inside the logger's context, the tracer's segment, the metrics'
        flush and the invocation's deadline (in that order, outermost first)."""
        wrapped = deadline.from_lambda_context(fn)
        if self.metrics is not None:
            wrapped = self.metrics.log_metrics(wrapped)
        wrapped = self.tracer.capture_lambda_handler(wrapped)
        if self.correlation_id_path is None:
            return self.logger.inject_lambda_context(wrapped)
        return self.logger.inject_lambda_context(wrapped, correlation_id_path=self.correlation_id_path)

    def batch(self, record_handler: Callable, event_type) -> Callable:
        """A ``lambda_handler`` (wrapped by :meth:`handler`) running ``record_handler(record)`` for each
        record of a batch of ``event_type`` (Powertools' ``EventType.SQS``, ``EventType.DynamoDBStreams``)
        with its own batch processor; a record whose handler raises is reported in
        ``batchItemFailures`` (``ReportBatchItemFailures``) and the others are done."""
        from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response

        processor = BatchProcessor(event_type=event_type)

        def lambda_handler(event: dict, context) -> dict:
            return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                            context=context)
        return self.handler(lambda_handler)


def wiring(name: str, *, metrics: bool = True, metrics_service: str | None = None,
           patch_modules: tuple[str, ...] = AWS_CALLS, correlation_id_path: str | None = None) -> Wiring:
    """The wiring of function ``name``: Logger and Tracer with service ``payrail-<name>``, Metrics in
    namespace ``payrail`` with service ``metrics_service`` (default ``name``; ``metrics=False`` for
    none); ``patch_modules`` what the tracer patches (:data:`AWS_CALLS`, or :data:`HTTP_CALLS`)."""
    return Wiring(logger=Logger(service=f"payrail-{name}"), tracer=Tracer(service=f"payrail-{name}",
                                                                          patch_modules=patch_modules),
                  metrics=Metrics(namespace=NAMESPACE, service=metrics_service or name) if metrics else None,
                  correlation_id_path=correlation_id_path)
