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
"""
from __future__ import annotations

import hashlib
import hmac
import re

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (BankAccount, CallbackHint, CallbackRejected, Capabilities,
                                     ConnectorSettings, ConnectorUnavailable, DirectoryEntry, MobileWallet,
                                     OutcomeUnknown, ProviderStatus, TransferRejected, TransferRequest,
                                     TransferResult, Upi, Verification, base64_sha256, callback_body,
                                     callback_header, check_fresh, clean_text, unix_time)
from payrail.providers.connectors.http import Transport

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

IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
TRANSFER_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")

#: Cashfree V2 transfer status -> provider status (anything else: PENDING)
STATUSES: dict[str, ProviderStatus] = {
    "SUCCESS": ProviderStatus.SUCCESS,
    "FAILED": ProviderStatus.FAILED, "REJECTED": ProviderStatus.FAILED,
    "REVERSED": ProviderStatus.FAILED, "MANUALLY_REJECTED": ProviderStatus.FAILED,
    "APPROVAL_PENDING": ProviderStatus.ON_HOLD,
}

#: bank account verification codes -> the reason payrail shows
VERIFY_REASONS = {"INVALID_ACCOUNT_FAIL": "Account validation failed", "INVALID_BANK_ACCOUNT": "Account validation failed",
                  "ACCOUNT_BLOCKED": "Account is blocked", "INVALID_IFSC_FAIL": "IFSC is invalid",
                  "INVALID_IFSC": "IFSC is invalid", "NRE_ACCOUNT": "Given account is an NRE account"}


class CashfreeSettings(ConnectorSettings):
    """``base_url`` is the host (``https://sandbox.cashfree.com`` or ``https://api.cashfree.com``);
    the client secret also signs Cashfree's webhooks."""

    secret_fields = ("client_id", "client_secret")

    base_url: HttpUrl = HttpUrl("https://sandbox.cashfree.com")
    client_id: str
    client_secret: SecretStr
    api_version: str = "2024-01-01"
    callback_tolerance_seconds: int = 300


class CashfreeConnector:
    """Client of Cashfree Payouts V2 (see the module docstring for the documents it follows)."""

    name = "cashfree"
    capabilities = CAPABILITIES
    callback_headers = ("x-webhook-signature", "x-webhook-timestamp")

    def __init__(self, settings: CashfreeSettings):
        self.settings = settings
        self.http = Transport(str(settings.base_url), self.name, settings.timeout_seconds,
                              settings.connect_timeout_seconds)

    def _headers(self) -> dict[str, str]:
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
        body = amounts.dumps(self._transfer_body(req))
        r = self.http.call("POST", "/payout/transfers", mutating=True, headers=self._headers(), body=body)
        if r.status == 409:
            existing = self.status(req.transfer_id)
            if existing.status == ProviderStatus.NOT_FOUND:
                raise OutcomeUnknown(f"cashfree: 409 for {req.transfer_id} but no such transfer yet")
            if existing.amount is not None and existing.amount != req.amount:
                raise TransferRejected("transfer_id_conflict", f"transfer {req.transfer_id} exists with amount "
                                       f"{existing.amount}, not {req.amount}", 409)
            return existing
        if 200 <= r.status < 300:
            return self._result(req.transfer_id, amounts.loads(r.body), "INR")
        raise r.rejected()

    def status(self, transfer_id: str) -> TransferResult:
        """Get Transfer Status V2 by our transfer id (404 -> NOT_FOUND). Raises ConnectorUnavailable."""
        r = self.http.call("GET", "/payout/transfers", mutating=False, headers=self._headers(),
                           params={"transfer_id": transfer_id})
        if r.status == 404:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        if r.status != 200:
            raise ConnectorUnavailable(f"cashfree: status lookup answered {r.status}: {r.body[:200]!r}")
        return self._result(transfer_id, amounts.loads(r.body), "INR")

    def _transfer_body(self, req: TransferRequest) -> dict:
        if req.currency != "INR":
            raise TransferRejected("currency_unsupported", f"cashfree pays INR, not {req.currency}")
        if not TRANSFER_ID.match(req.transfer_id):
            raise TransferRejected("transfer_id_invalid", "cashfree transfer ids are 1-40 letters, digits or _")
        name = clean_text(req.beneficiary.name, 100, digits=False)
        if not name:
            raise TransferRejected("beneficiary_name_invalid", "the beneficiary name has no letters")
        ben = req.beneficiary
        if isinstance(ben, Upi):
            mode, instrument = "upi", {"vpa": ben.vpa}
        elif isinstance(ben, BankAccount) and ben.account_number and ben.bank_code and IFSC.match(ben.bank_code):
            mode, instrument = "banktransfer", {"bank_account_number": ben.account_number, "bank_ifsc": ben.bank_code}
        else:
            raise TransferRejected("beneficiary_unsupported",
                                   "cashfree pays an account number with an IFSC, or a UPI VPA")
        body = {"transfer_id": req.transfer_id, "transfer_amount": amounts.to_major(req.amount, "INR"),
                "transfer_currency": "INR", "transfer_mode": mode,
                "beneficiary_details": {"beneficiary_name": name, "beneficiary_instrument_details": instrument}}
        if remarks := clean_text(req.remarks, 70):
            body["transfer_remarks"] = remarks
        return body

    @staticmethod
    def _result(transfer_id: str, data: dict, currency: str) -> TransferResult:
        raw = str(data.get("status") or "")
        status = STATUSES.get(raw, ProviderStatus.PENDING)
        reason = None
        if status in (ProviderStatus.FAILED, ProviderStatus.ON_HOLD):
            detail = data.get("status_description") or data.get("status_code") or raw
            reason = f"{raw}: {detail}" if raw in ("REVERSED", "REJECTED", "MANUALLY_REJECTED") else str(detail)
        amount = data.get("transfer_amount")
        return TransferResult(transfer_id=str(data.get("transfer_id") or transfer_id), status=status,
                              reason=reason, provider_reference=data.get("cf_transfer_id"), provider_status=raw,
                              amount=amounts.from_major(amount, currency) if amount is not None else None)

    # -- verification ------------------------------------------------------------------------
    def verify(self, beneficiary: BankAccount | MobileWallet | Upi) -> Verification:
        """Bank Account Verification Sync V2 for an account + IFSC; UPI verification for a VPA.

        Raises: ConnectorUnavailable; TransferRejected for a beneficiary Cashfree cannot check.
        """
        if isinstance(beneficiary, Upi):
            path, payload, key = "/verification/upi", {"vpa": beneficiary.vpa, "name": beneficiary.name}, "status"
        elif isinstance(beneficiary, BankAccount) and beneficiary.account_number and IFSC.match(beneficiary.bank_code or ""):
            path, key = "/verification/bank-account/sync", "account_status"
            payload = {"bank_account": beneficiary.account_number, "ifsc": beneficiary.bank_code,
                       "name": beneficiary.name}
        else:
            raise TransferRejected("beneficiary_unsupported", "cashfree verifies an account with an IFSC, or a VPA")
        r = self.http.call("POST", path, mutating=False, headers=self._headers(), body=amounts.dumps(payload))
        if 400 <= r.status < 500:
            return Verification(valid=False, reason=r.error()[1])
        if r.status != 200:
            raise ConnectorUnavailable(f"cashfree: verification answered {r.status}")
        data = amounts.loads(r.body)
        if data.get(key) == "VALID":
            return Verification(valid=True, account_title=data.get("name_at_bank"))
        code = str(data.get("account_status_code") or data.get(key) or "INVALID")
        return Verification(valid=False, reason=VERIFY_REASONS.get(code, code))

    # -- callbacks ---------------------------------------------------------------------------
    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Webhooks V2: check ``x-webhook-signature`` over ``x-webhook-timestamp`` + raw body and
        reject a timestamp more than ``callback_tolerance_seconds`` from ``now`` (unix seconds).

        Raises: CallbackRejected (missing, forged or stale signature; malformed body).
        """
        signature = base64_sha256(callback_header(headers, "x-webhook-signature", self.name), self.name)
        ts = callback_header(headers, "x-webhook-timestamp", self.name)
        check_fresh(unix_time(ts, self.name, millis_above=10**11), now, self.settings.callback_tolerance_seconds,
                    self.name)
        key = self.settings.client_secret.get_secret_value().encode()
        if not hmac.compare_digest(hmac.new(key, ts.encode() + raw_body, hashlib.sha256).digest(), signature):
            raise CallbackRejected("cashfree: bad signature")
        with callback_body(self.name):
            event = amounts.loads(raw_body)
            data = event["data"]
            result = self._result(data["transfer_id"], data, "INR")
            return CallbackHint(transfer_key=result.transfer_id, transfer_id=result.transfer_id, status=result.status,
                                reason=result.reason, provider_reference=result.provider_reference,
                                event_type=event.get("type"))
