"""AirtelTigo Money (AT Money, Ghana, GHS).

AT Ghana publishes no developer documentation of its own; AirtelTigo was Airtel Ghana and Tigo
Ghana combined, and its wallet platform is Airtel Africa's. This connector therefore follows the
**Airtel Africa Open API** (developers.airtel.africa) for Ghana (``X-Country: GH``,
``X-Currency: GHS``) — an assumption, labelled as such:

* Token: ``POST /auth/oauth2/token`` ``{client_id, client_secret, grant_type: "client_credentials"}``
  -> ``{access_token, expires_in, token_type: "bearer"}``.
* Disbursement: ``POST /standard/v2/disbursements/`` with ``Authorization: Bearer``,
  ``X-Country``, ``X-Currency``; body ``{payee: {msisdn, wallet_type: "NORMAL"}, reference,
  pin, transaction: {amount, id, type: "B2C"}}`` -> ``{data: {transaction: {reference_id,
  airtel_money_id, id, status, message}}, status: {response_code, code, success, result_code,
  message}}``. ``transaction.id`` is the idempotency key (a repeat answers the existing one).
* Enquiry: ``GET /standard/v2/disbursements/{id}?transactionType=B2C`` -> the same envelope
  with ``transaction.status`` ``TS`` (success), ``TF`` (failed), ``TIP`` / ``TA`` (in progress),
  ``TE`` (expired = failed).
* Refund: ``POST /standard/v2/payments/refund`` ``{transaction: {airtel_money_id}}`` (documented
  for collections; used for reversing a disbursement here — an assumption), enquiry
  ``GET /standard/v2/payments/refund/{id}`` (assumed).
* Balance: ``GET /standard/v1/users/balance`` -> ``{data: {balance, currency, account_status}}``.
* Callbacks: ``{transaction: {id, message, status_code, airtel_money_id}}``; with callback
  authentication enabled Airtel signs them: payrail checks ``X-Signature`` = base64
  HMAC-SHA256(callback secret, raw body) (the header name is assumed).

**Replays.** The signature covers the body only: no timestamp, no event id. A callback captured
once stays authentic forever and cannot be dated, so unlike Cashfree's or Telecel's no freshness
window can refuse it. That is harmless by design, and this is why:

* a callback is a hint, never a verdict: payrail asks the enquiry API and applies *its* answer
  with the payment's guarded transitions (``payrail.providers.callbacks``), so a replay moves no money;
* it names one transfer by ``transaction.id``, the uuid5 of one payment route's transfer id, which
  is never reused: a replay cannot touch a later payment (a transfer created after the callback
  was sent), and one naming another than the payment's current transfer is ignored;
* a callback for a payment whose outcome is already known — CONFIRMED or REFUNDED, or ended
  (FAILED, EXPIRED, CANCELLED) with the provider's final late answer recorded — is acknowledged
  (``no_change``) and ignored **without an enquiry** (``Payments.outcome_known``), so replays
  cannot drive lookups at AirtelTigo. A payment still held costs one enquiry per callback, and is
  held at most ``TRANSACTION_TIMEOUT_SECONDS``; one that ended unpaid costs one more, which
  records the late answer for an operator.

Further assumptions: ``transaction.id`` = uuid5 of payrail's transfer id; ``msisdn`` without the
country code (``241234561``); ``pin`` holds the disbursement PIN already encrypted with Airtel's
RSA public key (as the portal's tool produces it); an unknown id answers 404 or
``status.response_code`` ``DP00900001012``; a refusal for lack of float answers 400 with
``status.response_code`` ``DP00900001007`` and nothing is created.
"""
from __future__ import annotations

import hashlib
import hmac

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackHint, CallbackRejected, ConnectorSettings, ConnectorUnavailable,
                                     INSUFFICIENT_FLOAT, OutcomeUnknown, ProviderStatus, TransferRejected,
                                     TransferRequest, TransferResult, base64_sha256,
                                     callback_body, callback_header)
from payrail.providers.connectors.momo import MomoBase, capabilities

CAPABILITIES = capabilities(sends_callbacks=True)
STATUSES = {"TS": ProviderStatus.SUCCESS, "TF": ProviderStatus.FAILED, "TE": ProviderStatus.FAILED,
            "TIP": ProviderStatus.PENDING, "TA": ProviderStatus.PENDING, "SUCCESS": ProviderStatus.SUCCESS,
            "FAILED": ProviderStatus.FAILED}
NOT_FOUND_CODES = {"DP00900001012"}
NO_FLOAT_CODES = {"DP00900001007"}


class AirtelTigoSettings(ConnectorSettings):
    """OAuth client credentials, the encrypted disbursement PIN and the callback secret."""

    secret_fields = ("client_id", "client_secret", "pin", "callback_secret")

    base_url: HttpUrl = HttpUrl("https://openapiuat.airtel.africa")
    client_id: str
    client_secret: SecretStr
    pin: SecretStr
    callback_secret: SecretStr
    country: str = "GH"


