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
* Reconciliation source: ``list_api``. List Payments is documented with ``limit`` / ``offset``
  paging and a creation window (``start_date`` / ``end_date``, UNIX seconds, inclusive), and
  filters by ``request_id`` (getsafepay/raast-docs, ``api-reference/openapi.yaml``). A payout
  created before the window may be settled in it, so :meth:`SafepayConnector.statement` lists the
  payments created from ``STATEMENT_LOOKBACK`` before the window to its end and keeps the
  payouts whose last change (``updated_at``, assumed) is in the window. ``P_REVERSED`` and
  ``P_CANCELLED`` read as FAILED there.
* Settlement file (any provider can be given one): the dashboard's payments export, columns
  **assumed** (List Payments' field names), CSV with a header::

      token       Safepay's reference (pm_...)
      request_id  payrail's key for the transfer (uuid5 of its id; mapped back by the caller)
      type        PAYOUT (other rows are skipped)
      amount      rupees, a decimal ("200" or "200.50")
      currency    PKR
      status      P_SETTLED | P_FAILED | P_REJECTED | P_REVERSED | P_RECEIVED | ...
      created_at  ISO 8601 with zone
      updated_at  ISO 8601 with zone: when it reached that status (the booking time)

* Webhook body ``{id, type, created_at, data: <payment>}`` with event types ``payment.completed``
  / ``payment.failed``; the signature header holds the bare hex digest (a ``name=`` prefix is
  tolerated).

The request and response shapes and their mapping to payrail's types are in :mod:`.transformers`.
"""
from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from pydantic import HttpUrl, SecretStr

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (BankAccount, CallbackHint, Capabilities, ConnectorUnavailable,
                                               MobileWallet, ProviderStatus, SignedCallbacks, TimedCallbackSettings,
                                               TransferRejected, TransferRequest, TransferResult, Upi, Verification,
                                               callback_header, check_fresh, header, hex_sha256, iso_time)
from payrail.providers.connectors.http import HttpConnector, Response
from payrail.providers.connectors.safepay import transformers
from payrail.providers.statements import ProviderRecord, read_file

#: how long before a statement's window a payout it lists may have been created
STATEMENT_LOOKBACK = timedelta(days=2)
#: List Payments' page size
PAGE_SIZE = 100

CAPABILITIES = Capabilities(rails=frozenset({"bank_account", "mobile_wallet"}), currencies=frozenset({"PKR"}),
                            countries=frozenset({"PK"}), verifies_accounts=True, sends_callbacks=True,
                            supports_reversal=False)


class SafepaySettings(TimedCallbackSettings):
    """``base_url`` includes ``/raastwire``; ``webhook_secret`` is the base64 secret Safepay
    returns when the webhook endpoint is created."""

    secret_fields = ("aggregator_id", "secret_key", "webhook_secret")

    base_url: HttpUrl = HttpUrl("https://dev.api.getsafepay.com/raastwire")
    aggregator_id: str
    secret_key: SecretStr
    webhook_secret: SecretStr


class SafepayConnector(HttpConnector, SignedCallbacks):
    """Client of Safepay's Raast payouts (see the module docstring for documents and assumptions).
    ``transfer_key`` (the ``request_id``) is uuid5 of payrail's transfer id: deterministic, so
    retries keep idempotency."""

    name = "safepay"
    capabilities = CAPABILITIES
    callback_headers = ("X-SFPY-SIGNATURE", "X-SFPY-TIMESTAMP")

    def __init__(self, settings: SafepaySettings):
        super().__init__(settings)
        self.prefix = f"/v1/aggregators/{settings.aggregator_id}"

    def headers(self) -> dict[str, str]:
        return {"X-SFPY-AGGREGATOR-SECRET-KEY": self.settings.secret_key.get_secret_value()}

    def _get(self, path: str, params: dict) -> Response:
        return self.http.call("GET", self.prefix + path, mutating=False, headers=self.headers(), params=params)

    # -- where the money goes ----------------------------------------------------------------
    def _creditor(self, ben: BankAccount | MobileWallet | Upi, title: bool) -> tuple[str, str | None]:
        """``(creditor IBAN, account title if asked for and known)``. Raises TransferRejected
        when the beneficiary cannot be paid here, ConnectorUnavailable when Raast cannot be asked."""
        if isinstance(ben, BankAccount):
            return transformers.creditor_iban(ben), None
        if isinstance(ben, MobileWallet):
            wallet, alias = transformers.wallet_alias(ben)
            r = self._get("/account-info", {"alias_type": "MOBILE", "alias_value": alias,
                                            "with_title_fetch": "true" if title else "false"})
            if 400 <= r.status < 500:
                raise r.rejected()
            if r.status != 200:
                raise ConnectorUnavailable(f"safepay: alias lookup answered {r.status}")
            return transformers.wallet_iban(ben, wallet, r.body)
        raise TransferRejected("beneficiary_unsupported", "safepay pays Pakistani bank accounts and wallets")

    # -- transfers ---------------------------------------------------------------------------
    def submit(self, req: TransferRequest) -> TransferResult:
        """Raast payout to the beneficiary's IBAN. A repeated transfer id returns the existing payout.

        Raises: TransferRejected, ConnectorUnavailable, OutcomeUnknown.
        """
        if req.currency != "PKR":
            raise TransferRejected("currency_unsupported", f"safepay pays PKR, not {req.currency}")
        iban, _ = self._creditor(req.beneficiary, title=False)
        body = transformers.payout(self.transfer_key(req.transfer_id), req, iban)
        r = self.http.call("POST", self.prefix + "/payout", mutating=True, headers=self.headers(),
                           body=amounts.dumps(body.model_dump()))
        return self.created(req, r, transformers.payout_result)

    def status(self, transfer_id: str) -> TransferResult:
        """The payout with our request id, from List Payments (none -> NOT_FOUND). Raises ConnectorUnavailable."""
        key = self.transfer_key(transfer_id)
        r = self._get("/payments", {"request_id": key})
        if r.status != 200:
            raise ConnectorUnavailable(f"safepay: payment lookup answered {r.status}: {r.error()[1]}")
        match = transformers.listed(key, r.body)
        if match is None:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        return transformers.result(transfer_id, match)

    # -- reconciliation ----------------------------------------------------------------------
    def statement(self, start: datetime, end: datetime) -> Iterator[ProviderRecord]:
        """The payouts booked in ``[start, end)`` (aware datetimes), from List Payments page by page
        (``limit``/``offset``) over their creation window, ``STATEMENT_LOOKBACK`` wide before it.
        Records carry the ``request_id`` as ``transfer_key`` (see ``statements.map_back``).

        Raises: ConnectorUnavailable (the provider could not be read, or answered a page payrail
        cannot read); ValueError for a window that is empty or naive.
        """
        if start.tzinfo is None or end.tzinfo is None or not start < end:
            raise ValueError("a statement window is two aware datetimes, start before end")
        params = {"start_date": str(int((start - STATEMENT_LOOKBACK).timestamp())),
                  "end_date": str(int(end.timestamp())), "limit": str(PAGE_SIZE)}
        offset = 0
        while True:
            r = self._get("/payments", {**params, "offset": str(offset)})
            if r.status != 200:
                raise ConnectorUnavailable(f"safepay: List Payments answered {r.status}: {r.error()[1]}")
            try:
                payments, count = transformers.page(r.body)
                records = [transformers.statement_record(p) for p in payments]
            except ValueError as e:  # pydantic's ValidationError included
                raise ConnectorUnavailable(f"safepay: List Payments answered a page payrail cannot read: "
                                           f"{str(e)[:200]}") from None
            for record in records:
                if record is not None and start <= record.booked_at < end:
                    yield record
            offset += len(payments)
            if len(payments) < PAGE_SIZE or (count is not None and offset >= count):
                return

    def parse_statement_file(self, lines: Iterable[str]) -> Iterator[ProviderRecord]:
        """The payments export's rows (columns in the module docstring). Raises ValueError naming
        the line of a malformed row."""
        return read_file(lines, transformers.ExportRow, transformers.file_record)

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
        title = transformers.account_title(r.body)
        return Verification(valid=True, account_title=title) if title else \
            Verification(valid=False, reason="Raast returned no account title")

    # -- callbacks: X-SFPY-SIGNATURE = hex HMAC-SHA256(base64-decoded secret, "<X-SFPY-TIMESTAMP>.<raw body>")
    def callback_signature(self, headers: dict[str, str]) -> bytes:
        return hex_sha256(callback_header(headers, "X-SFPY-SIGNATURE", self.name).rsplit("=", 1)[-1], self.name)

    def callback_message(self, headers: dict[str, str], raw_body: bytes, now: float) -> bytes:
        """The timestamp is RFC 3339, signed as sent and checked stripped against ``now``."""
        check_fresh(iso_time(callback_header(headers, "X-SFPY-TIMESTAMP", self.name), self.name), now,
                    self.settings.callback_tolerance_seconds, self.name)
        return (header(headers, "X-SFPY-TIMESTAMP") or "").encode() + b"." + raw_body

    def callback_key(self) -> bytes:
        return base64.b64decode(self.settings.webhook_secret.get_secret_value())

    def read_callback(self, headers: dict[str, str], body) -> CallbackHint:
        return transformers.callback_hint(headers, body)
