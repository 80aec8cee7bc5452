"""Cashfree Payouts V2 (India, INR; bank transfer by account number + IFSC, and UPI VPA).

Follows these Cashfree documents (cashfree.com/docs, API version ``2024-01-01``):

* Payouts API reference, V2 "Standard Transfer V2" (``POST /payout/transfers``) and
  "Get Transfer Status V2" (``GET /payout/transfers?transfer_id=``), as published in Cashfree's
  OpenAPI document for Transfers V2 (the one its generated SDKs, e.g. cashfree-payout-sdk-dotnet,
  are built from): headers ``x-client-id``, ``x-client-secret``, ``x-api-version``; request
  ``{transfer_id (<= 40, alphanumeric and _), transfer_amount (number, rupees, >= 1.00),
  transfer_currency, transfer_mode (banktransfer | upi | ...), beneficiary_details:
  {beneficiary_name (letters and spaces, <= 100), beneficiary_instrument_details:
  {bank_account_number, bank_ifsc} | {vpa}}, transfer_remarks (alphanumeric, <= 70)}``;
  response ``{transfer_id, cf_transfer_id, status, status_code, status_description,
  transfer_amount, transfer_utr, added_on, updated_on, ...}``; errors ``{type, code, message}``
  (ErrorV2), 404 ``transfer_id_not_found`` on the status lookup.
* Standard Transfer V2's warning "When you get a 5XX response, do not initiate another
  transaction; check the status" -> a 5xx or a lost answer is :class:`OutcomeUnknown`.
* Payouts lifecycle (PENDING -> SUCCESS | FAILED; SUCCESS -> REVERSED; REJECTED for risk) and
  the V2 status values in the OpenAPI examples: RECEIVED, APPROVAL_PENDING, PENDING, SUCCESS
  (status_code COMPLETED), FAILED, REJECTED, REVERSED.
* Webhooks V2 and "Payloads and Signatures": ``x-webhook-signature`` = Base64(HMAC-SHA256(client
  secret, ``x-webhook-timestamp`` + raw body)); events TRANSFER_SUCCESS, TRANSFER_FAILED,
  TRANSFER_REVERSED, TRANSFER_REJECTED, TRANSFER_ACKNOWLEDGED; body ``{type, data: <transfer>}``.
* Secure ID bank account verification: ``POST /verification/bank-account/sync``
  ``{bank_account, ifsc, name}`` -> ``{account_status: VALID | INVALID, account_status_code,
  name_at_bank}`` (as public integrations call it; the codes from "Sample Responses From Bank").

Assumptions (not settled by the documents above):

* A repeated ``transfer_id`` answers 409 (as V1 documents "Transfer Id already exists"; the V2
  batch API documents ``batch_transfer_id_already_exists``); the connector then reads the
  existing transfer and returns it, refusing (``transfer_id_conflict``) if its amount differs.
* QUEUED, SENT_TO_BENEFICIARY, SCHEDULED and any status not listed above are PENDING (never
  final); MANUALLY_REJECTED is FAILED (from memory of the response-code tables). APPROVAL_PENDING
  is ON_HOLD (the merchant approves or rejects it on Cashfree's dashboard); REVERSED and REJECTED
  are FAILED, with the raw status kept in ``provider_status`` and prefixed to the reason.
* A 403 is account-level (the V2 reference documents only ``apis_not_enabled``), so it is
  ConnectorUnavailable, not a refusal of the transfer.
* The webhook's ``event_time`` field; ``x-webhook-timestamp`` may be in seconds or milliseconds
  (Cashfree's samples show milliseconds): a value above 10^11 is read as milliseconds. Stale =
  more than 300 s from now.
* UPI verification is ``POST /verification/upi`` ``{vpa, name}`` -> ``{status: VALID | INVALID,
  name_at_bank}`` (from memory of Secure ID's UPI verification, not from a fetched page).
* Names and remarks are cleaned to the characters Cashfree accepts rather than refused.

Reconciliation source: ``settlement_file``. Transfers V2 documents lookups by id (Get Transfer
Status V2) and batch status, but no list of transfers over a time window; the Payouts dashboard
mails a daily transfer report (Payouts Dashboard > Preferences, "daily reports"). That report is
the day's record of every transfer, including those payrail has no record of, which lookups by
payrail's ids cannot find. Its columns (**assumed**: the report's layout is not public; the names
are Transfers V2's), one row per transfer, CSV with a header::

    transfer_id        payrail's transfer id (Cashfree's transfer_id)
    cf_transfer_id     Cashfree's reference
    transfer_amount    rupees, a decimal ("123.45")
    transfer_currency  INR
    status             SUCCESS | FAILED | REJECTED | REVERSED | PENDING | ...
    transfer_utr       the bank's UTR (paid transfers)
    added_on           when it was requested (ISO 8601 with zone)
    updated_on         when it reached that status (ISO 8601 with zone): the booking time

The request and response shapes and their mapping to payrail's types are in :mod:`.transformers`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (BankAccount, CallbackHint, Capabilities, ConnectorUnavailable,
                                               DirectoryEntry, MobileWallet, SignedCallbacks, TimedCallbackSettings,
                                               TransferRequest, TransferResult, Upi, Verification, base64_sha256,
                                               callback_header, check_fresh, unix_time)
from payrail.providers.connectors.cashfree import transformers
from payrail.providers.connectors.http import HttpConnector
from payrail.providers.statements import FileOnly, ProviderRecord, read_file

CAPABILITIES = Capabilities(rails=frozenset({"bank_account", "upi"}), currencies=frozenset({"INR"}),
                            countries=frozenset({"IN"}), verifies_accounts=True, sends_callbacks=True,
                            supports_reversal=False)

#: what a merchant can pay through Cashfree (transfer modes of Standard Transfer V2)
DIRECTORY = (
    DirectoryEntry(code="IN_BANK", name="Indian bank account (IMPS/NEFT, account number + IFSC)", kind="rail",
                   country="IN", currency="INR", rail="bank_account"),
    DirectoryEntry(code="UPI", name="UPI (virtual payment address)", kind="rail", country="IN", currency="INR",
                   rail="upi"),
)


class CashfreeSettings(TimedCallbackSettings):
    """``base_url`` is the host (``https://sandbox.cashfree.com`` or ``https://api.cashfree.com``);
    the client secret also signs Cashfree's webhooks."""

    secret_fields = ("client_id", "client_secret")

    base_url: HttpUrl = HttpUrl("https://sandbox.cashfree.com")
    client_id: str
    client_secret: SecretStr
    api_version: str = "2024-01-01"


class CashfreeConnector(FileOnly, HttpConnector, SignedCallbacks):
    """Client of Cashfree Payouts V2 (see the module docstring for the documents it follows)."""

    name = "cashfree"
    capabilities = CAPABILITIES
    callback_headers = ("x-webhook-signature", "x-webhook-timestamp")

    def headers(self) -> dict[str, str]:
        s = self.settings
        return {"x-client-id": s.client_id, "x-client-secret": s.client_secret.get_secret_value(),
                "x-api-version": s.api_version}

    def transfer_key(self, transfer_id: str) -> str:
        return transfer_id  # Cashfree's transfer_id is payrail's id

    # -- transfers ---------------------------------------------------------------------------
    def submit(self, req: TransferRequest) -> TransferResult:
        """Standard Transfer V2. A repeated transfer id returns the existing transfer.

        Raises: TransferRejected (4xx, or a beneficiary/currency/id Cashfree cannot take),
        ConnectorUnavailable, OutcomeUnknown.
        """
        body = amounts.dumps(transformers.transfer(req).model_dump(exclude_none=True))
        r = self.http.call("POST", "/payout/transfers", mutating=True, headers=self.headers(), body=body)
        return self.created(req, r, transformers.transfer_result)

    def status(self, transfer_id: str) -> TransferResult:
        """Get Transfer Status V2 by our transfer id (404 -> NOT_FOUND). Raises ConnectorUnavailable."""
        return self.lookup("/payout/transfers", transfer_id, transformers.transfer_result,
                           params={"transfer_id": transfer_id})

    def parse_statement_file(self, lines: Iterable[str]) -> Iterator[ProviderRecord]:
        """The daily transfer report's rows (columns in the module docstring). Raises ValueError
        naming the line of a malformed row."""
        return read_file(lines, transformers.ReportRow, transformers.statement_record)

    # -- verification ------------------------------------------------------------------------
    def verify(self, beneficiary: BankAccount | MobileWallet | Upi) -> Verification:
        """Bank Account Verification Sync V2 for an account + IFSC; UPI verification for a VPA.

        Raises: ConnectorUnavailable; TransferRejected for a beneficiary Cashfree cannot check.
        """
        path, payload, field = transformers.verification(beneficiary)
        r = self.http.call("POST", path, mutating=False, headers=self.headers(),
                           body=amounts.dumps(payload.model_dump()))
        if 400 <= r.status < 500:
            return Verification(valid=False, reason=r.error()[1])
        if r.status != 200:
            raise ConnectorUnavailable(f"cashfree: verification answered {r.status}")
        return transformers.verified(r.body, field)

    # -- callbacks: x-webhook-signature = base64 HMAC-SHA256(client secret, x-webhook-timestamp + raw body)
    def callback_signature(self, headers: dict[str, str]) -> bytes:
        return base64_sha256(callback_header(headers, "x-webhook-signature", self.name), self.name)

    def callback_message(self, headers: dict[str, str], raw_body: bytes, now: float) -> bytes:
        """The timestamp in seconds or milliseconds (above 10^11), at most ``callback_tolerance_seconds``
        from ``now``."""
        ts = callback_header(headers, "x-webhook-timestamp", self.name)
        check_fresh(unix_time(ts, self.name, millis_above=10**11), now, self.settings.callback_tolerance_seconds,
                    self.name)
        return ts.encode() + raw_body

    def callback_key(self) -> bytes:
        return self.settings.client_secret.get_secret_value().encode()

    def read_callback(self, headers: dict[str, str], body) -> CallbackHint:
        return transformers.callback_hint(body)
