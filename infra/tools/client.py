"""A small HTTP client of the payrail API (used by the demo, the benchmark and the tests)."""
from __future__ import annotations

import time
import uuid

import requests
from requests.adapters import HTTPAdapter


def wait_for(predicate, timeout: float = 60, interval: float = 0.3, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy and return that; raises TimeoutError."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise TimeoutError(f"{what} not met within {timeout}s (last value {last!r})")


def standin(url: str, path: str, body: dict | None = None) -> dict:
    """A payout provider stand-in's control (POST ``body``) or stats (GET) endpoint at ``url``."""
    r = requests.post(url + path, json=body, timeout=10) if body is not None else requests.get(url + path, timeout=10)
    if r.status_code != 200:
        raise ApiError(r.status_code, {"error": {"message": r.text}})
    return r.json()


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body

    @property
    def code(self) -> str | None:
        return (self.body.get("error") or {}).get("code")


class Payrail:
    """``Payrail(api_url, api_key=..., admin_token=...)``; methods return decoded JSON and raise
    ApiError on a non-2xx answer. Thread-safe enough for load tests (one pooled session)."""

    def __init__(self, api_url: str, api_key: str | None = None, admin_token: str | None = None,
                 pool: int = 64, timeout: float = 60):
        self.url = api_url.rstrip("/")
        self.api_key, self.admin_token, self.timeout = api_key, admin_token, timeout
        self.http = requests.Session()
        self.http.mount("http://", HTTPAdapter(pool_connections=pool, pool_maxsize=pool))

    def as_merchant(self, api_key: str) -> "Payrail":
        c = Payrail(self.url, api_key=api_key, admin_token=self.admin_token, timeout=self.timeout)
        c.http = self.http
        return c

    def request(self, method: str, path: str, body: dict | None = None, *, idempotency_key: str | None = None,
                admin: bool = False, headers: dict | None = None, params: dict | None = None) -> dict:
        h = {"content-type": "application/json", **(headers or {})}
        if admin and self.admin_token:
            h["authorization"] = f"Bearer {self.admin_token}"
        elif self.api_key:
            h["x-api-key"] = self.api_key
        if idempotency_key:
            h["idempotency-key"] = idempotency_key
        r = self.http.request(method, self.url + path, json=body, headers=h, params=params, timeout=self.timeout)
        data = r.json() if r.content else {}
        if r.status_code >= 300:
            raise ApiError(r.status_code, data)
        return data

    # ---- admin ----
    def create_merchant(self, name: str, fee_bps: int | None = None, rate_limit_per_minute: int | None = None) -> dict:
        body = {"name": name, "fee_bps": fee_bps, "rate_limit_per_minute": rate_limit_per_minute}
        return self.request("POST", "/v1/admin/merchants", {k: v for k, v in body.items() if v is not None},
                            admin=True)

    def credit(self, merchant_id: str, customer_id: str, amount: int, currency: str = "USD", key: str | None = None) -> dict:
        return self.request("POST", "/v1/admin/wallets/credit", {"merchant_id": merchant_id, "customer_id": customer_id,
                            "currency": currency, "amount": amount}, idempotency_key=key or str(uuid.uuid4()), admin=True)

    def debit(self, merchant_id: str, customer_id: str, amount: int, currency: str = "USD", key: str | None = None) -> dict:
        return self.request("POST", "/v1/admin/wallets/debit", {"merchant_id": merchant_id, "customer_id": customer_id,
                            "currency": currency, "amount": amount}, idempotency_key=key or str(uuid.uuid4()), admin=True)

    def admin_settlement(self, start: str, end: str) -> dict:
        return self.request("POST", "/v1/admin/settlements", {"from": start, "to": end}, admin=True)

    def admin_settlement_get(self, job_id: str) -> dict:
        return self.request("GET", f"/v1/admin/settlements/{job_id}", admin=True)

    def settle_order(self, merchant_id: str, order_id: str, decision: str, **body) -> dict:
        """Admin: ``decision`` ``fail`` or ``fulfil`` a FULFILMENT_UNKNOWN order (``note``,
        ``fulfilment_id`` for ``fulfil``)."""
        return self.request("POST", f"/v1/admin/merchants/{merchant_id}/orders/{order_id}/{decision}", body or None,
                            admin=True)

    def admin_settlement_cancel(self, job_id: str) -> dict:
        return self.request("POST", f"/v1/admin/settlements/{job_id}/cancel", admin=True)

    def reconciliation(self, provider: str, start: str, end: str, key: str | None = None) -> dict:
        """Admin: start a reconciliation run of ``provider`` over UTC days ``start``..``end``."""
        return self.request("POST", "/v1/admin/reconciliations", {"provider": provider, "from": start, "to": end},
                            idempotency_key=key, admin=True)

    def reconciliation_get(self, run_id: str) -> dict:
        return self.request("GET", f"/v1/admin/reconciliations/{run_id}", admin=True)

    def reconciliations(self, **params) -> dict:
        return self.request("GET", "/v1/admin/reconciliations", admin=True, params=params)

    def reconciliation_cancel(self, run_id: str) -> dict:
        return self.request("POST", f"/v1/admin/reconciliations/{run_id}/cancel", admin=True)

    def reconciliation_exceptions(self, **params) -> dict:
        """Admin: exceptions by ``class``, ``provider``, ``status`` (``open``/``resolved``), ``limit``."""
        return self.request("GET", "/v1/admin/reconciliation_exceptions", admin=True, params=params)

    def resolve_exception(self, exception_id: str, resolution: str, reason: str) -> dict:
        return self.request("POST", f"/v1/admin/reconciliation_exceptions/{exception_id}/resolve",
                            {"resolution": resolution, "reason": reason}, admin=True)

    # ---- merchant ----
    def create_product(self, name: str, price: int, stock: int, currency: str = "USD") -> dict:
        return self.request("POST", "/v1/products", {"name": name, "price": price, "currency": currency, "stock": stock})

    def product(self, product_id: str) -> dict:
        return self.request("GET", f"/v1/products/{product_id}")

    def order(self, product_id: str, customer_id: str, quantity: int = 1, key: str | None = None) -> dict:
        return self.request("POST", "/v1/orders", {"product_id": product_id, "quantity": quantity,
                            "customer_id": customer_id}, idempotency_key=key or str(uuid.uuid4()))

    def get_order(self, order_id: str) -> dict:
        return self.request("GET", f"/v1/orders/{order_id}")

    def payout(self, amount: int, beneficiary: dict | str, currency: str = "PKR", key: str | None = None,
               **fields) -> dict:
        """``beneficiary``: a dict as the API takes it, or an account number at HBL (Pakistan)."""
        if isinstance(beneficiary, str):
            beneficiary = {"type": "bank_account", "bank_code": "HBL", "account_number": beneficiary,
                           "name": "Test Beneficiary"}
        body = {"amount": amount, "currency": currency, **fields}
        if beneficiary is not None:
            body["beneficiary"] = beneficiary
        return self.request("POST", "/v1/payouts", body, idempotency_key=key or str(uuid.uuid4()))

    def get_payout(self, payout_id: str) -> dict:
        return self.request("GET", f"/v1/payouts/{payout_id}")

    def payouts(self, **params) -> dict:
        return self.request("GET", "/v1/payouts", params=params)

    def cancel_payout(self, payout_id: str) -> dict:
        return self.request("POST", f"/v1/payouts/{payout_id}/cancel")

    def reinitiate_payout(self, payout_id: str, key: str | None = None) -> dict:
        return self.request("POST", f"/v1/payouts/{payout_id}/reinitiate", idempotency_key=key or str(uuid.uuid4()))

    def decide_payout(self, merchant_id: str, payout_id: str, decision: str, note: str | None = None) -> dict:
        """Admin: ``decision`` is ``approve`` or ``reject``."""
        return self.request("POST", f"/v1/admin/merchants/{merchant_id}/payouts/{payout_id}/{decision}",
                            {"note": note} if note else None, admin=True)

    def top_up(self, merchant_id: str, amount: int, currency: str = "PKR", key: str | None = None) -> dict:
        return self.request("POST", "/v1/admin/balances/top_up", {"merchant_id": merchant_id, "currency": currency,
                            "amount": amount}, idempotency_key=key or str(uuid.uuid4()), admin=True)

    # ---- mobile-money payments (Ghana) ----
    def fund_float(self, merchant_id: str, provider: str, amount: int, key: str | None = None) -> dict:
        return self.request("POST", "/v1/admin/floats/top_up", {"merchant_id": merchant_id, "provider": provider,
                            "currency": "GHS", "amount": amount}, idempotency_key=key or str(uuid.uuid4()), admin=True)

    def pay(self, amount: int, phone: str, name: str = "Ama Mensah", key: str | None = None, network: str | None = None,
            **fields) -> dict:
        recipient = {"phone": phone, "name": name} | ({"network": network} if network else {})
        return self.request("POST", "/v1/payments", {"amount": amount, "currency": "GHS", "recipient": recipient,
                            **fields}, idempotency_key=key or str(uuid.uuid4()))

    def payment(self, payment_id: str) -> dict:
        return self.request("GET", f"/v1/payments/{payment_id}")

    def payments(self, **params) -> dict:
        return self.request("GET", "/v1/payments", params=params)

    def cancel_payment(self, payment_id: str) -> dict:
        return self.request("POST", f"/v1/payments/{payment_id}/cancel")

    def refund_payment(self, payment_id: str) -> dict:
        return self.request("POST", f"/v1/payments/{payment_id}/refund")

    def payout_settings(self, merchant_id: str, **body) -> dict:
        return self.request("POST", f"/v1/admin/merchants/{merchant_id}/payout_settings", body, admin=True)

    def directory(self, **params) -> dict:
        return self.request("GET", "/v1/directory", params=params)

    def verify_account(self, beneficiary: dict) -> dict:
        return self.request("POST", "/v1/account_verifications", {"beneficiary": beneficiary})

    def save_beneficiary(self, beneficiary: dict, nickname: str | None = None, key: str | None = None) -> dict:
        body = {"beneficiary": beneficiary} | ({"nickname": nickname} if nickname else {})
        return self.request("POST", "/v1/beneficiaries", body, idempotency_key=key)

    def beneficiary(self, beneficiary_id: str) -> dict:
        return self.request("GET", f"/v1/beneficiaries/{beneficiary_id}")

    def beneficiaries(self, **params) -> dict:
        return self.request("GET", "/v1/beneficiaries", params=params)

    def disable_beneficiary(self, beneficiary_id: str) -> dict:
        return self.request("POST", f"/v1/beneficiaries/{beneficiary_id}/disable")

    def reserve(self, amount: int, beneficiary: dict | None, currency: str = "INR", key: str | None = None,
                **fields) -> dict:
        body = {"amount": amount, "currency": currency, **fields} | ({"beneficiary": beneficiary} if beneficiary else {})
        return self.request("POST", "/v1/reservations", body, idempotency_key=key or str(uuid.uuid4()))

    def reservation(self, reservation_id: str) -> dict:
        return self.request("GET", f"/v1/reservations/{reservation_id}")

    def fulfil(self, reservation_id: str, amount: int | None = None) -> tuple[int, dict]:
        """``(status, body)`` of a fulfil, errors included (200, 202, 4xx, 502, 504 all carry an answer)."""
        h = {"content-type": "application/json", "x-api-key": self.api_key}
        r = self.http.post(f"{self.url}/v1/reservations/{reservation_id}/fulfil", headers=h, timeout=self.timeout,
                           json={"amount": amount} if amount is not None else None)
        return r.status_code, r.json()

    def balances(self, currency: str = "USD") -> dict:
        return self.request("GET", "/v1/balances", params={"currency": currency})

    def wallet(self, customer_id: str, currency: str = "USD") -> dict:
        return self.request("GET", f"/v1/customers/{customer_id}/wallets/{currency}")

    def wallet_history(self, customer_id: str, currency: str = "USD", limit: int = 10,
                       starting_after: int | None = None) -> dict:
        params = {"limit": limit} | ({"starting_after": starting_after} if starting_after is not None else {})
        return self.request("GET", f"/v1/customers/{customer_id}/wallets/{currency}/history", params=params)

    def settlement(self, start: str, end: str) -> dict:
        return self.request("POST", "/v1/settlements", {"from": start, "to": end})

    def settlement_get(self, job_id: str) -> dict:
        return self.request("GET", f"/v1/settlements/{job_id}")

    def settlement_cancel(self, job_id: str) -> dict:
        return self.request("POST", f"/v1/settlements/{job_id}/cancel")

    # ---- webhooks and events ----
    def create_webhook_endpoint(self, url: str, enabled_events: list[str] | None = None, **fields) -> dict:
        return self.request("POST", "/v1/webhook_endpoints", {"url": url, "enabled_events": enabled_events or ["*"],
                                                              **fields})

    def webhook_endpoint(self, endpoint_id: str) -> dict:
        return self.request("GET", f"/v1/webhook_endpoints/{endpoint_id}")

    def update_webhook_endpoint(self, endpoint_id: str, **fields) -> dict:
        return self.request("POST", f"/v1/webhook_endpoints/{endpoint_id}", fields)

    def delete_webhook_endpoint(self, endpoint_id: str) -> dict:
        return self.request("DELETE", f"/v1/webhook_endpoints/{endpoint_id}")

    def rotate_webhook_secret(self, endpoint_id: str) -> dict:
        return self.request("POST", f"/v1/webhook_endpoints/{endpoint_id}/rotate_secret")

    def webhook_attempts(self, endpoint_id: str, limit: int = 100, starting_after: str | None = None) -> dict:
        params = {"limit": limit} | ({"starting_after": starting_after} if starting_after else {})
        return self.request("GET", f"/v1/webhook_endpoints/{endpoint_id}/attempts", params=params)

    def recover_webhook_endpoint(self, endpoint_id: str, since: str, idempotency_key: str | None = None) -> dict:
        """Re-send the endpoint's FAILED deliveries of events since ``since`` (a recovery job)."""
        return self.request("POST", f"/v1/webhook_endpoints/{endpoint_id}/recover", {"since": since},
                            idempotency_key=idempotency_key or f"recover-{uuid.uuid4()}")

    def webhook_recovery(self, endpoint_id: str, recovery_id: str) -> dict:
        return self.request("GET", f"/v1/webhook_endpoints/{endpoint_id}/recoveries/{recovery_id}")

    def events(self, limit: int = 100, starting_after: str | None = None, event_type: str | None = None,
               delivery_success: bool | None = None) -> dict:
        params = {"limit": limit} | ({"starting_after": starting_after} if starting_after else {}) | (
            {"type": event_type} if event_type else {}) | (
            {"delivery_success": str(delivery_success).lower()} if delivery_success is not None else {})
        return self.request("GET", "/v1/events", params=params)

    def all_events(self, event_type: str | None = None) -> list[dict]:
        """Every event of the merchant, newest first (follows the cursor)."""
        out, after = [], None
        while True:
            page = self.events(100, after, event_type)
            out += page["data"]
            if not page["has_more"]:
                return out
            after = out[-1]["event_id"]

    def event(self, event_id: str) -> dict:
        return self.request("GET", f"/v1/events/{event_id}")

    def redeliver(self, event_id: str, endpoint_id: str | None = None) -> dict:
        return self.request("POST", f"/v1/events/{event_id}/redeliver", {"endpoint_id": endpoint_id} if endpoint_id else None)
