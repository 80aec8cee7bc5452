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

Reconciliation source: ``settlement_file``. The Open API documents a transaction enquiry per id and
no list of transactions; its answer carries no amount, so a lookup could never show an amount
mismatch. The merchant's daily statement (an export of the disbursement wallet's transactions) is
the record; its columns are **assumed** (no public document; the names are the Open API's), CSV with
a header::

    transaction_id           payrail's key (transaction.id, uuid5 of payrail's id)
    airtel_money_id          Airtel's reference
    type                     B2C | REFUND
    amount                   cedis, a decimal ("12.50")
    currency                 GHS
    status                   TS | TF | TE | TIP | TA
    transaction_date         when it reached that status (ISO 8601 with zone)
    original_transaction_id  a refund: the transaction id of the disbursement refunded

The request and response shapes and their mapping to payrail's types are in :mod:`.transformers`.
"""
from __future__ import annotations


from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.airteltigo import transformers
from payrail.providers.connectors.base import (INSUFFICIENT_FLOAT, CallbackHint, ConnectorSettings, OutcomeUnknown,
                                               ProviderStatus, TransferRejected, TransferRequest, TransferResult,
                                               base64_sha256, callback_header)
from payrail.providers.connectors.http import Response
from payrail.providers.connectors.momo import MomoBase, Paths, capabilities

CAPABILITIES = capabilities(sends_callbacks=True)


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

    name, network = "airteltigo", "AT"
    callback_headers = ("X-Signature",)
    paths = Paths(transfer="/standard/v2/disbursements/{key}", reversal="/standard/v2/payments/refund/{key}",
                  balance="/standard/v1/users/balance", lookup_params={"transactionType": "B2C"})
    wire = transformers

    def _token(self) -> tuple[str, int]:
        s = self.settings
        return self.token("/auth/oauth2/token", {}, {"client_id": s.client_id,
                                                     "client_secret": s.client_secret.get_secret_value(),
                                                     "grant_type": "client_credentials"})

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bearer(self._token)}", "X-Country": self.settings.country,
                "X-Currency": "GHS"}

    def missing(self, r: Response) -> bool:
        return transformers.envelope(r.body, lenient=True).code in transformers.NOT_FOUND_CODES

    def submit(self, req: TransferRequest) -> TransferResult:
        """Raises TransferRejected (``insufficient_float`` when AT lacks float), ConnectorUnavailable, OutcomeUnknown."""
        rcpt = self.recipient(req)
        body = transformers.disbursement(req, rcpt, self.transfer_key(req.transfer_id),
                                         self.settings.pin.get_secret_value())
        r = self.http.call("POST", "/standard/v2/disbursements/", mutating=True, headers=self.headers(),
                           body=amounts.dumps(body.model_dump(exclude_none=True)))
        if 400 <= r.status < 500:
            env = transformers.envelope(r.body, lenient=True)
            if env.code in transformers.NO_FLOAT_CODES:
                raise TransferRejected(INSUFFICIENT_FLOAT, env.message or "no float", r.status)
            raise TransferRejected(env.code or f"http_{r.status}", str(env.message or r.error()[1]), r.status)
        if not 200 <= r.status < 300:
            raise OutcomeUnknown(f"airteltigo answered {r.status}")
        return transformers.transfer_result(req.transfer_id, r.body)

    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        """Refund the paid transfer by its ``airtel_money_id`` (see the assumptions). Raises
        TransferRejected (``not_reversible`` unless it is paid), ConnectorUnavailable, OutcomeUnknown."""
        paid = self.status(transfer_id)
        if paid.status != ProviderStatus.SUCCESS or not paid.provider_reference:
            raise TransferRejected("not_reversible", f"transfer is {paid.status.value} at airteltigo")
        body = transformers.refund(paid.provider_reference, self.transfer_key(reversal_id))
        r = self.http.call("POST", "/standard/v2/payments/refund", mutating=True, headers=self.headers(),
                           body=amounts.dumps(body.model_dump(exclude_none=True)))
        if 400 <= r.status < 500:
            raise r.rejected()
        if not 200 <= r.status < 300:
            raise OutcomeUnknown(f"airteltigo: refund answered {r.status}")
        return transformers.transfer_result(reversal_id, r.body)

    # -- callbacks: X-Signature = base64 HMAC-SHA256(callback secret, raw body) ----------------
    def callback_signature(self, headers: dict[str, str]) -> bytes:
        return base64_sha256(callback_header(headers, "X-Signature", self.name), self.name)

    def callback_message(self, headers: dict[str, str], raw_body: bytes, now: float) -> bytes:
        return raw_body  # Airtel signs the body only, with no time

    def read_callback(self, headers: dict[str, str], body) -> CallbackHint:
        """The callback's transfer (body-only signature, no timestamp: replays are bounded by the
        payment instead, see the module docstring)."""
        return transformers.callback_hint(body)
