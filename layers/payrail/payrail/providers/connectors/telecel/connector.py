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

Reconciliation source: ``settlement_file`` (assumed, like the API): no list endpoint is known, and
a mobile-money operator's merchant gets a daily settlement statement of its wallet. Its columns
(**assumed**), CSV with a header::

    reference           payrail's key (the disbursement's or reversal's reference, uuid5 of payrail's id)
    transaction_id      Telecel's reference
    type                DISBURSEMENT | REVERSAL
    amount              cedis, a decimal ("12.50")
    currency            GHS
    status              SUCCESS | FAILED | PENDING
    booked_at           when it reached that status (ISO 8601 with zone)
    original_reference  a reversal: the reference of the disbursement reversed

The request and response shapes and their mapping to payrail's types are in :mod:`.transformers`.
"""
from __future__ import annotations


from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackHint, CallbackRejected, TimedCallbackSettings,
                                               TransferRequest, TransferResult, callback_header, check_fresh,
                                               hex_sha256, unix_time)
from payrail.providers.connectors.momo import MomoBase, Paths, capabilities
from payrail.providers.connectors.telecel import transformers

CAPABILITIES = capabilities(sends_callbacks=True)


class TelecelSettings(TimedCallbackSettings):
    """The API key, merchant id and callback signing secret (assumed shape, see the module docstring)."""

    secret_fields = ("merchant_id", "api_key", "callback_secret")

    base_url: HttpUrl = HttpUrl("https://api.telecel.com.gh/cash")
    merchant_id: str
    api_key: SecretStr
    callback_secret: SecretStr


class TelecelConnector(MomoBase):
    """Client of Telecel Cash disbursements (assumed shape; see the module docstring)."""

    name, network = "telecel", "TELECEL"
    callback_headers = ("X-Telecel-Signature",)
    paths = Paths(transfer="/v1/disbursements/{key}", reversal="/v1/reversals/{key}", balance="/v1/balance")
    wire = transformers

    def headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.settings.api_key.get_secret_value(), "X-Merchant-Id": self.settings.merchant_id}

    def submit(self, req: TransferRequest) -> TransferResult:
        """A repeated reference (409) is the existing disbursement. Raises TransferRejected
        (``insufficient_float`` on 422 INSUFFICIENT_FLOAT), ConnectorUnavailable, OutcomeUnknown."""
        body = transformers.disbursement(req, self.recipient(req), self.transfer_key(req.transfer_id))
        r = self.http.call("POST", "/v1/disbursements", mutating=True, headers=self.headers(),
                           body=amounts.dumps(body.model_dump()))
        return self.created(req, r, transformers.transfer_result, same_amount=False, refusal=transformers.refusal)

    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        """A repeated reversal reference (409) is the existing reversal. Raises TransferRejected,
        ConnectorUnavailable, OutcomeUnknown."""
        body = transformers.reversal(self.transfer_key(reversal_id), amount)
        r = self.http.call("POST", f"/v1/disbursements/{self.transfer_key(transfer_id)}/reversals", mutating=True,
                           headers=self.headers(), body=amounts.dumps(body.model_dump()))
        if r.status == 409:
            return self.reversal_status(reversal_id)
        if 400 <= r.status < 500:
            raise r.rejected()
        return transformers.transfer_result(reversal_id, r.body)

    # -- callbacks: X-Telecel-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")> --
    def _stamp(self, headers: dict[str, str]) -> dict[str, str]:
        sig = callback_header(headers, "X-Telecel-Signature", self.name)
        parts = dict(p.strip().split("=", 1) for p in sig.split(",") if "=" in p)
        if "t" not in parts or "v1" not in parts:
            raise CallbackRejected("telecel: unsigned callback")
        return parts

    def callback_signature(self, headers: dict[str, str]) -> bytes:
        return hex_sha256(self._stamp(headers)["v1"], self.name)

    def callback_message(self, headers: dict[str, str], raw_body: bytes, now: float) -> bytes:
        ts = int(unix_time(self._stamp(headers)["t"], self.name))
        check_fresh(ts, now, self.settings.callback_tolerance_seconds, self.name)
        return f"{ts}.".encode() + raw_body

    def read_callback(self, headers: dict[str, str], body) -> CallbackHint:
        return transformers.callback_hint(body)
