"""Fulfilment of paid orders: the callout to the fulfilment service, then capture, refund, or
asking again later.

The service's protocol (the local stand-in in ``infra/local/services.py`` implements it):

* ``POST <url>`` with ``Idempotency-Key: <order_id>`` and ``{order_id, product_id, quantity,
  customer_id}``: 2xx ``{status: "FULFILLED", fulfilment_id}``; a 4xx refuses the order for good
  (``{status: "FAILED", reason}``), except 408, 409 (the first request with this key is still in
  progress), 425 and 429. A repeat with the same key never fulfils twice: it answers the first
  result.
* ``GET <url>/<key>``: 200 ``{status: FULFILLED|PROCESSING|FAILED, fulfilment_id?, reason?}``, or
  404 when the service never received the key.

A timeout, a reset connection or a 5xx after the request was sent is an UNKNOWN outcome, never a
failure: the service may have delivered. The order then waits in FULFILMENT_PENDING and the
platform asks the service again later (:class:`FulfilmentChecks`); it refunds only on a
definitive answer (see :func:`fulfil_order`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

import requests

from payrail.http_client import session
from payrail.merchants import Merchants
from payrail.orders import FULFILMENT_PENDING, PAID, Orders

#: outcome kinds (:class:`Outcome`)
FULFILLED, FAILED, UNKNOWN, NOT_RECEIVED = "FULFILLED", "FAILED", "UNKNOWN", "NOT_RECEIVED"
#: 4xx answers that are not a refusal: try again later
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
#: SQS's largest DelaySeconds
MAX_DELAY_SECONDS = 900


@dataclass(frozen=True)
class Outcome:
    """What the fulfilment service said about one order.

    Attributes:
        kind: FULFILLED (``fulfilment_id`` set); FAILED (a definitive refusal, ``reason``);
            UNKNOWN (no definitive answer: timeout, reset, 5xx, still in progress; ``reason``
            says which); NOT_RECEIVED (the status lookup says the service never got the key).
        reason: human-readable detail (at most 500 characters).
        fulfilment_id: the service's id of the fulfilment.
    """

    kind: str
    reason: str = ""
    fulfilment_id: str | None = None


class FulfilmentClient:
    """Calls the fulfilment service, one try per call (retries are later invocations, see
    :class:`FulfilmentChecks`), and classifies the answer.

    Args:
        url: the fulfilment endpoint (POST); status lookups are ``GET <url>/<key>``.
        timeout_seconds: per request (connect and read).
    """

    def __init__(self, url: str, timeout_seconds: float = 5.0):
        self.url = url.rstrip("/")
        self.timeout = timeout_seconds
        self.http = session(attempts=1)

    def submit(self, order: dict) -> Outcome:
        """POST the order with ``Idempotency-Key: <order_id>``. Never raises for the service's sake:
        anything but a definitive answer is UNKNOWN."""
        body = {k: order[k] for k in ("order_id", "product_id", "quantity", "customer_id")}
        try:
            r = self.http.post(self.url, json=body, timeout=self.timeout, headers={"Idempotency-Key": order["order_id"]})
        except requests.RequestException as e:  # timeout, reset, refused: the request may have arrived
            return Outcome(UNKNOWN, f"fulfilment: no answer ({type(e).__name__})")
        return self._outcome(r, "fulfilment")

    def lookup(self, order: dict) -> Outcome:
        """Ask the service what became of the order (by its idempotency key, the order id)."""
        try:
            r = self.http.get(f"{self.url}/{quote(order['order_id'], safe='')}", timeout=self.timeout)
        except requests.RequestException as e:
            return Outcome(UNKNOWN, f"status lookup: no answer ({type(e).__name__})")
        if r.status_code == 404:
            return Outcome(NOT_RECEIVED, "status lookup: never received")
        return self._outcome(r, "status lookup")

    @staticmethod
    def _outcome(r: requests.Response, what: str) -> Outcome:
        try:
            body = r.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        reason = str(body.get("reason") or body.get("message") or f"{what} answered {r.status_code}")[:500]
        if 400 <= r.status_code < 500 and r.status_code not in RETRYABLE_4XX:
            return Outcome(FAILED, reason)
        if not 200 <= r.status_code < 300:
            return Outcome(UNKNOWN, f"{what} answered {r.status_code}")
        status = body.get("status") or (FULFILLED if body.get("fulfilment_id") else None)
        if status == FULFILLED and body.get("fulfilment_id"):
            return Outcome(FULFILLED, fulfilment_id=str(body["fulfilment_id"]))
        if status == FAILED:
            return Outcome(FAILED, reason)
        return Outcome(UNKNOWN, f"{what}: {status or 'unexpected answer'}")


def fulfil_order(orders: Orders, merchants: Merchants, client: FulfilmentClient, merchant_id: str,
                 order_id: str) -> dict:
    """Take the next fulfilment step of an order and return the order after it.

    * PAID: POST to the service. Delivered: capture (FULFILLED). Refused (4xx): refund and
      restock (FAILED). Anything else: FULFILMENT_PENDING, the reason in ``status_history``.
    * FULFILMENT_PENDING: ask the service. FULFILLED: capture; FAILED: refund; never received:
      POST again with the same key (capture, refund on a definitive refusal, or still pending);
      no answer or still in progress: the order stays FULFILMENT_PENDING.
    * FULFILLED or FAILED: returned untouched (a duplicate delivery).

    Money is never refunded on a guess, and the same key on every call means the service never
    delivers twice. Every transition is conditional on the state it leaves, so concurrent
    deliveries of the same order are harmless.
    """
    order = orders.get_order(merchant_id, order_id)
    if order["status"] == PAID:
        outcome = client.submit(order)
    elif order["status"] == FULFILMENT_PENDING:
        outcome = client.lookup(order)
        if outcome.kind == NOT_RECEIVED:
            outcome = client.submit(order)
    else:
        return order
    if outcome.kind == FULFILLED:
        merchant = merchants.get(merchant_id) or {}
        return orders.capture(order, outcome.fulfilment_id, int(merchant.get("fee_bps", 0)))
    if outcome.kind == FAILED:
        return orders.refund(order, outcome.reason)
    return orders.mark_fulfilment_pending(order, outcome.reason)


class FulfilmentOutcomeUnknown(Exception):
    """The fulfilment service gave no definitive answer within the scheduled attempts."""


class FulfilmentChecks:
    """Schedules the next look at an order whose fulfilment outcome is unknown: its message goes
    back on the fulfilment queue with ``attempt + 1``, delayed ``base * 2**attempt`` seconds
    (SQS ``DelaySeconds``, at most 900), so no Lambda sleeps while it waits.

    After ``max_attempts`` looks nothing is sent again: :meth:`schedule` raises
    :class:`FulfilmentOutcomeUnknown`, the record fails, SQS delivers the message again after the
    queue's visibility timeout (one more look each time) and, after its ``maxReceiveCount``, moves
    it to the fulfilment DLQ. The order then stays FULFILMENT_PENDING with its money in
    ``pending``: never refunded on a guess; redriving the DLQ message resumes the checks.

    Args:
        sqs: a boto3 SQS client.
        queue_url: the fulfilment queue.
        max_attempts: looks in all (the first POST included).
        base_seconds: the first delay.
    """

    def __init__(self, sqs, queue_url: str, max_attempts: int, base_seconds: int):
        self.sqs, self.queue_url, self.max_attempts, self.base = sqs, queue_url, max_attempts, base_seconds

    def delay(self, attempt: int) -> int:
        """Seconds before the look after ``attempt`` (0-based): ``base * 2**attempt``, at most 900."""
        return min(MAX_DELAY_SECONDS, self.base * 2 ** min(attempt, 10))

    def schedule(self, message: dict) -> int:
        """Send ``message`` (``{merchant_id, order_id, attempt?}``) again for the next look.

        Returns:
            the delay in seconds.

        Raises:
            FulfilmentOutcomeUnknown: that was the last scheduled attempt.
        """
        attempt = int(message.get("attempt", 0))
        if attempt + 1 >= self.max_attempts:
            raise FulfilmentOutcomeUnknown(f"order {message['order_id']}: no definitive answer after "
                                           f"{attempt + 1} attempts; left to SQS redelivery, then the DLQ")
        delay = self.delay(attempt)
        self.send({**message, "attempt": attempt + 1}, delay)
        return delay

    def send(self, message: dict, delay: int = 0) -> None:
        """Put ``message`` on the fulfilment queue, visible after ``delay`` seconds."""
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message), DelaySeconds=delay)
