"""MTN Mobile Money (MoMo) Open API, Disbursement product (Ghana, GHS).

Follows the MoMo Developer portal's documents (momodeveloper.mtn.com, "Disbursement" API,
``v1_0``):

* Token: ``POST /disbursement/token/`` with HTTP Basic auth of the API user and API key and the
  ``Ocp-Apim-Subscription-Key`` header -> ``{access_token, token_type: "access_token",
  expires_in}`` (seconds); the token is cached until a minute before it expires.
* Transfer: ``POST /disbursement/v1_0/transfer`` with ``Authorization: Bearer``,
  ``X-Reference-Id`` (a UUID: the idempotency key; a reused one answers 409
  ``RESOURCE_ALREADY_EXIST``), ``X-Target-Environment``, ``Ocp-Apim-Subscription-Key`` and
  optionally ``X-Callback-Url``; body ``{amount (string), currency, externalId,
  payee: {partyIdType: "MSISDN", partyId}, payerMessage, payeeNote}`` -> 202 with no body.
* Status: ``GET /disbursement/v1_0/transfer/{referenceId}`` -> ``{amount, currency,
  financialTransactionId, externalId, payee, status: PENDING | SUCCESSFUL | FAILED, reason}``;
  404 ``RESOURCE_NOT_FOUND`` when MTN never received the reference.
* Balance: ``GET /disbursement/v1_0/account/balance`` -> ``{availableBalance, currency}`` (the
  health probe, and payrail's float at MTN).
* Errors: ``{code, message}`` with MTN's reason codes (``PAYEE_NOT_FOUND``, ``NOT_ENOUGH_FUNDS``,
  ``NOT_ALLOWED``, ``INTERNAL_PROCESSING_ERROR`` …); a FAILED transfer carries one in ``reason``.
* Callbacks: MTN ``PUT``s the transfer (the status body) to ``X-Callback-Url`` when it is final.
  They are **not signed**, so :meth:`parse_callback` returns only a hint that the caller must
  confirm with :meth:`status` before acting.

Assumptions (labelled; confirm on MTN's sandbox before going live):

* ``X-Reference-Id`` = uuid5(payrail namespace, payrail's transfer id) (``transfer_key``), so a
  retry after a lost answer re-sends the same reference; ``externalId`` = payrail's transfer id
  (how a callback is matched: MTN does not echo the reference in the body).
* ``reason`` arrives as a code string or as ``{code, message}`` (both seen in the wild).
* ``NOT_ENOUGH_FUNDS`` on a FAILED transfer means payrail's disbursement account at MTN lacks
  float: nothing was paid (``failure_code = insufficient_float``), another provider may pay it.
* Reversal: MTN's Disbursement ``POST /disbursement/v1_0/refund`` (``X-Reference-Id`` of the
  refund, body ``{amount, currency, externalId, payerMessage, payeeNote, referenceIdToRefund}``,
  ``GET /disbursement/v1_0/refund/{referenceId}``) is documented for refunding a collection; using
  it to claw back a disbursement is an assumption (otherwise MTN reverses through its back office).
"""
from __future__ import annotations

import base64

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackHint, ConnectorSettings, ConnectorUnavailable,
                                     INSUFFICIENT_FLOAT, OutcomeUnknown, ProviderStatus, TransferRequest,
                                     TransferResult, callback_body)
from payrail.providers.connectors.momo import MomoBase, capabilities

CAPABILITIES = capabilities(sends_callbacks=True)
STATUSES = {"SUCCESSFUL": ProviderStatus.SUCCESS, "FAILED": ProviderStatus.FAILED,
            "REJECTED": ProviderStatus.FAILED, "TIMEOUT": ProviderStatus.FAILED, "PENDING": ProviderStatus.PENDING}
FLOAT_REASONS = {"NOT_ENOUGH_FUNDS"}


class MtnMomoSettings(ConnectorSettings):
    """``api_user`` (a UUID) and ``api_key`` are the API user's credentials, ``subscription_key``
    the Disbursement product's primary key; ``target_environment`` is ``sandbox`` or the
    country's live environment (``mtnghana``)."""

    secret_fields = ("api_user", "api_key", "subscription_key")

    base_url: HttpUrl = HttpUrl("https://sandbox.momodeveloper.mtn.com")
    api_user: str
    api_key: SecretStr
    subscription_key: SecretStr
    target_environment: str = "sandbox"
    callback_url: HttpUrl | None = None


