"""Small DynamoDB helpers: clients, item (de)serialisation with ints, cancellation reasons.

Numbers come back from DynamoDB as ``Decimal``; every number payrail stores is an integer
(minor units, counters, epoch seconds), so they are turned into ``int`` here and nowhere else.
"""
from __future__ import annotations

import base64
import json
import math
from decimal import Decimal
from functools import lru_cache
from typing import Any

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as SdkConnectionError

from payrail.core import deadline, packing

_ser = TypeSerializer()
_de = TypeDeserializer()

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, max_pool_connections=128,
                       connect_timeout=2, read_timeout=10)
#: health checks answer within seconds whatever is down: short timeouts and one attempt, no retries
HEALTH_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=16,
                              connect_timeout=1, read_timeout=2)


#: the settlement's slice reads: a page of a long Query may take more than 10 s on a loaded
#: engine (DynamoDB Local at 1,000,000 rows), and botocore re-sends a request that timed out, so a
#: short timeout doubles the work of an engine that is already behind; the job is not interactive
READ_JOB_CLIENT_CONFIG = CLIENT_CONFIG.merge(Config(read_timeout=60))


@lru_cache(maxsize=None)
def client(service: str = "dynamodb", read_job: bool = False, plain_queries: bool = False):
    """A shared boto3 client (endpoints come from the standard ``AWS_ENDPOINT_URL*`` variables);
    ``read_job``: with :data:`READ_JOB_CLIENT_CONFIG`; ``plain_queries`` (DynamoDB): its ``Query``
    answers read by :func:`plain_query_answer`. Its calls keep the invocation's deadline
    (:func:`keep_deadline`)."""
    config = READ_JOB_CLIENT_CONFIG if read_job else CLIENT_CONFIG
    aws_client = boto3.client(service, config=config)
    if plain_queries:
        aws_client.meta.events.register(f"before-parse.{service}.Query", plain_query_answer,
                                        unique_id="payrail-plain-query")
    return keep_deadline(aws_client, config)


def plain_query_answer(response_dict: dict, customized_response_dict: dict, **_) -> None:
    """botocore's ``before-parse`` hook of a successful DynamoDB ``Query``: its JSON body read by
    ``json.loads`` alone, instead of botocore's walk of the output shape over every attribute of
    every item (most of the CPU of a large read). The answer is the same dict (``Items`` and
    ``LastEvaluatedKey`` as attribute-value maps, ``Count``, ``ScannedCount``) for items without
    binary attributes, which botocore would decode from base64 (they stay base64 text here);
    errors are parsed by botocore as ever."""
    if response_dict.get("status_code") != 200:
        return
    customized_response_dict.update(json.loads(response_dict["body"]))
    response_dict["body"] = b"{}"  # botocore's parser then only adds the response's metadata


# ---- the deadline and outages ---------------------------------------------------------------------
#: an attempt is not sent with less time than this left before the deadline
MIN_ATTEMPT_SECONDS = 0.05

#: error codes of AWS answers that mean "too busy now" (botocore's standard retry mode retries them)
THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "RequestTimeout", "RequestTimeoutException", "InternalServerError", "ServiceUnavailable",
})


class DeadlineReached(BotoCoreError):
    """An AWS call was not sent, or not retried, because the invocation's deadline
    (:mod:`payrail.core.deadline`) has come: the dependency did not answer in time."""

    fmt = "no time left before the invocation's deadline for {operation}"


