"""The payrail sandbox provider: a local HTTP service shaped after Cashfree Payouts V2
(``POST /payout/transfers``, ``GET /payout/transfers/{transfer_id}``; cashfree.com/docs payouts),
with amounts in integer minor units.

Deterministic scenarios by the beneficiary account number's suffix (seed 003):
``0001`` succeeds, ``0002`` answers 503 on the first submission then succeeds, ``0003`` fails.
"""
from __future__ import annotations

import requests

from payrail.http_client import session
from payrail.providers.base import ProviderResult, ProviderTransientError


class SandboxProvider:
    """Client of the sandbox service at ``base_url`` (one attempt per call: the payout
    workflow owns retries and backoff)."""

    name = "sandbox"

    def __init__(self, base_url: str, timeout_seconds: float = 5.0):
        self.base = base_url.rstrip("/")
        self.timeout = timeout_seconds
        self.http = session(attempts=1)

    def _call(self, method: str, path: str, **kw) -> dict | None:
        try:
            r = self.http.request(method, self.base + path, timeout=self.timeout, **kw)
        except requests.RequestException as e:
            raise ProviderTransientError(f"sandbox unreachable: {type(e).__name__}") from e
        if r.status_code == 404:
            return None
        if r.status_code in (429,) or r.status_code >= 500:
            raise ProviderTransientError(f"sandbox answered {r.status_code}")
        if r.status_code >= 400:
            return {"status": "FAILED", "reason": f"rejected ({r.status_code}): {r.text[:200]}"}
        return r.json()

    @staticmethod
    def _result(body: dict | None) -> ProviderResult:
        if body is None:
            return ProviderResult("NOT_FOUND")
        status = {"SUCCESS": "SUCCESS", "FAILED": "FAILED", "REJECTED": "FAILED", "REVERSED": "FAILED"}.get(
            body.get("status"), "PENDING")
        return ProviderResult(status, body.get("cf_transfer_id"), body.get("reason"))

    def submit(self, transfer_id: str, amount: int, currency: str, beneficiary: dict) -> ProviderResult:
        return self._result(self._call("POST", "/payout/transfers", json={
            "transfer_id": transfer_id, "transfer_amount": amount, "transfer_currency": currency,
            "beneficiary_details": {"bank_account_number": beneficiary.get("account_number"),
                                    "bank_ifsc": beneficiary.get("bank_code"), "name": beneficiary.get("name")}}))

    def status(self, transfer_id: str) -> ProviderResult:
        return self._result(self._call("GET", f"/payout/transfers/{transfer_id}"))
