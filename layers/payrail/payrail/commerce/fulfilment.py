"""Fulfilment of paid orders: the callout to the fulfilment service, then capture, refund, or
asking again later — and, in the end, an answer for every order.

The service's protocol (the local stand-in in ``infra/local/services.py`` implements it):

* ``POST <url>`` with ``Idempotency-Key: <order_id>`` and ``{order_id, product_id, quantity,
  customer_id}``: 2xx ``{status: "FULFILLED", fulfilment_id}``; a 4xx refuses the order for good
  (``{status: "FAILED", reason}``), except 408, 409 (the first request with this key is still in
  progress), 425 and 429. A repeat with the same key never fulfils twice: it answers the first
  result.
* ``GET <url>/<key>``: 200 ``{status: FULFILLED|PROCESSING|FAILED|CANCELLED, fulfilment_id?,
  reason?}``, or 404 when the service never received the key.
* ``POST <url>/<key>/cancel`` with the same ``Idempotency-Key``: the platform gave up on the order
  and refunded it. 2xx ``{status: "CANCELLED"}`` (or ``FAILED``): the service will not deliver it,
  and a POST with this key that arrives later is refused; 409 ``{status: "FULFILLED",
  fulfilment_id}``: too late, it was delivered already.

How an answer is classified (:class:`Outcome`):

* **NOT_RECEIVED** — the request provably never reached the service: the connection was refused
  or timed out before it was established, the name did not resolve, the TLS handshake failed, or
  the service (or a gateway in front of it) answered 429, 502 or 503 without doing the work; a
  status lookup's 404 also says the service does not have the key.
* **UNKNOWN** — the service has, or may have, the order: a read timeout or a reset connection after
  the request was sent, a 500, 504 or any other 5xx, 408, 409 or 425, or a lookup saying it is
  still PROCESSING. The service may deliver, so this is never a failure.
* **FULFILLED** / **FAILED** — definitive answers (a lookup's CANCELLED is FAILED).

What :func:`fulfil_order` does with them:

* FULFILLED → capture; FAILED → refund (the service refused).
* NOT_RECEIVED on every POST (``max_attempts`` of them, looked at again with backoff) while no
  answer ever left open that the service had the order → the order is FAILED with the last error,
  refunded by the compensating journal, and the service is told (the cancel above, best effort).
* UNKNOWN → FULFILMENT_PENDING and looked up again with backoff until ``give_up_seconds`` after the
  order was paid (its ``fulfilment_deadline``); then FULFILMENT_UNKNOWN with the money still
  pending, announced by ``order.fulfilment_unknown``, and an operator decides (the admin routes
  ``…/orders/<order_id>/fail`` and ``…/fulfil``). Never refunded on a guess.
* After a failure that was not the service's own refusal (not received, or failed by the
  operator), the platform tells the service and keeps looking until the cancel is acknowledged or
  the deadline passes: a fulfilment that arrives anyway is recorded on the order
  (``late_fulfilment``) and announced by ``order.late_fulfilment``; no money moves again.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, SSLError

from payrail.core import clock
from payrail.core.http_client import session
from payrail.core.merchants import Merchants
from payrail.commerce.model import Order
from payrail.commerce.orders import (
    FAILED_NOT_RECEIVED,
    FAILED_BY_OPERATOR,
    FULFILMENT_PENDING,
    FULFILMENT_UNKNOWN,
    PAID,
    Orders,
)
from payrail.commerce.orders import FAILED as ORDER_FAILED

#: outcome kinds (:class:`Outcome`)
FULFILLED, FAILED, UNKNOWN, NOT_RECEIVED, CANCELLED = "FULFILLED", "FAILED", "UNKNOWN", "NOT_RECEIVED", "CANCELLED"
#: 4xx answers that are not a refusal: try again later
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
#: answers to a POST that say the work was not done: the service (or a gateway in front of it)
#: turned the request away
NOT_RECEIVED_STATUSES = frozenset({429, 502, 503})
#: SQS's largest DelaySeconds
MAX_DELAY_SECONDS = 900


@dataclass(frozen=True)
class Outcome:
    """What the fulfilment service said about one order.

    Attributes:
        kind: FULFILLED (``fulfilment_id`` set); FAILED (a definitive refusal, ``reason``);
            UNKNOWN (no definitive answer: timeout, reset, 5xx, still in progress; ``reason``
            says which); NOT_RECEIVED (the request provably never reached the service, or the
            status lookup says the service never got the key); CANCELLED (a cancel was
            acknowledged: the service will not deliver).
        reason: human-readable detail (at most 500 characters).
        fulfilment_id: the service's id of the fulfilment.
        may_be_received: True when this answer shows, or leaves open, that the service has the
            order (an UNKNOWN answer to a POST, a lookup saying PROCESSING); False when it says
            nothing of the kind (a lookup that got no answer, NOT_RECEIVED).
    """

    kind: str
    reason: str = ""
    fulfilment_id: str | None = None
    may_be_received: bool = False


def _cause(error: requests.RequestException) -> BaseException:
    """The urllib3 error behind a requests error (a ``MaxRetryError``'s reason), else the error."""
    reason = error.args[0] if error.args else None
    return getattr(reason, "reason", None) or error


def _named(error: requests.RequestException) -> str:
    return type(_cause(error)).__name__


def never_sent(error: requests.RequestException) -> bool:
    """True when ``error`` proves the request never left this side: refused or timed-out
    connection (no TCP connection was made), a name that does not resolve, a failed TLS
    handshake. A read timeout or a connection reset after sending is False (the request may have
    arrived)."""
    if isinstance(error, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        return isinstance(_cause(error), (NewConnectionError, ConnectTimeoutError, SSLError))
    return False


class FulfilmentClient:
    """Calls the fulfilment service, one try per call (retries are later invocations, see
    :class:`FulfilmentChecks`), and classifies the answer (module docstring). Never raises for
    the service's sake.

    Args:
        url: the fulfilment endpoint (POST); status lookups are ``GET <url>/<key>``, cancels
            ``POST <url>/<key>/cancel``.
        timeout_seconds: per request (connect and read).
    """

    def __init__(self, url: str, timeout_seconds: float = 5.0):
        self.url = url.rstrip("/")
        self.timeout = timeout_seconds
        self.http = session(attempts=1)

    def submit(self, order: Mapping | Order) -> Outcome:
        """POST the order with ``Idempotency-Key: <order_id>``: FULFILLED, FAILED (refused),
        NOT_RECEIVED (provably not received) or UNKNOWN."""
        body = {k: order[k] for k in ("order_id", "product_id", "quantity", "customer_id")}
        try:
            r = self.http.post(self.url, json=body, timeout=self.timeout, headers={"Idempotency-Key": order["order_id"]})
        except requests.RequestException as e:
            if never_sent(e):
                return Outcome(NOT_RECEIVED, f"fulfilment: not reached ({_named(e)})")
            return Outcome(UNKNOWN, f"fulfilment: no answer ({_named(e)})", may_be_received=True)
        if r.status_code in NOT_RECEIVED_STATUSES:
            return Outcome(NOT_RECEIVED, f"fulfilment answered {r.status_code}")
        outcome = self._outcome(r, "fulfilment")
        return Outcome(outcome.kind, outcome.reason, outcome.fulfilment_id, may_be_received=True) \
            if outcome.kind == UNKNOWN else outcome

    def lookup(self, order: Mapping | Order) -> Outcome:
        """Ask the service what became of the order (by its idempotency key, the order id). A
        lookup that gets no answer is UNKNOWN without ``may_be_received``; PROCESSING is UNKNOWN
        with it; 404 is NOT_RECEIVED; CANCELLED is FAILED."""
        try:
            r = self.http.get(self._key_url(order), timeout=self.timeout)
        except requests.RequestException as e:
            return Outcome(UNKNOWN, f"status lookup: no answer ({_named(e)})")
        if r.status_code == 404:
            return Outcome(NOT_RECEIVED, "status lookup: never received")
        outcome = self._outcome(r, "status lookup")
        return Outcome(outcome.kind, outcome.reason, may_be_received=True) \
            if outcome.kind == UNKNOWN and 200 <= r.status_code < 300 else outcome

    def cancel(self, order: Mapping | Order) -> Outcome:
        """Tell the service the platform gave up on the order (``POST <url>/<key>/cancel``, same
        ``Idempotency-Key``): CANCELLED (acknowledged), FULFILLED (it was delivered already, 409
        with the fulfilment), or UNKNOWN (no acknowledgement)."""
        try:
            r = self.http.post(f"{self._key_url(order)}/cancel", json={}, timeout=self.timeout,
                               headers={"Idempotency-Key": order["order_id"]})
        except requests.RequestException as e:
            return Outcome(UNKNOWN, f"cancel: no answer ({_named(e)})")
        if 200 <= r.status_code < 300:
            return Outcome(CANCELLED, "cancel acknowledged")
        outcome = self._outcome(r, "cancel") if r.status_code == 409 else None
        if outcome is not None and outcome.kind == FULFILLED:
            return outcome
        return Outcome(UNKNOWN, f"cancel answered {r.status_code}")

    def _key_url(self, order: Mapping | Order) -> str:
        return f"{self.url}/{quote(order['order_id'], safe='')}"

    @staticmethod
    def _outcome(r: requests.Response, what: str) -> Outcome:
        try:
            body = r.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        reason = str(body.get("reason") or body.get("message") or f"{what} answered {r.status_code}")[:500]
        status = body.get("status") or (FULFILLED if body.get("fulfilment_id") else None)
        if status == FULFILLED and body.get("fulfilment_id") and (200 <= r.status_code < 300 or r.status_code == 409):
            return Outcome(FULFILLED, fulfilment_id=str(body["fulfilment_id"]))
        if 400 <= r.status_code < 500 and r.status_code not in RETRYABLE_4XX:
            return Outcome(FAILED, reason)
        if not 200 <= r.status_code < 300:
            return Outcome(UNKNOWN, f"{what} answered {r.status_code}")
        if status in (FAILED, CANCELLED):
            return Outcome(FAILED, reason)
        return Outcome(UNKNOWN, f"{what}: {status or 'unexpected answer'}")


@dataclass(frozen=True)
class FulfilmentPolicy:
    """How long the platform tries before an order gets an end.

    Attributes:
        max_attempts: POSTs that provably never reached the service before the order is FAILED
            and refunded (``FULFILMENT_MAX_ATTEMPTS``).
        give_up_seconds: from payment, how long an unknown outcome is looked up before the order
            becomes FULFILMENT_UNKNOWN for an operator (``FULFILMENT_GIVE_UP_SECONDS``).
    """

    max_attempts: int = 3
    give_up_seconds: int = 3600


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def deadline_of(order: Mapping | Order, policy: FulfilmentPolicy) -> datetime:
    """When the order's fulfilment is given up: its ``fulfilment_deadline``, else payment time +
    ``give_up_seconds``."""
    if order.get("fulfilment_deadline"):
        return _parse(order["fulfilment_deadline"])
    return _parse(order["created_at"]) + timedelta(seconds=policy.give_up_seconds)


def needs_late_check(order: Mapping | Order) -> bool:
    """A FAILED order the service might still deliver: failed without the service's refusal (not
    received, or by the operator), its cancel not acknowledged, no late fulfilment recorded."""
    return (order["status"] == ORDER_FAILED and order.get("failure_kind") in (FAILED_NOT_RECEIVED, FAILED_BY_OPERATOR)
            and not order.get("cancel_acknowledged_at") and not order.get("late_fulfilment"))


def fulfil_order(orders: Orders, merchants: Merchants, client: FulfilmentClient, merchant_id: str,
                 order_id: str, policy: FulfilmentPolicy = FulfilmentPolicy(), now: datetime | None = None) -> Order:
    """Take the next fulfilment step of an order and return the order after it (module docstring).

    * PAID: POST to the service. Delivered: capture (FULFILLED). Refused (4xx): refund and
      restock (FAILED). Anything else: FULFILMENT_PENDING (the deadline, the attempt and the
      error recorded).
    * FULFILMENT_PENDING: ask the service. FULFILLED: capture; FAILED: refund. Never received, or
      no answer while every POST so far was provably not received: POST again with the same key.
      ``max_attempts`` POSTs that never reached it, and nothing ever said the service had the
      order: FAILED, refunded, the service told. Otherwise the order stays FULFILMENT_PENDING
      until its deadline, then FULFILMENT_UNKNOWN.
    * FULFILMENT_UNKNOWN: ask the service; a definitive answer captures or refunds, anything else
      leaves the order to the operator.
    * FAILED and possibly still delivered (:func:`needs_late_check`): cancel, look it up, record a
      late fulfilment. Otherwise (FULFILLED, FAILED for good): returned untouched (a duplicate).

    Money is never refunded on a guess, and the same key on every call means the service never
    delivers twice. Every transition is conditional on the state it leaves, so concurrent
    deliveries of the same order are harmless.

    Args:
        now: the current time (UTC; default now), for the deadline.
    """
    now = now or clock.utcnow()
    order = orders.get_order(merchant_id, order_id)
    status = order.status
    if status == PAID:
        outcome = client.submit(order)
    elif status == FULFILMENT_PENDING:
        outcome = client.lookup(order)
        certain = order.fulfilment_uncertain is False
        if outcome.kind == NOT_RECEIVED or (outcome.kind == UNKNOWN and not outcome.may_be_received and certain):
            outcome = client.submit(order)
    elif status == FULFILMENT_UNKNOWN:
        outcome = client.lookup(order)
        if outcome.kind not in (FULFILLED, FAILED):
            return order  # the operator decides
    elif needs_late_check(order):
        return _late_check(orders, client, order)
    else:
        return order
    if outcome.kind == FULFILLED:
        merchant = merchants.get(merchant_id) or {}
        return orders.capture(order, outcome.fulfilment_id, int(merchant.get("fee_bps", 0)))
    if outcome.kind == FAILED:
        return orders.refund(order, outcome.reason)
    deadline = deadline_of(order, policy)
    order = orders.note_attempt(order, outcome.reason, not_received=outcome.kind == NOT_RECEIVED,
                                may_be_received=outcome.may_be_received, deadline=_iso(deadline))
    if order.status != FULFILMENT_PENDING:
        return order
    if order.fulfilment_uncertain is False and int(order.fulfilment_attempts or 0) >= policy.max_attempts:
        failed = orders.refund_not_received(order, f"not received after {order.fulfilment_attempts} attempts: "
                                                   f"{order.last_error or outcome.reason}")
        return _late_check(orders, client, failed) if needs_late_check(failed) else failed
    if now >= deadline:
        return orders.give_up(order, f"no definitive answer by {_iso(deadline)}: {outcome.reason}")
    return order


def _late_check(orders: Orders, client: FulfilmentClient, order: Order) -> Order:
    """For a FAILED order the service might still deliver (:func:`needs_late_check`): send the
    cancel; when it is not acknowledged, look the order up. An acknowledged cancel (or a lookup
    saying FAILED or CANCELLED) is recorded (``cancel_acknowledged_at``): no more looks; a
    fulfilment is recorded as ``late_fulfilment`` with its event. No money moves. Returns the order."""
    answer = client.cancel(order)
    if answer.kind not in (CANCELLED, FULFILLED):
        looked = client.lookup(order)
        answer = looked if looked.kind in (FULFILLED, FAILED) else answer
    if answer.kind == FULFILLED:
        return orders.record_late_fulfilment(order, answer.fulfilment_id)
    if answer.kind in (CANCELLED, FAILED):
        return orders.note_cancel_acknowledged(order)
    return order


def next_look(order: Mapping | Order, attempt: int, checks: "FulfilmentChecks", policy: FulfilmentPolicy,
              now: datetime | None = None) -> int | None:
    """Seconds until the order's next look, or None when it needs none: a FULFILMENT_PENDING order
    is looked at after the backoff (``checks.delay(attempt)``), at the latest at its deadline; a
    FAILED order that needs a late check (:func:`needs_late_check`) after the backoff while its
    deadline has not passed; anything else never again."""
    now = now or clock.utcnow()
    left = (deadline_of(order, policy) - now).total_seconds()
    if order["status"] == FULFILMENT_PENDING:
        return max(1, min(checks.delay(attempt), math.ceil(left)))
    if needs_late_check(order) and left > 0:
        return checks.delay(attempt)
    return None


class FulfilmentChecks:
    """Schedules the next look at an order: its message goes back on the fulfilment queue with
    ``attempt + 1``, delayed (SQS ``DelaySeconds``, at most 900) by :meth:`delay` or by what
    :func:`next_look` says, so no Lambda sleeps while it waits. The looks end with the order: every
    order reaches FULFILLED, FAILED or FULFILMENT_UNKNOWN by its deadline (:func:`fulfil_order`).

    Args:
        sqs: a boto3 SQS client.
        queue_url: the fulfilment queue.
        base_seconds: the first delay.
    """

    def __init__(self, sqs, queue_url: str, base_seconds: int):
        self.sqs, self.queue_url, self.base = sqs, queue_url, base_seconds

    def delay(self, attempt: int) -> int:
        """Seconds before the look after ``attempt`` (0-based): ``base * 2**attempt``, at most 900."""
        return min(MAX_DELAY_SECONDS, self.base * 2 ** min(attempt, 10))

    def schedule(self, message: dict, delay: int | None = None) -> int:
        """Send ``message`` (``{merchant_id, order_id, attempt?}``) again for the next look, after
        ``delay`` seconds (default :meth:`delay` of its attempt; at most 900).

        Returns:
            the delay in seconds.
        """
        attempt = int(message.get("attempt", 0))
        delay = min(MAX_DELAY_SECONDS, self.delay(attempt) if delay is None else delay)
        self.send({**message, "attempt": attempt + 1}, delay)
        return delay

    def send(self, message: dict, delay: int = 0) -> None:
        """Put ``message`` on the fulfilment queue, visible after ``delay`` seconds."""
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message), DelaySeconds=delay)
