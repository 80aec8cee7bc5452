"""Webhook deliveries (https://www.standardwebhooks.com, signed with the ``standardwebhooks`` library).

One **delivery** per (event, endpoint). Each attempt POSTs the event's body with the headers

    webhook-id: <event_id>               the same on every attempt and every redelivery
    webhook-timestamp: <unix seconds>    the attempt's time (receivers reject it outside ±5 min)
    webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")> [v1,… during a rotation]

A 2xx received within ``timeout_seconds`` (10 s) is delivered. Anything else (another status, a
redirect, a timeout, a refused connection) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h … (±20 % jitter) until the next attempt would fall more than 3 days after the first; then the
delivery has failed. 410 Gone fails it at once and disables the endpoint. Every attempt is logged
(time, status, latency, the first 200 characters of the answer).

**Waiting without holding anything open.** Each attempt is one SQS message
``{merchant_id, event_id, endpoint_id, attempt, due, manual, body}`` on the ``webhooks`` queue
(the event's body travels with it: events never change). A retry
is a new message sent with ``DelaySeconds`` = min(900, delay) and ``due`` = the retry's time; a
message that arrives before its ``due`` is sent again with the remaining delay (at most 900 s a
hop, so a 10 h wait is 40 hops of one cheap invocation each). No Lambda sleeps, no Step
Functions task waits, and the schedule survives any crash (it lives in the queue). Chosen over
EventBridge Scheduler one-shot schedules (one resource per retry to create and clean up, and
nothing fires them locally) and over a DynamoDB "due" index swept every minute (a scheduled
scan, and a minute of resolution for the 5 s retry).

**At least once, never twice at the same time.** An attempt first *claims* its delivery: a
conditional update that succeeds only when the delivery has made exactly ``attempt`` attempts,
is pending and carries no live lease (``lease_until``, the attempt's timeout plus a margin). A
duplicate or stale message fails the claim and is dropped. The next attempt's message is sent
*before* the outcome is recorded (guarded by the claim), so a crash in between leaves a message
that the claim turns into a no-op or the same retry; a crash before that leaves the message
itself, which SQS delivers again after the visibility timeout (the lease has expired by then).

**Bounded per endpoint; one slow endpoint never delays another merchant's.** Before its claim,
an attempt takes one of the endpoint's ``endpoint_concurrency`` slots (leases on one small item,
the same expiry rule); with none free (one read) the message goes back on the queue for a second
or two without counting as an attempt. Every attempt is cut off at ``timeout_seconds`` by a
watchdog that closes its socket (a server answering byte by byte gains nothing), and the worker
(``functions/webhooks``) runs a batch's endpoints concurrently: a slow endpoint therefore holds at
most ``endpoint_concurrency`` workers for at most 10 s each, and the rest of the queue — every
other endpoint — keeps flowing.

Items: :mod:`payrail.webhooks.records` (deliveries, attempts, slots and the two delivery indexes:
the FAILED deliveries of each endpoint, and the events by ``delivery_success``). Deliveries and
attempts expire with the events.
"""
from __future__ import annotations

import json
import math
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

import requests
from standardwebhooks import Webhook
from urllib3.exceptions import HTTPError

from payrail.core import ddb
from payrail.core.errors import Conflict, NotFound, ValidationFailed
from payrail.core.entity import Page
from payrail.core.events import RETENTION_SECONDS, Event, EventLog
from payrail.core.ids import time_ordered
from payrail.webhooks.endpoints import ENABLED, WebhookEndpoints, iso, signing_secrets, subscribed  # noqa: F401
from payrail.webhooks.model import (DS, LIFECYCLE, AttemptOutcome, DeliveryAttempt, DeliveryStatus, WebhookDelivery,
                                    WebhookEndpoint)
from payrail.webhooks.records import DeliveryRecords, SlotRecords
from payrail.webhooks.urls import BlockedAddress, delivery_session
from payrail.core import clock

PENDING, DELIVERED, FAILED = DS.PENDING, DS.DELIVERED, DS.FAILED
#: SQS's largest DelaySeconds
MAX_DELAY_SECONDS = 900
JITTER = 0.2
EXCERPT_CHARS = 200
#: how long a worker trusts an endpoint it read (status, URL, secrets)
ENDPOINT_CACHE_SECONDS = 2.0
USER_AGENT = "payrail-webhooks/1.0 (+https://www.standardwebhooks.com)"
#: the ``kind`` of a recovery's queue message (:mod:`payrail.webhooks.recovery`)
RECOVERY_MESSAGE = "recovery"


