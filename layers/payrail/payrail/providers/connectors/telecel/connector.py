"""Telecel Cash (Ghana, GHS; formerly Vodafone Cash).

**No public API document was found** for Telecel Cash disbursements (Telecel Ghana exposes
its wallet to aggregators under contract; searches of public documentation found only
aggregators' own APIs, e.g. Flutterwave's and Tranzzo's "MOBILE_VODAFONE" payouts). This connector
implements a **documented, assumed shape**, kept deliberately close to the other two so that the
real contract's differences stay in this module:

* Authentication: ``X-Api-Key`` (secret) and ``X-Merchant-Id`` on every request.
* Disbursement: ``POST /v1/disbursements`` ``{reference (UUID, the idempotency key), msisdn
  ("233…"), amount (decimal string, cedis), currency: "GHS", narration}`` -> 201 ``{reference,
  transaction_id, status: PENDING | SUCCESS | FAILED, reason}``; a repeated reference answers 409
  and creates nothing; a refusal for lack of float answers 422 ``{code: "INSUFFICIENT_FLOAT",
  message}`` and creates nothing; other refusals 4xx ``{code, message}``.
* Status: ``GET /v1/disbursements/{reference}`` -> the same body; 404 when never received.
* Reversal: ``POST /v1/disbursements/{reference}/reversals`` ``{reference (UUID), amount}`` ->
  201 ``{reference, status, reason}``; ``GET /v1/reversals/{reference}``.
* Balance: ``GET /v1/balance`` -> ``{available, currency}`` (decimal string).
* Callbacks: ``X-Telecel-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``
  over ``{event, data: <disbursement>}``; older than ``callback_tolerance_seconds`` is refused.
"""
from __future__ import annotations

import hashlib
import hmac

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackHint, CallbackRejected, ConnectorSettings, ConnectorUnavailable,
                                     INSUFFICIENT_FLOAT, OutcomeUnknown, ProviderStatus, TransferRejected,
                                     TransferRequest, TransferResult, callback_body,
                                     callback_header, check_fresh, hex_sha256, unix_time)
from payrail.providers.connectors.momo import MomoBase, capabilities

CAPABILITIES = capabilities(sends_callbacks=True)
STATUSES = {"SUCCESS": ProviderStatus.SUCCESS, "FAILED": ProviderStatus.FAILED, "PENDING": ProviderStatus.PENDING}


class TelecelSettings(ConnectorSettings):
    """The API key, merchant id and callback signing secret (assumed shape, see the module docstring)."""

    secret_fields = ("merchant_id", "api_key", "callback_secret")

    base_url: HttpUrl = HttpUrl("https://api.telecel.com.gh/cash")
    merchant_id: str
    api_key: SecretStr
    callback_secret: SecretStr
    callback_tolerance_seconds: int = 300


class TelecelConnector(MomoBase):
    """Client of Telecel Cash disbursements (assumed shape; see the module docstring)."""

    name = "telecel"
    network = "TELECEL"
    capabilities = CAPABILITIES
    callback_headers = ("X-Telecel-Signature",)

    def _headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.settings.api_key.get_secret_value(), "X-Merchant-Id": self.settings.merchant_id}

    def submit(self, req: TransferRequest) -> TransferResult:
        """Raises TransferRejected (``insufficient_float`` on 422 INSUFFICIENT_FLOAT), ConnectorUnavailable,
        OutcomeUnknown."""
        rcpt = self.recipient(req)
        body = {"reference": self.transfer_key(req.transfer_id), "msisdn": rcpt.msisdn,
                "amount": amounts.major_text(req.amount, "GHS"), "currency": "GHS",
                "narration": (req.remarks or "payrail")[:100]}
        r = self.http.call("POST", "/v1/disbursements", mutating=True, headers=self._headers(),
                           body=amounts.dumps(body))
        if r.status == 409:
            existing = self.status(req.transfer_id)
            if existing.status == ProviderStatus.NOT_FOUND:
                raise OutcomeUnknown(f"telecel: 409 for {req.transfer_id} but no such disbursement")
            return existing
        if 400 <= r.status < 500:
            code, message = r.error()
            raise TransferRejected(INSUFFICIENT_FLOAT if code == "INSUFFICIENT_FLOAT" else code, message, r.status)
        return self.result(req.transfer_id, amounts.loads(r.body))

    def status(self, transfer_id: str) -> TransferResult:
        return self._get(f"/v1/disbursements/{self.transfer_key(transfer_id)}", transfer_id)

    def _get(self, path: str, transfer_id: str) -> TransferResult:
        r = self.http.call("GET", path, mutating=False, headers=self._headers())
        if r.status == 404:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        if r.status != 200:
            raise ConnectorUnavailable(f"telecel: lookup answered {r.status}")
        return self.result(transfer_id, amounts.loads(r.body))

    @staticmethod
    def result(transfer_id: str, d: dict) -> TransferResult:
        raw = str(d.get("status") or "PENDING")
        status = STATUSES.get(raw, ProviderStatus.PENDING)
        amount = d.get("amount")
        return TransferResult(transfer_id=transfer_id, status=status,
                              reason=str(d.get("reason") or raw) if status == ProviderStatus.FAILED else None,
                              provider_reference=d.get("transaction_id") or None, provider_status=raw,
                              amount=amounts.from_major(amount, "GHS") if amount else None)

    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        body = {"reference": self.transfer_key(reversal_id), "amount": amounts.major_text(amount, "GHS")}
        r = self.http.call("POST", f"/v1/disbursements/{self.transfer_key(transfer_id)}/reversals", mutating=True,
                           headers=self._headers(), body=amounts.dumps(body))
        if r.status == 409:
            return self.reversal_status(reversal_id)
        if 400 <= r.status < 500:
            raise r.rejected()
        return self.result(reversal_id, amounts.loads(r.body))

    def reversal_status(self, reversal_id: str) -> TransferResult:
        return self._get(f"/v1/reversals/{self.transfer_key(reversal_id)}", reversal_id)

    def balance(self) -> int:
        r = self.http.call("GET", "/v1/balance", mutating=False, headers=self._headers())
        if r.status != 200:
            raise ConnectorUnavailable(f"telecel: balance answered {r.status}")
        return amounts.from_major(amounts.loads(r.body)["available"], "GHS")

    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Check ``X-Telecel-Signature`` and its age against ``now``. Raises CallbackRejected."""
        sig = callback_header(headers, "X-Telecel-Signature", self.name)
        parts = dict(p.strip().split("=", 1) for p in sig.split(",") if "=" in p)
        if "t" not in parts or "v1" not in parts:
            raise CallbackRejected("telecel: unsigned callback")
        ts = int(unix_time(parts["t"], self.name))
        check_fresh(ts, now, self.settings.callback_tolerance_seconds, self.name)
        given = hex_sha256(parts["v1"], self.name)
        expected = hmac.new(self.settings.callback_secret.get_secret_value().encode(), f"{ts}.".encode() + raw_body,
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, given):
            raise CallbackRejected("telecel: bad signature")
        with callback_body(self.name):
            event = amounts.loads(raw_body)
            d = event["data"]
            key = str(d["reference"])
            result = self.result(key, d)
            return CallbackHint(transfer_key=key, status=result.status, reason=result.reason,
                                provider_reference=result.provider_reference, event_type=event.get("event"))
