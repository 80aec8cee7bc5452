"""Fulfilment callouts for paid orders, and what happens after them (capture or refund)."""
from __future__ import annotations

import requests

from payrail.http_client import session
from payrail.merchants import Merchants
from payrail.orders import PAID, Orders


class FulfilmentFailed(Exception):
    """The fulfilment service refused the order or stayed unreachable after every attempt."""


class FulfilmentClient:
    """POSTs ``{order_id, product_id, quantity, customer_id}`` to the fulfilment URL.

    Args:
        url: fulfilment endpoint.
        timeout_seconds: per attempt (connect and read).
        attempts: total tries, exponential backoff between them (0.5 s, 1 s, ...).
    """

    def __init__(self, url: str, timeout_seconds: float = 5.0, attempts: int = 3, backoff_seconds: float = 0.5):
        self.url = url
        self.timeout = timeout_seconds
        self.http = session(attempts, backoff_seconds)

    def fulfil(self, order: dict) -> str:
        """Returns the fulfilment id. Raises FulfilmentFailed."""
        body = {k: order[k] for k in ("order_id", "product_id", "quantity", "customer_id")}
        try:
            r = self.http.post(self.url, json=body, timeout=self.timeout,
                               headers={"Idempotency-Key": order["order_id"]})
        except requests.RequestException as e:
            raise FulfilmentFailed(f"fulfilment unreachable: {type(e).__name__}") from e
        if r.status_code >= 300:
            raise FulfilmentFailed(f"fulfilment answered {r.status_code}")
        return str(r.json().get("fulfilment_id") or r.json().get("id"))


def fulfil_order(orders: Orders, merchants: Merchants, client: FulfilmentClient, merchant_id: str,
                 order_id: str) -> dict:
    """Call fulfilment for a PAID order, then capture it or refund it. Duplicate deliveries of
    the same order are harmless: anything but PAID is returned untouched.

    Returns:
        the order after the step.
    """
    order = orders.get_order(merchant_id, order_id)
    if order["status"] != PAID:
        return order
    try:
        fulfilment_id = client.fulfil(order)
    except FulfilmentFailed as e:
        return orders.refund(order, str(e))
    merchant = merchants.get(merchant_id) or {}
    return orders.capture(order, fulfilment_id, int(merchant.get("fee_bps", 0)))