class MtnMomoConnector(MomoBase):
    """Client of MTN MoMo Disbursement (see the module docstring)."""

    name = "mtn_momo"
    network = "MTN"
    capabilities = CAPABILITIES
    callback_headers = ()  # MTN does not sign its callbacks

    def _token(self) -> tuple[str, int]:
        s = self.settings
        basic = base64.b64encode(f"{s.api_user}:{s.api_key.get_secret_value()}".encode()).decode()
        r = self.http.call("POST", "/disbursement/token/", mutating=False,
                           headers={"Authorization": f"Basic {basic}",
                                    "Ocp-Apim-Subscription-Key": s.subscription_key.get_secret_value()})
        if r.status != 200:
            raise ConnectorUnavailable(f"mtn_momo: token answered {r.status}")
        body = amounts.loads(r.body)
        return body["access_token"], int(body.get("expires_in") or 3600)

    def _headers(self, reference: str | None = None) -> dict[str, str]:
        s = self.settings
        h = {"Authorization": f"Bearer {self.bearer(self._token)}", "X-Target-Environment": s.target_environment,
             "Ocp-Apim-Subscription-Key": s.subscription_key.get_secret_value()}
        if reference:
            h["X-Reference-Id"] = reference
            if s.callback_url:
                h["X-Callback-Url"] = str(s.callback_url)
        return h

    # -- transfers ---------------------------------------------------------------------------
    def submit(self, req: TransferRequest) -> TransferResult:
        """Send the disbursement (202), then read it back once. A reused reference (409) is the
        existing transfer. Raises TransferRejected, ConnectorUnavailable, OutcomeUnknown."""
        rcpt = self.recipient(req)
        key = self.transfer_key(req.transfer_id)
        note = (req.remarks or "payrail")[:160]
        body = {"amount": amounts.major_text(req.amount, "GHS"), "currency": "GHS", "externalId": req.transfer_id,
                "payee": {"partyIdType": "MSISDN", "partyId": rcpt.msisdn}, "payerMessage": note, "payeeNote": note}
        r = self.http.call("POST", "/disbursement/v1_0/transfer", mutating=True, headers=self._headers(key),
                           body=amounts.dumps(body))
        if r.status not in (202, 409) and not 200 <= r.status < 300:
            raise r.rejected()
        try:
            result = self.status(req.transfer_id)
        except ConnectorUnavailable:
            return TransferResult(transfer_id=req.transfer_id, status=ProviderStatus.PENDING, provider_status="PENDING")
        if result.status == ProviderStatus.NOT_FOUND:
            raise OutcomeUnknown(f"mtn_momo: accepted {req.transfer_id} ({r.status}) but does not list it yet")
        return result

    def status(self, transfer_id: str) -> TransferResult:
        """Raises ConnectorUnavailable."""
        return self._read(f"/disbursement/v1_0/transfer/{self.transfer_key(transfer_id)}", transfer_id)

    def _read(self, path: str, transfer_id: str) -> TransferResult:
        r = self.http.call("GET", path, mutating=False, headers=self._headers())
        if r.status == 404:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        if r.status != 200:
            raise ConnectorUnavailable(f"mtn_momo: lookup answered {r.status}: {r.error()[1]}")
        return self.result(transfer_id, amounts.loads(r.body))

    @staticmethod
    def result(transfer_id: str, t: dict) -> TransferResult:
        raw = str(t.get("status") or "PENDING")
        status = STATUSES.get(raw, ProviderStatus.PENDING)
        reason = t.get("reason")
        if isinstance(reason, dict):
            reason = reason.get("code") or reason.get("message")
        if status == ProviderStatus.FAILED:
            reason = str(reason or raw)
        amount = t.get("amount")
        return TransferResult(transfer_id=transfer_id, status=status, reason=reason if status == ProviderStatus.FAILED
                              else None, provider_reference=t.get("financialTransactionId") or None,
                              provider_status=raw, amount=amounts.from_major(amount, "GHS") if amount else None,
                              failure_code=INSUFFICIENT_FLOAT if reason in FLOAT_REASONS else None)

    # -- reversal and balance ----------------------------------------------------------------
    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        """Refund ``amount`` of a paid transfer (see the assumptions). Raises TransferRejected,
        ConnectorUnavailable, OutcomeUnknown."""
        key = self.transfer_key(reversal_id)
        body = {"amount": amounts.major_text(amount, "GHS"), "currency": "GHS", "externalId": reversal_id,
                "payerMessage": "reversal", "payeeNote": "reversal",
                "referenceIdToRefund": self.transfer_key(transfer_id)}
        r = self.http.call("POST", "/disbursement/v1_0/refund", mutating=True, headers=self._headers(key),
                           body=amounts.dumps(body))
        if r.status not in (202, 409) and not 200 <= r.status < 300:
            raise r.rejected()
        return self.reversal_status(reversal_id)

    def reversal_status(self, reversal_id: str) -> TransferResult:
        return self._read(f"/disbursement/v1_0/refund/{self.transfer_key(reversal_id)}", reversal_id)

    def balance(self) -> int:
        r = self.http.call("GET", "/disbursement/v1_0/account/balance", mutating=False, headers=self._headers())
        if r.status != 200:
            raise ConnectorUnavailable(f"mtn_momo: balance answered {r.status}")
        return amounts.from_major(amounts.loads(r.body)["availableBalance"], "GHS")

    # -- callbacks ---------------------------------------------------------------------------
    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Read MTN's (unsigned) callback: the transfer body with ``externalId`` = payrail's
        transfer id. A hint only: confirm with :meth:`status`. Raises CallbackRejected (malformed)."""
        with callback_body(self.name):
            t = amounts.loads(raw_body)
            transfer_id = str(t["externalId"])
            result = self.result(transfer_id, t)
            return CallbackHint(transfer_key=self.transfer_key(transfer_id), transfer_id=transfer_id,
                                status=result.status, reason=result.reason,
                                provider_reference=result.provider_reference, event_type="disbursement.transfer")
