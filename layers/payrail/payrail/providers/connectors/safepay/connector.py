"""Safepay Raast payouts ("RaastWire", Pakistan, PKR): bank accounts at the directory's 14 banks
by IBAN, and the 4 wallets by the holder's Raast ID (mobile number).

No switch (1LINK, Raast itself) publishes a public payout API; Safepay, a Pakistani PSP and
Raast aggregator, does. This connector follows Safepay's Raast documentation
(safepay.mintlify.app, API ``v1``):

* Quickstart / environments: base ``https://dev.api.getsafepay.com/raastwire`` (sandbox),
  ``https://api.getsafepay.com/raastwire`` (production); every request carries
  ``X-SFPY-AGGREGATOR-SECRET-KEY``.
* "Payouts" use case and API reference: ``POST /v1/aggregators/{aggregator_id}/payout``
  ``{request_id (UUID, the idempotency key), amount (string, PKR), creditor_iban}`` ->
  ``{api_version, data: {token: "pm_...", type: "PAYOUT", amount, status, request_id,
  trace_reference, txn_logs: [{status, txn_desc, ...}], ...}}``.
* Payout lifecycle: ``P_INITIATED`` (accepted, queued), ``P_RECEIVED`` (beneficiary bank
  validating), ``P_SETTLED`` (funds reached the beneficiary), ``P_FAILED`` (invalid account,
  compliance block, insufficient balance); ``P_REJECTED`` appears in payment listings.
* "List Payments" ``GET /v1/aggregators/{aggregator_id}/payments`` ->
  ``{data: {payments: [...], count}}`` (the documented polling safety net).
* Account validation: ``GET .../title-fetch?iban=`` and ``GET .../account-info?alias_type=MOBILE
  &alias_value=<national number>&with_title_fetch=true`` -> ``{data: {iban, account_title,
  servicer_member_id, ...}}``.
* Errors: ``{api_version, error: {code, message}}`` or ``{code, message}``; 409 on a duplicate
  creation; "Retry transient errors with the same request_id to stay idempotent."
* Webhooks: ``X-SFPY-SIGNATURE`` = HMAC-SHA256 with the base64-decoded webhook secret over
  ``X-SFPY-TIMESTAMP + "." + raw body`` (hex); the timestamp is RFC 3339; retries up to 5 times.

Assumptions (labelled; confirm against Safepay's sandbox before going live):

* ``request_id`` is a UUID, so payrail's transfer id maps to ``uuid5(namespace, transfer_id)``
  (``transfer_key``); the lookup is ``GET .../payments?request_id=<uuid>`` - the list endpoint is
  documented, its ``request_id`` filter is not. If Safepay ignored the filter, a transfer could
  look NOT_FOUND; resubmitting is still safe (same request_id -> 409 -> lookup again), but a
  reconcile must not release on NOT_FOUND until this is confirmed.
* ``amount`` is a decimal string in rupees; whole amounts are sent without a fraction ("200", as
  documented), others with two places ("200.50").
* An account number is turned into an IBAN as ``PK`` + check digits + the bank's IBAN code + the
  account number left-padded to 16 digits (true for banks whose IBAN embeds the full account
  number; the bank refuses otherwise, and title-fetch shows it before paying).
* Wallets are paid through their holder's Raast ID: the alias must resolve to an IBAN at the
  wallet the merchant named, otherwise the payout is refused (``wallet_mismatch``) rather than
  paid to another institution.
* A payout held for review is ``P_ON_HOLD`` (not in the published lifecycle); failure and hold
  reasons are the last ``txn_logs[].txn_desc``.
* Webhook body ``{id, type, created_at, data: <payment>}`` with event types ``payment.completed``
  / ``payment.failed``; the signature header holds the bare hex digest (a ``name=`` prefix is
  tolerated).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

import phonenumbers
from pydantic import HttpUrl, SecretStr
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (BankAccount, CallbackHint, CallbackRejected, Capabilities,
                                     ConnectorSettings, ConnectorUnavailable, MobileWallet, OutcomeUnknown,
                                     ProviderStatus, TransferRejected, TransferRequest, TransferResult, Upi,
                                     Verification, callback_body, callback_header, check_fresh, header,
                                     hex_sha256, iso_time)
from payrail.providers.connectors.http import Response, Transport
from payrail.providers.connectors.safepay.directory import BY_CODE, BY_IBAN_CODE

CAPABILITIES = Capabilities(rails=frozenset({"bank_account", "mobile_wallet"}), currencies=frozenset({"PKR"}),
                            countries=frozenset({"PK"}), verifies_accounts=True, sends_callbacks=True,
                            supports_reversal=False)

#: request ids are uuid5(NAMESPACE, transfer_id): deterministic, so retries keep idempotency
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "payrail/connectors/safepay")

STATUSES: dict[str, ProviderStatus] = {
    "P_SETTLED": ProviderStatus.SUCCESS,
    "P_FAILED": ProviderStatus.FAILED, "P_REJECTED": ProviderStatus.FAILED,
    "P_ON_HOLD": ProviderStatus.ON_HOLD,
}


class SafepaySettings(ConnectorSettings):
    """``base_url`` includes ``/raastwire``; ``webhook_secret`` is the base64 secret Safepay
    returns when the webhook endpoint is created."""

    secret_fields = ("aggregator_id", "secret_key", "webhook_secret")

    base_url: HttpUrl = HttpUrl("https://dev.api.getsafepay.com/raastwire")
    aggregator_id: str
    secret_key: SecretStr
    webhook_secret: SecretStr
    callback_tolerance_seconds: int = 300


class SafepayConnector:
    """Client of Safepay's Raast payouts (see the module docstring for documents and assumptions)."""

    name = "safepay"
    capabilities = CAPABILITIES
    callback_headers = ("X-SFPY-SIGNATURE", "X-SFPY-TIMESTAMP")

    def __init__(self, settings: SafepaySettings):
        self.settings = settings
        self.http = Transport(str(settings.base_url), self.name, settings.timeout_seconds,
                              settings.connect_timeout_seconds)
        self.prefix = f"/v1/aggregators/{settings.aggregator_id}"

    def _headers(self) -> dict[str, str]:
        return {"X-SFPY-AGGREGATOR-SECRET-KEY": self.settings.secret_key.get_secret_value()}

    def _get(self, path: str, params: dict) -> Response:
        return self.http.call("GET", self.prefix + path, mutating=False, headers=self._headers(), params=params)

    def transfer_key(self, transfer_id: str) -> str:
        return str(uuid.uuid5(NAMESPACE, transfer_id))

    # -- where the money goes ----------------------------------------------------------------
    def _creditor(self, ben: BankAccount | MobileWallet | Upi, title: bool) -> tuple[str, str | None]:
        """``(creditor IBAN, account title if asked for and known)``. Raises TransferRejected
        when the beneficiary cannot be paid here, ConnectorUnavailable when Raast cannot be asked."""
        if isinstance(ben, BankAccount):
            return self._bank_iban(ben), None
        if isinstance(ben, MobileWallet):
            return self._wallet_iban(ben, title)
        raise TransferRejected("beneficiary_unsupported", "safepay pays Pakistani bank accounts and wallets")

    @staticmethod
    def _bank_iban(ben: BankAccount) -> str:
        if ben.iban:
            iban = IBAN(ben.iban)
            if iban.country_code != "PK" or iban.bank_code not in BY_IBAN_CODE:
                raise TransferRejected("bank_unsupported", f"{iban.bank_code} is not a directory institution")
            return iban.compact
        inst = BY_CODE.get((ben.bank_code or "").upper())
        if inst is None or inst.kind != "bank":
            raise TransferRejected("bank_unsupported", f"unknown bank code {ben.bank_code!r}")
        if not (ben.account_number or "").isdigit() or not 10 <= len(ben.account_number) <= 16:
            raise TransferRejected("account_number_invalid", "a Pakistani account number has 10-16 digits")
        try:
            return IBAN.generate("PK", bank_code=inst.iban_code, account_code=ben.account_number).compact
        except SchwiftyException as e:
            raise TransferRejected("account_number_invalid", str(e)) from None

    def _wallet_iban(self, ben: MobileWallet, title: bool) -> tuple[str, str | None]:
        wallet = BY_CODE.get(ben.wallet_code.upper())
        if wallet is None or wallet.kind != "wallet":
            raise TransferRejected("wallet_unsupported", f"unknown wallet code {ben.wallet_code!r}")
        number = phonenumbers.parse(ben.msisdn, None)
        if phonenumbers.region_code_for_number(number) != "PK" or \
                phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            raise TransferRejected("msisdn_invalid", "a wallet is reached by a Pakistani mobile number")
        r = self._get("/account-info", {"alias_type": "MOBILE", "alias_value": str(number.national_number),
                                        "with_title_fetch": "true" if title else "false"})
        if 400 <= r.status < 500:
            raise r.rejected()
        if r.status != 200:
            raise ConnectorUnavailable(f"safepay: alias lookup answered {r.status}")
        data = amounts.loads(r.body)["data"]
        iban = IBAN(data["iban"])
        if iban.bank_code != wallet.iban_code:
            held_at = BY_IBAN_CODE.get(iban.bank_code)
            raise TransferRejected("wallet_mismatch", f"{ben.msisdn}'s Raast ID is linked to "
                                   f"{held_at.name if held_at else iban.bank_code}, not {wallet.name}")
        return iban.compact, data.get("account_title") or None

    # -- transfers ---------------------------------------------------------------------------
    def submit(self, req: TransferRequest) -> TransferResult:
        """Raast payout to the beneficiary's IBAN. A repeated transfer id returns the existing payout.

        Raises: TransferRejected, ConnectorUnavailable, OutcomeUnknown.
        """
        if req.currency != "PKR":
            raise TransferRejected("currency_unsupported", f"safepay pays PKR, not {req.currency}")
        iban, _ = self._creditor(req.beneficiary, title=False)
        body = {"request_id": self.transfer_key(req.transfer_id),
                "amount": amounts.major_text(req.amount, "PKR", trim_zero_fraction=True), "creditor_iban": iban}
        r = self.http.call("POST", self.prefix + "/payout", mutating=True, headers=self._headers(),
                           body=amounts.dumps(body))
        if r.status == 409:
            existing = self.status(req.transfer_id)
            if existing.status == ProviderStatus.NOT_FOUND:
                raise OutcomeUnknown(f"safepay: 409 for {req.transfer_id} but no such payout listed")
            if existing.amount is not None and existing.amount != req.amount:
                raise TransferRejected("transfer_id_conflict", f"payout {req.transfer_id} exists with amount "
                                       f"{existing.amount}, not {req.amount}", 409)
            return existing
        if 200 <= r.status < 300:
            return self._result(req.transfer_id, amounts.loads(r.body)["data"])
        raise r.rejected()

    def status(self, transfer_id: str) -> TransferResult:
        """The payout with our request id, from List Payments (none -> NOT_FOUND). Raises ConnectorUnavailable."""
        key = self.transfer_key(transfer_id)
        r = self._get("/payments", {"request_id": key})
        if r.status != 200:
            raise ConnectorUnavailable(f"safepay: payment lookup answered {r.status}: {r.error()[1]}")
        payments = amounts.loads(r.body)["data"].get("payments") or []
        match = next((p for p in payments if p.get("request_id") == key), None)
        if match is None:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        return self._result(transfer_id, match)

    @staticmethod
    def _result(transfer_id: str, p: dict) -> TransferResult:
        raw = str(p.get("status") or "")
        status = STATUSES.get(raw, ProviderStatus.PENDING)
        reason = None
        if status in (ProviderStatus.FAILED, ProviderStatus.ON_HOLD):
            logs = [log.get("txn_desc") for log in p.get("txn_logs") or [] if log.get("txn_desc")]
            reason = logs[-1] if logs else raw
        amount = p.get("amount")
        return TransferResult(transfer_id=transfer_id, status=status, reason=reason, provider_reference=p.get("token"),
                              provider_status=raw, amount=amounts.from_major(amount, "PKR") if amount else None)

    # -- verification ------------------------------------------------------------------------
    def verify(self, beneficiary: BankAccount | MobileWallet | Upi) -> Verification:
        """Title fetch for an IBAN (or an account number turned into one); a wallet's Raast ID
        must resolve to that wallet. Raises ConnectorUnavailable; TransferRejected for a UPI VPA."""
        try:
            iban, title = self._creditor(beneficiary, title=True)
        except TransferRejected as e:
            if e.code == "beneficiary_unsupported":
                raise
            return Verification(valid=False, reason=e.message)
        if title:
            return Verification(valid=True, account_title=title)
        r = self._get("/title-fetch", {"iban": iban})
        if 400 <= r.status < 500:
            return Verification(valid=False, reason=r.error()[1])
        if r.status != 200:
            raise ConnectorUnavailable(f"safepay: title fetch answered {r.status}")
        title = amounts.loads(r.body)["data"].get("account_title")
        return Verification(valid=True, account_title=title) if title else \
            Verification(valid=False, reason="Raast returned no account title")

    # -- callbacks ---------------------------------------------------------------------------
    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Check ``X-SFPY-SIGNATURE`` (hex HMAC-SHA256 over ``X-SFPY-TIMESTAMP.raw_body`` with the
        base64-decoded webhook secret) and the timestamp's age against ``now`` (unix seconds).

        Raises: CallbackRejected.
        """
        signature = hex_sha256(callback_header(headers, "X-SFPY-SIGNATURE", self.name).rsplit("=", 1)[-1], self.name)
        ts = header(headers, "X-SFPY-TIMESTAMP") or ""  # signed as sent, compared stripped
        check_fresh(iso_time(callback_header(headers, "X-SFPY-TIMESTAMP", self.name), self.name), now,
                    self.settings.callback_tolerance_seconds, self.name)
        key = base64.b64decode(self.settings.webhook_secret.get_secret_value())
        if not hmac.compare_digest(hmac.new(key, ts.encode() + b"." + raw_body, hashlib.sha256).digest(), signature):
            raise CallbackRejected("safepay: bad signature")
        with callback_body(self.name):
            event = amounts.loads(raw_body)
            payment = event["data"]
            key_id = str(payment["request_id"])
            result = self._result(key_id, payment)
            return CallbackHint(transfer_key=key_id, status=result.status, reason=result.reason,
                                provider_reference=result.provider_reference,
                                event_id=header(headers, "X-SFPY-EVENT-ID") or event.get("id"),
                                event_type=header(headers, "X-SFPY-EVENT-TYPE") or event.get("type"))
