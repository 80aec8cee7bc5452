"""Local stand-in for Safepay's Raast payouts (the shapes :mod:`payrail.providers.connectors.safepay` follows).

Under ``[/raastwire]/v1/aggregators/<aggregator_id>/``, with ``X-SFPY-AGGREGATOR-SECRET-KEY``
checked (401) and the aggregator id checked (404):

* ``POST payout {request_id (UUID), amount (decimal string, PKR), creditor_iban}`` -> ``{api_version,
  data: <payment>}``; a repeated ``request_id`` answers 409 and never creates a second payout.
* ``GET payments[?request_id=&status=&start_date=&end_date=&limit=&offset=]`` -> ``{data: {payments,
  count}}``: created in ``[start_date, end_date]`` (UNIX seconds, inclusive), in creation order,
  ``limit`` (default 10, at most 100) from ``offset``; ``count`` all that match, as a string.
* Reconciliation (:mod:`.common`): the settlement file is the payments export in the columns of
  :data:`payrail.providers.connectors.safepay.transformers.FILE_COLUMNS`, booked at ``updated_at``;
  the break controls apply (a payout paid by a break gains a ``P_SETTLED`` history entry).
* ``GET title-fetch?iban=`` and ``GET account-info?alias_type=MOBILE&alias_value=<national number>
  [&with_title_fetch=true]``. The stand-in's Raast directory links a mobile number to a wallet
  by its network (phonenumbers carrier data): Jazz -> JazzCash (JCMA), Telenor -> Easypaisa
  (TMFB), Zong -> SadaPay (SADA), Ufone -> NayaPay (NAYA); the IBAN is the wallet's bank code +
  the national number, so the number's last four digits choose the scenario. (The real link
  is whatever account the holder registered; this rule only makes the stand-in predictable.)
* Scenarios (:mod:`.common`) by the IBAN's last four digits: P_SETTLED, one 500 then P_SETTLED,
  P_FAILED ("Account validation failed"), P_RECEIVED forever, P_ON_HOLD with a reason. The
  stand-in settles at once, so a create answers the final state directly (the real API answers
  P_INITIATED first). Title fetch: 0003 and 0005 answer 422 with the reason.
* Final payouts are announced to the callback URL signed as Safepay documents: ``X-SFPY-SIGNATURE``
  = hex HMAC-SHA256(base64-decoded webhook secret, ``X-SFPY-TIMESTAMP + "." + body``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

import phonenumbers
from phonenumbers import carrier
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from infra.local.httpserver import LoopbackServer
from infra.local.standins.common import FAIL_REASON, HOLD_REASON, Standin, now_iso, scenario, serve_standin, \
    verification
from payrail.providers.connectors import amounts
from payrail.providers.connectors.safepay.transformers import FILE_COLUMNS

ROUTE = re.compile(r"^(?:/raastwire)?/v1/aggregators/([^/]+)/(payout|payments|title-fetch|account-info)$")
NETWORK_WALLETS = {"Jazz": "JCMA", "Telenor": "TMFB", "Zong": "SADA", "Ufone": "NAYA"}
OUTCOMES = {"success": ("P_SETTLED", "credited to the beneficiary"), "fail": ("P_FAILED", FAIL_REASON),
            "pending": ("P_RECEIVED", "beneficiary bank is validating the transfer"), "hold": ("P_ON_HOLD", HOLD_REASON)}
FINAL = ("P_SETTLED", "P_FAILED")


def envelope_error(code: str, message: str) -> dict:
    return {"api_version": "v1", "error": {"code": code, "message": message}}


class SafepayStandin(Standin):
    name = "safepay"
    currency, file_columns, booked_field = "PKR", FILE_COLUMNS, "updated_at"
    SUCCESS = "P_SETTLED"

    def __init__(self, data_dir: Path, aggregator_id: str, secret_key: str, webhook_secret_b64: str,
                 callback_url: str | None = None):
        super().__init__(data_dir, callback_url)
        self.aggregator_id, self.secret_key = aggregator_id, secret_key
        self.webhook_key = base64.b64decode(webhook_secret_b64)

    def server_error(self) -> dict:
        return {"code": "error.internal", "message": "internal error, retry with the same request_id"}

    def handle(self, method, path, query, headers, raw):
        if headers.get("x-sfpy-aggregator-secret-key") != self.secret_key:
            return 401, envelope_error("error.unauthorized_access", "partner access key is required in request header")
        m = ROUTE.match(path.rstrip("/"))
        if not m or m.group(1) != self.aggregator_id:
            return 404, envelope_error("error.not_found", f"no route {method} {path}")
        route = (method, m.group(2))
        if route == ("POST", "payout"):
            return self.create(raw)
        if route == ("GET", "payments"):
            return self.payments(query)
        if route == ("GET", "title-fetch"):
            return self.title_fetch(query.get("iban", ""))
        if route == ("GET", "account-info"):
            return self.account_info(query)
        return 405, {"code": "error.method_not_allowed", "message": f"{method} not allowed"}

    def payments(self, query: dict) -> tuple[int, dict]:
        """List Payments: filtered by request_id, status and the creation window, then paged."""
        try:
            start, end = (int(query[k]) if k in query else None for k in ("start_date", "end_date"))
            limit, offset = int(query.get("limit", "10")), int(query.get("offset", "0"))
        except ValueError:
            return 400, {"code": "error.bad_request", "message": "start_date, end_date, limit and offset are integers"}
        if not 0 <= limit <= 100 or offset < 0:
            return 400, {"code": "error.bad_request", "message": "limit is 0-100, offset at least 0"}

        def matches(p: dict) -> bool:
            created = datetime.fromisoformat(p["created_at"]).timestamp()
            return (query.get("request_id") in (None, p["request_id"]) and query.get("status") in (None, p["status"])
                    and (start is None or created >= start) and (end is None or created <= end))

        found = [p for p in self.store.all("transfer") if matches(p)]
        return 200, {"api_version": "v1", "data": {"payments": found[offset:offset + limit], "count": str(len(found))}}

    def amount_text(self, minor: int) -> str:
        return amounts.major_text(minor, self.currency, trim_zero_fraction=True)

    def mark_paid(self, t: dict) -> None:
        t["txn_logs"].append(self.log(int(t["id"]), t["token"], self.SUCCESS, OUTCOMES["success"][1]))
        t["status"] = self.SUCCESS

    def file_row(self, kind: str, t: dict) -> dict:
        return {**t, "currency": self.currency}

    # -- payouts -----------------------------------------------------------------------------
    def create(self, raw: bytes) -> tuple[int, dict]:
        self.count("submissions")
        try:
            body = json.loads(raw or b"{}")
            request_id = str(uuid.UUID(str(body.get("request_id"))))
            amount = Decimal(str(body["amount"])) if isinstance(body.get("amount"), str) else None
            iban = IBAN(str(body.get("creditor_iban")))
        except (ValueError, KeyError, InvalidOperation, SchwiftyException) as e:
            return 400, {"code": "error.bad_request", "message": f"Invalid request parameters ({type(e).__name__})"}
        if amount is None or not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
            return 400, {"code": "error.bad_request", "message": "amount must be a positive PKR amount string"}
        if iban.country_code != "PK":
            return 400, {"code": "error.bad_request", "message": "creditor_iban must be a Pakistani IBAN"}
        with self.lock:
            if self.store.get("transfer", request_id):
                return 409, envelope_error("error.conflict", "a payout with this request_id already exists")
            kind = scenario(iban.compact)
            if kind == "transient" and self.store.bump("attempts", request_id) == 1:
                return 500, self.server_error()
            status, desc = OUTCOMES["success" if kind == "transient" else kind]
            n = len(self.store.all("transfer")) + 1
            ts = now_iso()
            token = f"pm_{uuid.uuid4()}"
            payment = {"id": str(n), "token": token, "aggregator_id": self.aggregator_id, "type": "PAYOUT",
                       "amount": body["amount"], "status": status, "request_id": request_id,
                       "creditor_iban": iban.compact, "trace_reference": str(uuid.uuid4()),
                       "created_at": ts, "updated_at": ts,
                       "txn_logs": [self.log(n, token, "P_INITIATED", ""), self.log(n, token, status, desc)]}
            self.store.add("transfer", request_id, payment)
        if status in FINAL:
            self.notify(payment)
        return 201, {"api_version": "v1", "data": payment}

    @staticmethod
    def log(n: int, token: str, status: str, desc: str) -> dict:
        return {"id": str(n), "type": "TLT_PAYMENT", "payment_id": token, "status": status, "txn_desc": desc,
                "token": f"txnlog_{uuid.uuid4()}", "timestamp": now_iso()}

    def resolve(self, key, status, reason):
        final = {"SUCCESS": "P_SETTLED", "FAILED": "P_FAILED"}.get(status)
        if final is None:
            return 400, {"message": "status must be SUCCESS or FAILED"}
        with self.lock:
            payment = self.store.get("transfer", key)
            if payment is None:
                return 404, {"message": "no such payout"}
            if payment["status"] in FINAL:
                return 409, {"message": f"payout is {payment['status']}"}
            desc = reason or OUTCOMES["success" if final == "P_SETTLED" else "fail"][1]
            payment["txn_logs"].append(self.log(int(payment["id"]), payment["token"], final, desc))
            payment.update(status=final, updated_at=now_iso())
            self.store.put("transfer", key, payment)
        self.notify(payment)
        return 200, {"api_version": "v1", "data": payment}

    def signed_callback(self, payment):
        event_id, event_type = f"evt_{uuid.uuid4()}", "payment.completed" if payment["status"] == "P_SETTLED" else "payment.failed"
        body = json.dumps({"id": event_id, "type": event_type, "created_at": now_iso(), "data": payment}).encode()
        return {"content-type": "application/json", **self.sign_callback(body),
                "X-SFPY-EVENT-ID": event_id, "X-SFPY-EVENT-TYPE": event_type,
                "X-SFPY-AGGREGATOR-ID": self.aggregator_id}, body

    def sign_callback(self, body: bytes, now: float | None = None) -> dict[str, str]:
        sent = datetime.now(timezone.utc) if now is None else datetime.fromtimestamp(now, timezone.utc)
        ts = sent.isoformat(timespec="microseconds").replace("+00:00", "Z")
        sig = hmac.new(self.webhook_key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"X-SFPY-SIGNATURE": sig, "X-SFPY-TIMESTAMP": ts}

    def sample_transfer(self, transfer_id: str, key: str, succeeded: bool) -> dict:
        status, desc = OUTCOMES["success" if succeeded else "fail"]
        ts, token = now_iso(), f"pm_{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
        return {"id": "1", "token": token, "aggregator_id": self.aggregator_id, "type": "PAYOUT", "amount": "5",
                "status": status, "request_id": key, "creditor_iban": "PK36SCBL0000001123456702",
                "trace_reference": str(uuid.uuid5(uuid.NAMESPACE_URL, token)), "created_at": ts, "updated_at": ts,
                "txn_logs": [self.log(1, token, "P_INITIATED", ""), self.log(1, token, status, desc)]}

    # -- account validation ------------------------------------------------------------------
    @staticmethod
    def account(iban: IBAN, title_fetch: bool) -> tuple[int, dict]:
        data = {"iban": iban.compact, "type": "CAS_CONST_UNSPECIFIED", "currency": "PKR",
                "servicer_member_id": f"{iban.bank_code}PKKA", "name": "", "is_default": True,
                "account_title": "", "account_type": "Account"}
        if title_fetch:
            if reason := verification(iban.compact):
                code = "error.account_invalid" if reason == FAIL_REASON else "error.account_blocked"
                return 422, envelope_error(code, reason)
            data["account_title"] = f"ACCOUNT HOLDER {iban.compact[-4:]}"
        return 200, {"api_version": "v1", "data": data}

    def title_fetch(self, iban: str) -> tuple[int, dict]:
        try:
            return self.account(IBAN(iban), title_fetch=True)
        except SchwiftyException:
            return 400, {"code": "error.bad_request", "message": "iban is invalid"}

    def account_info(self, query: dict) -> tuple[int, dict]:
        if "iban" in query:
            return self.title_fetch(query["iban"])
        if query.get("alias_type") != "MOBILE" or not query.get("alias_value", "").isdigit():
            return 400, {"code": "error.bad_request", "message": "alias_type MOBILE and a numeric alias_value are required"}
        number = phonenumbers.parse("+92" + query["alias_value"])
        wallet = NETWORK_WALLETS.get(carrier.name_for_number(number, "en"))
        if not phonenumbers.is_valid_number(number) or wallet is None:
            return 404, envelope_error("error.not_found", "no Raast ID registered for this mobile number")
        iban = IBAN.generate("PK", bank_code=wallet, account_code=str(number.national_number))
        return self.account(iban, title_fetch=query.get("with_title_fetch") == "true")


def serve_safepay(host: str, port: int, data_dir: Path, *, aggregator_id: str = "agg_local",
                  secret_key: str = "sfpy-local-secret",
                  webhook_secret_b64: str = base64.b64encode(b"sfpy-local-webhook-secret").decode(),
                  callback_url: str | None = None) -> tuple[LoopbackServer, SafepayStandin]:
    """Start the Safepay stand-in on ``host:port`` keeping its payouts in
    ``data_dir/safepay.sqlite3``; returns ``(server, state)``."""
    state = SafepayStandin(data_dir, aggregator_id, secret_key, webhook_secret_b64, callback_url)
    return serve_standin(state, host, port), state