def sign(webhook_id: str, timestamp: int, body: str, secrets: list[str]) -> str:
    """The ``webhook-signature`` header: one ``v1,<base64>`` per secret, space-separated (the
    ``standardwebhooks`` library's ``Webhook.sign``)."""
    at = datetime.fromtimestamp(timestamp, timezone.utc)
    return " ".join(Webhook(s).sign(webhook_id, at, body) for s in secrets)


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt got: ``status_code`` (None without an answer), ``latency_ms`` until the
    answer's headers (or the failure), the answer's first characters, or an ``error``."""

    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return self.error or f"HTTP {self.status_code}"


class Sender:
    """Sends one signed attempt, cut off at ``timeout_seconds`` whatever the other side does.

    Args:
        timeout_seconds: the whole attempt (connect, send, answer) must fit in this.
        block_private: refuse connections to non-public addresses (deployed mode).
    """

    def __init__(self, timeout_seconds: float, block_private: bool):
        self.timeout = timeout_seconds
        self.block_private = block_private

    def send(self, url: str, webhook_id: str, body: str, secrets: list[str], now: float | None = None) -> AttemptResult:
        """POST ``body`` to ``url`` with the Standard Webhooks headers signed with every secret.
        Never raises for the receiver's sake."""
        ts = int(now or clock.now())
        headers = {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": webhook_id,
                   "webhook-timestamp": str(ts), "webhook-signature": sign(webhook_id, ts, body, secrets)}
        session, sockets = delivery_session(self.block_private)
        watchdog = threading.Timer(self.timeout, _cut_off, (sockets,))
        watchdog.daemon = True
        t0 = clock.monotonic()
        watchdog.start()
        try:
            r = session.post(url, data=body.encode(), headers=headers, allow_redirects=False, stream=True,
                             timeout=(min(self.timeout, 5.0), self.timeout))
            latency = clock.monotonic() - t0
            try:
                excerpt = r.raw.read(EXCERPT_CHARS * 4, decode_content=True).decode("utf-8", "replace")[:EXCERPT_CHARS]
            except (HTTPError, OSError, ValueError):
                excerpt = ""
            error = f"answered after {latency:.1f} s (limit {self.timeout:g} s)" if latency > self.timeout else None
            return AttemptResult(r.status_code, int(latency * 1000), excerpt, error)
        except (requests.RequestException, HTTPError, OSError) as e:
            latency = clock.monotonic() - t0
            return AttemptResult(None, int(latency * 1000), error=_describe(e, latency, self.timeout))
        finally:
            watchdog.cancel()
            session.close()


def _cut_off(sockets: list) -> None:
    for s in list(sockets):
        try:
            s.shutdown(2)
        except OSError:
            pass


def _describe(e: Exception, latency: float, timeout: float) -> str:
    cause: BaseException | None = e
    while cause is not None:  # requests wraps urllib3's MaxRetryError, whose reason is the cause
        if isinstance(cause, BlockedAddress):
            return str(cause).split(": ", 1)[-1][:300]
        cause = getattr(cause, "reason", None) or cause.__context__
    if isinstance(e, requests.Timeout) or latency >= timeout:
        return f"no answer within {timeout:g} s"
    return f"{type(e).__name__}: {str(e)[:250]}"


@dataclass(frozen=True)
class Policy:
    """How deliveries are retried and bounded (seconds).

    Attributes:
        schedule: delay before retry 1, 2, …; the last repeats.
        horizon_seconds: no attempt later than this after the first.
        timeout_seconds: one attempt's limit.
        endpoint_concurrency: attempts in flight to one endpoint at most.
        busy_retry_seconds: how soon a message that found no free slot comes back (jittered).
    """

    schedule: tuple[int, ...]
    horizon_seconds: int
    timeout_seconds: float
    endpoint_concurrency: int
    busy_retry_seconds: int = 1

    @property
    def lease_seconds(self) -> int:
        """A claim or a slot outlives its attempt by a margin, then expires (a crashed worker's)."""
        return int(self.timeout_seconds) + 20

    def delay(self, attempts_made: int, rng: random.Random | None = None) -> float:
        """Seconds before the next attempt after ``attempts_made`` (≥ 1) attempts, with jitter."""
        base = self.schedule[min(attempts_made - 1, len(self.schedule) - 1)]
        return base * (rng or random).uniform(1 - JITTER, 1 + JITTER)


