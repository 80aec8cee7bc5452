"""Small DynamoDB helpers: clients, item (de)serialisation with ints, cancellation reasons.

Numbers come back from DynamoDB as ``Decimal``; every number payrail stores is an integer
(minor units, counters, epoch seconds), so they are turned into ``int`` here and nowhere else.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

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
def client(service: str = "dynamodb", read_job: bool = False):
    """A shared boto3 client (endpoints come from the standard ``AWS_ENDPOINT_URL*`` variables);
    ``read_job``: with :data:`READ_JOB_CLIENT_CONFIG`."""
    return boto3.client(service, config=READ_JOB_CLIENT_CONFIG if read_job else CLIENT_CONFIG)


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
    """Plain dict -> DynamoDB attribute-value map (``None`` values are dropped)."""
    return {k: _ser.serialize(v) for k, v in item.items() if v is not None}


def value(v: Any) -> dict:
    """One plain value -> attribute value."""
    return _ser.serialize(v)


def load(item: dict | None) -> dict | None:
    """DynamoDB attribute-value map -> plain dict with ``int`` numbers (None stays None)."""
    if item is None:
        return None
    return {k: _to_int(_de.deserialize(v)) for k, v in item.items()}


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
