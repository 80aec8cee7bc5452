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

Reconciliation source: ``status_lookup``. The Open API documents no list or statement endpoint for
Disbursement (token, transfer, transfer status, refund, balance, account holder); the transfer
status carries the amount, currency, status and ``externalId`` (payrail's id), so each transfer is
looked up (``statements.from_status``). The partner portal's **transaction history report**
includes ``externalId`` ("External id is used for reconciliation. The external id will be included
in transaction history report", Transfer's request body) and can be dropped as a settlement file;
its other columns are **assumed**, after the transfer's fields, CSV with a header::

    financialTransactionId  MTN's reference
    externalId              payrail's transfer id (a refund: payrail's reversal id)
    referenceId             the X-Reference-Id (payrail's key)
    type                    TRANSFER | REFUND
    amount                  cedis, a decimal ("12.50")
    currency                GHS
    status                  SUCCESSFUL | FAILED | PENDING | ...
    timestamp               when it reached that status (ISO 8601 with zone)
    referenceIdToRefund     a refund: the X-Reference-Id of the transfer refunded

The request and response shapes and their mapping to payrail's types are in :mod:`.transformers`.
"""
from __future__ import annotations

import base64

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackHint, ConnectorSettings, ConnectorUnavailable, OutcomeUnknown,
                                               ProviderStatus, TransferRequest, TransferResult)
from payrail.providers.connectors.momo import MomoBase, Paths, capabilities
from payrail.providers.connectors.mtn_momo import transformers

CAPABILITIES = capabilities(sends_callbacks=True)


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

    name, network = "mtn_momo", "MTN"  # MTN does not sign its callbacks: no callback_headers
    paths = Paths(transfer="/disbursement/v1_0/transfer/{key}", reversal="/disbursement/v1_0/refund/{key}",
                  balance="/disbursement/v1_0/account/balance")
    wire = transformers

    def _token(self) -> tuple[str, int]:
        s = self.settings
        basic = base64.b64encode(f"{s.api_user}:{s.api_key.get_secret_value()}".encode()).decode()
        return self.token("/disbursement/token/", {"Authorization": f"Basic {basic}",
                                                   "Ocp-Apim-Subscription-Key": s.subscription_key.get_secret_value()})

    def headers(self, reference: str | None = None) -> dict[str, str]:
        s = self.settings
        h = {"Authorization": f"Bearer {self.bearer(self._token)}", "X-Target-Environment": s.target_environment,
             "Ocp-Apim-Subscription-Key": s.subscription_key.get_secret_value()}
        if reference:
            h["X-Reference-Id"] = reference
            if s.callback_url:
                h["X-Callback-Url"] = str(s.callback_url)
        return h

    def _create(self, path: str, reference: str, body) -> int:
        """``POST`` a creation under ``X-Reference-Id``: 202 (or any 2xx), or 409 for a reference
        already used (the existing one). Raises TransferRejected, ConnectorUnavailable, OutcomeUnknown."""
        r = self.http.call("POST", path, mutating=True, headers=self.headers(reference),
                           body=amounts.dumps(body.model_dump()))
        if r.status != 409 and not 200 <= r.status < 300:
            raise r.rejected()
        return r.status

    # -- transfers ---------------------------------------------------------------------------
    def submit(self, req: TransferRequest) -> TransferResult:
        """Send the disbursement (202), then read it back once. A reused reference (409) is the
        existing transfer. Raises TransferRejected, ConnectorUnavailable, OutcomeUnknown."""
        rcpt = self.recipient(req)
        answered = self._create("/disbursement/v1_0/transfer", self.transfer_key(req.transfer_id),
                                transformers.transfer_body(req, rcpt))
        try:
            result = self.status(req.transfer_id)
        except ConnectorUnavailable:
            return TransferResult(transfer_id=req.transfer_id, status=ProviderStatus.PENDING, provider_status="PENDING")
        if result.status == ProviderStatus.NOT_FOUND:
            raise OutcomeUnknown(f"mtn_momo: accepted {req.transfer_id} ({answered}) but does not list it yet")
        return result

    # -- reversal ----------------------------------------------------------------------------
    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        """Refund ``amount`` of a paid transfer (see the assumptions). Raises TransferRejected,
        ConnectorUnavailable, OutcomeUnknown."""
        self._create("/disbursement/v1_0/refund", self.transfer_key(reversal_id),
                     transformers.refund_body(reversal_id, amount, self.transfer_key(transfer_id)))
        return self.reversal_status(reversal_id)

    # -- callbacks ---------------------------------------------------------------------------
    def read_callback(self, headers: dict[str, str], body) -> CallbackHint:
        """MTN's (unsigned) callback: the transfer body with ``externalId`` = payrail's transfer
        id. A hint only: confirm with :meth:`status`."""
        return transformers.callback_hint(body, self.transfer_key)