class Deliveries:
    """Fan-out, attempts, the delivery log, redelivery and recovery (module docstring).

    Args:
        table: the ``webhooks`` table.
        events: the event log (bodies are read from it at each attempt).
        endpoints: the endpoints (URL, secrets, status; failures are reported to it).
        sqs: a boto3 SQS client; queue_url: the ``webhooks`` queue.
        sender: makes the attempts. policy: retries and bounds.
    """

    def __init__(self, table: str, events: EventLog, endpoints: WebhookEndpoints, sqs, queue_url: str,
                 sender: Sender, policy: Policy, client=None):
        self.table, self.events, self.endpoints = table, events, endpoints
        self.sqs, self.queue_url, self.sender, self.policy = sqs, queue_url, sender, policy
        db = client or ddb.client()
        self.records = DeliveryRecords(table, db)
        self.slots = SlotRecords(table, db)
        self._endpoints: dict[tuple[str, str], tuple[float, WebhookEndpoint | None]] = {}

    # ---- the queue --------------------------------------------------------------------------------
    def enqueue(self, messages: list[dict], delay: float = 0) -> None:
        """Send attempt messages, visible after ``delay`` seconds (rounded up, at most 900)."""
        seconds = min(MAX_DELAY_SECONDS, max(0, math.ceil(delay)))
        for i in range(0, len(messages), 10):
            chunk = messages[i:i + 10]
            r = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(n), "MessageBody": json.dumps(m), "DelaySeconds": seconds} for n, m in enumerate(chunk)])
            if r.get("Failed"):
                raise RuntimeError(f"webhooks queue refused {len(r['Failed'])} messages: {r['Failed'][0]}")

    def fan_out(self, events: list[Event], endpoints: dict[str, list[WebhookEndpoint]] | None = None) -> int:
        """Enqueue the first attempt of each event (as read from the log: its merchant and stored
        text, :func:`payrail.core.events.load`) to each enabled endpoint of its merchant subscribed
        to its type. ``endpoints`` caches each merchant's endpoints (read once per merchant).
        Returns the number of deliveries enqueued."""
        endpoints = {} if endpoints is None else endpoints
        messages = []
        for event in events:
            m = event.merchant_id
            if m not in endpoints:
                endpoints[m] = self.endpoints.for_merchant(m)
            messages += [attempt_message(m, event.event_id, ep.endpoint_id, 0, event.body, False) for ep in endpoints[m]
                         if ep.status == ENABLED and subscribed(ep.enabled_events, event.type)]
        self.enqueue(messages)
        return len(messages)

    # ---- one attempt ----------------------------------------------------------------------------------
    def handle(self, msg: dict) -> str:
        """Process one queue message: an attempt (``waiting``, ``stale``, ``busy``, ``delivered``,
        ``retrying``, ``failed``, ``gone``) or a recovery's page (``recovery``), for the logs.
        Raises only on infrastructure errors (the message then comes back)."""
        if msg.get("kind") == RECOVERY_MESSAGE:
            return self.recovery.step(msg)
        now = clock.now()
        if msg.get("due", 0) - now > 1:
            self.enqueue([msg], msg["due"] - now)
            return "waiting"
        m, e, w, n = msg["merchant_id"], msg["event_id"], msg["endpoint_id"], int(msg["attempt"])
        slot = self.slots.acquire(w, self.policy.endpoint_concurrency, self.policy.lease_seconds, int(now))
        if slot is None:  # the endpoint has its fill of attempts in flight: come back shortly
            self.enqueue([msg], random.uniform(1, 2) * self.policy.busy_retry_seconds)
            return "busy"
        try:
            delivery = self.records.claim(m, e, w, n, now, int(now) + self.policy.lease_seconds,
                                          int(now) + RETENTION_SECONDS)
            if delivery is None:
                return "stale"
            endpoint = self._endpoint(m, w, now)
            stored = None if msg.get("body") else self.events.find(m, e)
            body = msg.get("body") or (stored.body if stored else None)
            if endpoint is None or endpoint.status != ENABLED or body is None:
                why = ("the endpoint was deleted" if endpoint is None else "the event expired" if body is None
                       else f"the endpoint is disabled: {endpoint.get('disabled_reason') or 'disabled'}")
                self._record(delivery, n, n, FAILED, body, failure_reason=why)
                return "failed"
            result = self.sender.send(endpoint.url, e, body, endpoint.signing_secrets(now), now)
        finally:
            self.slots.release(w, slot)
        self._log_attempt(m, w, e, n + 1, result, now)
        if result.delivered:
            self._record(delivery, n, n + 1, DELIVERED, body, result, now, delivered_at=iso(clock.now()))
            self.endpoints.record_success(endpoint)
            return "delivered"
        if result.status_code == 410:
            self._record(delivery, n, n + 1, FAILED, body, result, now, failure_reason="the endpoint answered 410 Gone")
            self.endpoints.disable(endpoint, f"the endpoint answered 410 Gone at {iso(now)}")
            return "gone"
        self.endpoints.record_failure(endpoint, result.describe(), now)
        delay = self.policy.delay(n + 1)
        if msg.get("manual") or now + delay - delivery.started_at > self.policy.horizon_seconds:
            why = ("the redelivery failed" if msg.get("manual") else
                   f"gave up after {n + 1} attempts over {(now - delivery.started_at) / 3600:.1f} h")
            self._record(delivery, n, n + 1, FAILED, body, result, now, failure_reason=f"{why}; last: {result.describe()}")
            return "failed"
        self.enqueue([msg | {"attempt": n + 1, "due": now + delay, "manual": False}], delay)
        self._record(delivery, n, n + 1, PENDING, body, result, now, next_attempt_at=iso(now + delay))
        return "retrying"

    def _endpoint(self, m: str, w: str, now: float) -> WebhookEndpoint | None:
        """The endpoint, read at most every ENDPOINT_CACHE_SECONDS per execution environment (a
        disabled, deleted or re-keyed endpoint is seen within that; rotated-out secrets keep
        signing for hours anyway)."""
        hit = self._endpoints.get((m, w))
        if hit and hit[0] > now:
            return hit[1]
        endpoint = self.endpoints.get_raw(m, w)
        self._endpoints[(m, w)] = (now + ENDPOINT_CACHE_SECONDS, endpoint)
        return endpoint

    def _record(self, d: WebhookDelivery, n: int, attempts: int, status: DeliveryStatus, body: str | None,
                result: AttemptResult | None = None, at: float | None = None, **fields) -> None:
        """The outcome of claimed attempt ``n`` (made at ``at`` with ``result``, if one was made):
        ``attempts`` made in all, the new ``status`` and ``fields``; the claim is released, and
        the event's place in the ``delivery_success`` index settled. A claim taken over meanwhile
        (the lease ran out) leaves the delivery to its new holder. The claim was taken while the
        delivery was pending: the move is the lifecycle table's (IllegalMove)."""
        LIFECYCLE.move(PENDING, status)
        sets = {"attempts": attempts, "status": status.value, "updated_at": iso(clock.now()), **fields}
        if result is not None:
            sets |= {"last_attempt_at": iso(at), "last_status_code": result.status_code, "last_error": result.error,
                     "last_outcome": (AttemptOutcome.DELIVERED if result.delivered else AttemptOutcome.FAILED).value}
        outdated = ["next_attempt_at", "failure_reason"] + (["last_status_code", "last_error"] if result else [])
        removes = [k for k in outdated if sets.get(k) is None]
        expiration = int(clock.now()) + RETENTION_SECONDS
        if self.records.record(d.merchant_id, d.event_id, d.endpoint_id, n, sets, removes, expiration):
            event_type = json.loads(body)["type"] if body else "unknown"
            self.records.settle_outcome(d.merchant_id, d.event_id, event_type, expiration)

    def _log_attempt(self, m: str, w: str, e: str, number: int, result: AttemptResult, at: float) -> None:
        self.records.log_attempt(m, DeliveryAttempt(
            attempt_id=time_ordered("att", at), event_id=e, endpoint_id=w, attempt=number, at=iso(at),
            status_code=result.status_code, latency_ms=result.latency_ms, response_excerpt=result.excerpt,
            error=result.error, outcome=AttemptOutcome.DELIVERED if result.delivered else AttemptOutcome.FAILED,
            expiration=int(at) + RETENTION_SECONDS))

    # ---- the delivery log ---------------------------------------------------------------------------
    def for_event(self, merchant_id: str, event_id: str) -> list[WebhookDelivery]:
        """Each endpoint's delivery of an event."""
        return self.records.for_event(merchant_id, event_id)

    def attempts(self, merchant_id: str, endpoint_id: str, limit: int = 10,
                 starting_after: str | None = None) -> Page[DeliveryAttempt]:
        """An endpoint's attempts, newest first. Raises NotFound, ValidationFailed."""
        if not 1 <= limit <= 100:
            raise ValidationFailed("limit must be between 1 and 100", param="limit")
        self.endpoints.get(merchant_id, endpoint_id)
        return self.records.attempts(merchant_id, endpoint_id, limit, starting_after)

    def events_by_success(self, merchant_id: str, success: bool, limit: int = 10, starting_after: str | None = None,
                          event_type: str | None = None) -> Page[Event]:
        """The merchant's events whose deliveries all succeeded (``success``), or one of whose
        deliveries' latest attempt failed with no success since (not ``success``), newest first.
        Raises ValidationFailed (limit)."""
        if not 1 <= limit <= 100:
            raise ValidationFailed("limit must be between 1 and 100", param="limit")
        page = self.records.by_outcome(merchant_id, success, limit, starting_after, event_type)
        return Page(self.events.many(merchant_id, page.data), page.has_more)

    def redeliver(self, merchant_id: str, event_id: str, endpoint_id: str | None = None) -> list[str]:
        """Send an event again, now: to ``endpoint_id``, or to every enabled endpoint subscribed to
        its type. A delivered or failed delivery gets one more attempt (not retried if it fails);
        a pending one is attempted now instead of at its scheduled time. Returns the endpoint ids.

        Raises:
            NotFound: no such event or endpoint. Conflict (``invalid_state``): the endpoint is
            disabled, or no enabled endpoint is subscribed to the event's type.
        """
        event = self.events.get(merchant_id, event_id)
        if endpoint_id:
            ep = self.endpoints.get_raw(merchant_id, endpoint_id)
            if ep is None:
                raise NotFound("webhook endpoint not found", param="endpoint_id")
            if ep.status != ENABLED:
                raise Conflict("the webhook endpoint is disabled; enable it first", code="invalid_state",
                               param="endpoint_id")
            targets = [endpoint_id]
        else:
            targets = [ep.endpoint_id for ep in self.endpoints.for_merchant(merchant_id)
                       if subscribed(ep.enabled_events, event.type)]
            if not targets:
                raise Conflict("no enabled webhook endpoint is subscribed to this event's type", code="invalid_state")
        messages = []
        for w in targets:
            current = self.records.get(merchant_id, event_id, w)
            n, manual = (current.attempts if current else 0), True
            if current and current.status == PENDING:
                manual = False  # in its retry schedule: the next attempt is made now
            elif current:
                self.reopen(current)
            messages.append(attempt_message(merchant_id, event_id, w, n, event.body, manual))
        self.enqueue(messages)
        return targets

    def reopen(self, d: WebhookDelivery) -> bool:
        """A final delivery back to pending for one more attempt (a move of the lifecycle table,
        guarded by the status it leaves); False when it changed meanwhile."""
        LIFECYCLE.move(d.status, PENDING)
        return self.records.reopen(d, iso(clock.now()))

    @property
    def recovery(self) -> "Recoveries":
        from payrail.webhooks.recovery import Recoveries

        if not hasattr(self, "_recovery"):
            self._recovery = Recoveries(self)
        return self._recovery


def attempt_message(m: str, e: str, w: str, attempt: int, body: str | None, manual: bool) -> dict:
    """The queue message of an attempt to be made now (``manual``: not retried if it fails)."""
    return {"merchant_id": m, "event_id": e, "endpoint_id": w, "attempt": attempt, "due": 0, "manual": manual,
            "body": body}