class AirtelTigoConnector(MomoBase):
    """Client of AirtelTigo Money through the Airtel Africa Open API shape (see the module docstring)."""

    name = "airteltigo"
    network = "AT"
    capabilities = CAPABILITIES
    callback_headers = ("X-Signature",)

    def _token(self) -> tuple[str, int]:
        s = self.settings
        r = self.http.call("POST", "/auth/oauth2/token", mutating=False, headers={}, body=amounts.dumps(
            {"client_id": s.client_id, "client_secret": s.client_secret.get_secret_value(),
             "grant_type": "client_credentials"}))
        if r.status != 200:
            raise ConnectorUnavailable(f"airteltigo: token answered {r.status}")
        body = amounts.loads(r.body)
        return body["access_token"], int(body.get("expires_in") or 3600)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bearer(self._token)}", "X-Country": self.settings.country,
                "X-Currency": "GHS"}

    @staticmethod
    def _code(body: dict) -> str:
        return str((body.get("status") or {}).get("response_code") or "")

    def submit(self, req: TransferRequest) -> TransferResult:
        """Raises TransferRejected (``insufficient_float`` when AT lacks float), ConnectorUnavailable, OutcomeUnknown."""
        rcpt = self.recipient(req)
        key = self.transfer_key(req.transfer_id)
        body = {"payee": {"msisdn": rcpt.phone[4:], "wallet_type": "NORMAL"},
                "reference": (req.remarks or "payrail")[:64], "pin": self.settings.pin.get_secret_value(),
                "transaction": {"amount": amounts.to_major(req.amount, "GHS"), "id": key, "type": "B2C"}}
        r = self.http.call("POST", "/standard/v2/disbursements/", mutating=True, headers=self._headers(),
                           body=amounts.dumps(body))
        data = self._json(r.body)
        if 400 <= r.status < 500:
            if self._code(data) in NO_FLOAT_CODES:
                raise TransferRejected(INSUFFICIENT_FLOAT, (data.get("status") or {}).get("message") or "no float",
                                       r.status)
            raise TransferRejected(self._code(data) or f"http_{r.status}",
                                   str((data.get("status") or {}).get("message") or r.error()[1]), r.status)
        if not 200 <= r.status < 300:
            raise OutcomeUnknown(f"airteltigo answered {r.status}")
        return self.result(req.transfer_id, data)

    def status(self, transfer_id: str) -> TransferResult:
        return self._enquire(f"/standard/v2/disbursements/{self.transfer_key(transfer_id)}", transfer_id)

    def _enquire(self, path: str, transfer_id: str) -> TransferResult:
        r = self.http.call("GET", path, mutating=False, headers=self._headers(), params={"transactionType": "B2C"})
        data = self._json(r.body)
        if r.status == 404 or self._code(data) in NOT_FOUND_CODES:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        if r.status != 200:
            raise ConnectorUnavailable(f"airteltigo: enquiry answered {r.status}")
        return self.result(transfer_id, data)

    @staticmethod
    def _json(raw: bytes) -> dict:
        try:
            body = amounts.loads(raw or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    @staticmethod
    def result(transfer_id: str, body: dict) -> TransferResult:
        t = (body.get("data") or {}).get("transaction") or body.get("transaction") or {}
        raw = str(t.get("status") or t.get("status_code") or "TIP")
        status = STATUSES.get(raw, ProviderStatus.PENDING)
        return TransferResult(transfer_id=transfer_id, status=status,
                              reason=str(t.get("message") or raw) if status == ProviderStatus.FAILED else None,
                              provider_reference=t.get("airtel_money_id") or t.get("reference_id") or None,
                              provider_status=raw)

    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        paid = self.status(transfer_id)
        if paid.status != ProviderStatus.SUCCESS or not paid.provider_reference:
            raise TransferRejected("not_reversible", f"transfer is {paid.status.value} at airteltigo")
        r = self.http.call("POST", "/standard/v2/payments/refund", mutating=True, headers=self._headers(),
                           body=amounts.dumps({"transaction": {"airtel_money_id": paid.provider_reference,
                                                               "id": self.transfer_key(reversal_id)}}))
        if 400 <= r.status < 500:
            raise r.rejected()
        if not 200 <= r.status < 300:
            raise OutcomeUnknown(f"airteltigo: refund answered {r.status}")
        return self.result(reversal_id, self._json(r.body))

    def reversal_status(self, reversal_id: str) -> TransferResult:
        return self._enquire(f"/standard/v2/payments/refund/{self.transfer_key(reversal_id)}", reversal_id)

    def balance(self) -> int:
        r = self.http.call("GET", "/standard/v1/users/balance", mutating=False, headers=self._headers())
        if r.status != 200:
            raise ConnectorUnavailable(f"airteltigo: balance answered {r.status}")
        return amounts.from_major(str(self._json(r.body)["data"]["balance"]), "GHS")

    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Check ``X-Signature`` (base64 HMAC-SHA256 of the raw body; no timestamp, so ``now`` is
        unused and replays are bounded by the payment instead: see the module docstring).
        Raises CallbackRejected."""
        sig = base64_sha256(callback_header(headers, "X-Signature", self.name), self.name)
        expected = hmac.new(self.settings.callback_secret.get_secret_value().encode(), raw_body, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, sig):
            raise CallbackRejected("airteltigo: bad signature")
        with callback_body(self.name):
            t = self._json(raw_body)["transaction"]
            key = str(t["id"])
            result = self.result(key, {"transaction": t})
            return CallbackHint(transfer_key=key, status=result.status, reason=result.reason,
                                provider_reference=result.provider_reference, event_type="disbursement")