def keep_deadline(aws_client, config: Config):
    """Make ``aws_client``'s calls end by the invocation's deadline (``deadline.remaining()``; no
    effect outside a decorated handler), however long its configured timeouts and retries are:

    * each attempt's read timeout is at most the time left (the request context's
      ``read_timeout``, botocore's per-request override; a botocore without it keeps the
      configured one), and no attempt is sent once less than :data:`MIN_ATTEMPT_SECONDS` is left
      (:class:`DeadlineReached`);
    * a retry that, with its longest back-off, would start after the deadline is not made: the
      attempt's error is raised at once, as when the retries are used up.

    Returns ``aws_client`` (its event hooks registered)."""
    read_timeout = config.read_timeout

    def bound_attempt(request, event_name: str = "", **_):
        left = deadline.remaining()
        if left == math.inf:
            return None
        if left < MIN_ATTEMPT_SECONDS:
            raise DeadlineReached(operation=event_name.rsplit(".", 1)[-1])
        if read_timeout is None or left < read_timeout:
            request.context["read_timeout"] = left
        return None

    def retry_in_time(attempts: int, response=None, caught_exception=None, operation=None, **_):
        left = deadline.remaining()
        # botocore's standard mode sleeps up to 2**(attempts-1) s before a retry after throttling
        if left == math.inf or left >= 2 ** (attempts - 1) + MIN_ATTEMPT_SECONDS:
            return None
        if caught_exception is not None:
            raise caught_exception
        if response is not None:
            http, parsed = response
            code = (parsed.get("Error") or {}).get("Code")
            if http.status_code >= 500 or http.status_code == 429 or code in THROTTLING_CODES:
                raise aws_client.exceptions.from_code(code)(parsed, operation.name if operation else "call")
        return None

    service = aws_client.meta.service_model.service_id.hyphenize()
    aws_client.meta.events.register(f"before-send.{service}", bound_attempt, unique_id="payrail-deadline-attempt")
    aws_client.meta.events.register_first(f"needs-retry.{service}", retry_in_time, unique_id="payrail-deadline-retry")
    return aws_client


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc``, raised by an AWS call, means the dependency could not be reached or could
    not answer in time: a connect or read timeout, a refused, reset or closed connection, the
    invocation's deadline (:class:`DeadlineReached`), or throttling or a 5xx answer that outlived
    the SDK's retries. The caller then answers 503 and the request may be retried; any other
    error is a bug or a domain answer."""
    if isinstance(exc, (SdkConnectionError, HTTPClientError, DeadlineReached)):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or status == 429 or exc.response.get("Error", {}).get("Code") in THROTTLING_CODES
    return False


def _to_int(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"non-integer number in item: {value}")
        return int(value)
    if isinstance(value, dict):
        return {k: _to_int(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_int(v) for v in value]
    if isinstance(value, set):
        return {_to_int(v) for v in value}
    return value


def dump(item: dict) -> dict:
    """Plain dict -> DynamoDB attribute-value map (``None`` values are dropped; a top-level
    :class:`~payrail.core.packing.Packed` text becomes a Binary of it packed)."""
    return {k: {"B": packing.pack(v)} if isinstance(v, packing.Packed) else _ser.serialize(v)
            for k, v in item.items() if v is not None}


def value(v: Any) -> dict:
    """One plain value -> attribute value."""
    return _ser.serialize(v)


def _load_value(v: dict) -> Any:
    if "B" in v:
        data = v["B"]
        data = base64.b64decode(data) if isinstance(data, str) else bytes(data)  # a Lambda stream record: base64
        return packing.unpack(data) if packing.is_packed(data) else Binary(data)
    return _to_int(_de.deserialize(v))


def load(item: dict | None) -> dict | None:
    """DynamoDB attribute-value map -> plain dict with ``int`` numbers (None stays None); a top-level
    Binary that :func:`dump` packed (``payrail.core.packing``) comes back as its text."""
    if item is None:
        return None
    return {k: _load_value(v) for k, v in item.items()}


def cancellation_codes(err: ClientError) -> list[str]:
    """Per-action reason codes of a ``TransactionCanceledException`` ('None' where the action was fine)."""
    reasons = err.response.get("CancellationReasons") or []
    return [r.get("Code", "None") for r in reasons]


def is_code(err: ClientError, *codes: str) -> bool:
    return err.response.get("Error", {}).get("Code") in codes


def batch_get(db, keys: dict[str, list[dict]], consistent: bool = True) -> dict[str, list[dict]]:
    """One ``BatchGetItem`` over several tables (``{table: [key, ...]}``, at most 100 keys), asked
    again only for unprocessed keys. Returns ``{table: [item, ...]}`` (plain dicts, missing items absent)."""
    out: dict[str, list[dict]] = {}
    request = {t: {"Keys": k, "ConsistentRead": consistent} for t, k in keys.items()}
    while request:
        r = db.batch_get_item(RequestItems=request)
        for t, items in r["Responses"].items():
            out.setdefault(t, []).extend(load(i) for i in items)
        request = r.get("UnprocessedKeys") or {}
    return out
