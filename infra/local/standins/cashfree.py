"""Local stand-in for Cashfree Payouts V2 (the shapes :mod:`payrail.providers.connectors.cashfree` follows).

* ``POST /payout/transfers`` and ``GET /payout/transfers?transfer_id=|cf_transfer_id=``, with
  ``x-client-id`` / ``x-client-secret`` checked (401) and ``x-api-version`` required (400);
  ErrorV2 bodies ``{type, code, message}``; a repeated ``transfer_id`` answers 409
  ``transfer_id_already_exists`` and never creates a second transfer.
* ``transfer_amount`` is read as an exact decimal (>= 1.00, at most 2 places) and echoed exactly.
* ``POST /verification/bank-account/sync`` and ``POST /verification/upi``.
* Scenarios (:mod:`.common`) by the account number, or the VPA's local part; Cashfree's sandbox
  VPAs ``success@upi`` succeed and ``invalid@upi`` fail. The stand-in settles at once, so a
  create answers SUCCESS / FAILED / PENDING / APPROVAL_PENDING directly (the real API may
  answer RECEIVED first).
* Reconciliation (:mod:`.common`): the settlement file is the daily transfer report in the columns
  of :data:`payrail.providers.connectors.cashfree.transformers.FILE_COLUMNS`, booked at
  ``updated_on``; the break controls apply.
* A transfer reaching SUCCESS or FAILED is announced to the callback URL as Cashfree's V2
  webhook ``{type, event_time, data}`` signed with the client secret
  (``x-webhook-signature`` = base64 HMAC-SHA256 of ``x-webhook-timestamp`` (ms) + body).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from decimal import Decimal
from pathlib import Path

from infra.local.httpserver import LoopbackServer
from infra.local.standins.common import FAIL_REASON, HOLD_REASON, Standin, now_iso, scenario, serve_standin, \
    verification
from payrail.providers.connectors import amounts
from payrail.providers.connectors.cashfree.transformers import FILE_COLUMNS

TRANSFER_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")
IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
ACCOUNT = re.compile(r"^[A-Za-z0-9]{9,18}$")
MODES = {"banktransfer", "imps", "neft", "rtgs", "upi"}

OUTCOMES = {  # scenario -> (status, status_code, status_description)
    "success": ("SUCCESS", "COMPLETED", "The transfer has been credited to the end beneficiary."),
    "fail": ("FAILED", "INVALID_ACCOUNT_FAIL", FAIL_REASON),
    "pending": ("PENDING", "PENDING", "The transfer is pending at the partner bank."),
    "hold": ("APPROVAL_PENDING", "ANOMALY_DETECTION", HOLD_REASON),
}


def error(code: str, message: str, type_: str = "invalid_request_error") -> dict:
    return {"type": type_, "code": code, "message": message}


class CashfreeStandin(Standin):
    name = "cashfree"
    amount_field = "transfer_amount"
    currency, file_columns, booked_field = "INR", FILE_COLUMNS, "updated_on"

    def __init__(self, data_dir: Path, client_id: str, client_secret: str, callback_url: str | None = None):
        super().__init__(data_dir, callback_url)
        self.client_id, self.client_secret = client_id, client_secret

    def server_error(self) -> dict:
        return error("internal_server_error", "Error at cashfree's server", "api_error")

    def handle(self, method, path, query, headers, raw):
        if headers.get("x-client-id") != self.client_id or headers.get("x-client-secret") != self.client_secret:
            return 401, error("authentication_failed", "invalid client id or secret", "authentication_error")
        if not headers.get("x-api-version"):
            return 400, error("x_api_version_missing", "x-api-version header is missing")
        try:
            body = amounts.loads(raw) if raw else {}
        except ValueError:
            return 400, error("request_invalid", "body is not JSON")
        route = (method, path.rstrip("/"))
        if route == ("POST", "/payout/transfers"):
            return self.create(body)
        if route == ("GET", "/payout/transfers"):
            return self.lookup(query)
        if route == ("POST", "/verification/bank-account/sync"):
            return self.verify_bank(body)
        if route == ("POST", "/verification/upi"):
            return self.verify_upi(body)
        return 404, error("not_found", f"no route {method} {path}")

    # -- transfers ---------------------------------------------------------------------------
    def create(self, body: dict) -> tuple[int, dict]:
        self.count("submissions")
        tid = body.get("transfer_id")
        if not isinstance(tid, str) or not TRANSFER_ID.match(tid):
            return 400, error("transfer_id_invalid", "transfer_id should be alphanumeric (and _), at most 40 characters")
        amount = body.get("transfer_amount")
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = Decimal(amount)
        if not isinstance(amount, Decimal) or amount < 1 or amount.as_tuple().exponent < -2:
            return 400, error("transfer_amount_invalid", "transfer_amount should be greater then 1.00, with at most 2 decimals")
        mode = body.get("transfer_mode", "banktransfer")
        ben = body.get("beneficiary_details") or {}
        inst = ben.get("beneficiary_instrument_details") or {}
        if mode not in MODES:
            return 400, error("transfer_mode_invalid", f"transfer_mode is invalid: {mode!r}")
        if mode == "upi":
            if not re.match(r"^[A-Za-z0-9.\-_]+@[A-Za-z0-9.\-]+$", str(inst.get("vpa") or "")):
                return 400, error("beneficiary_details.beneficiary_instrument_details.vpa_invalid", "vpa is in invalid format")
            vpa = inst["vpa"]
            key = {"success@upi": "0001", "invalid@upi": "0003"}.get(vpa, vpa.split("@")[0])
        else:
            if not ACCOUNT.match(str(inst.get("bank_account_number") or "")):
                return 400, error("beneficiary_details.beneficiary_instrument_details.bank_account_number_invalid",
                                  "bank_account_number should be alphanumeric, 9 to 18 characters")
            if not IFSC.match(str(inst.get("bank_ifsc") or "")):
                return 400, error("beneficiary_details.beneficiary_instrument_details.bank_ifsc_invalid",
                                  "bank_ifsc should be in standard ifsc format")
            key = inst["bank_account_number"]
        if not re.match(r"^[^\W\d_]+( [^\W\d_]+)*$", str(ben.get("beneficiary_name") or "")):
            return 400, error("beneficiary_details.beneficiary_name_invalid",
                              "beneficiary_name is invalid. only alphabets and whitespaces are allowed")
        with self.lock:
            if self.store.get("transfer", tid):
                return 409, error("transfer_id_already_exists", "transfer_id already exists. please pass unique id in each request")
            kind = scenario(key)
            if kind == "transient" and self.store.bump("attempts", tid) == 1:
                return 500, self.server_error()
            status, code, description = OUTCOMES["success" if kind == "transient" else kind]
            if kind == "fail" and mode == "upi":
                code, description = "INVALID_VPA_FAIL", "The beneficiary VPA is invalid"
            ts = now_iso()
            transfer = {"transfer_id": tid, "cf_transfer_id": str(100000 + len(self.store.all("transfer"))),
                        "status": status, "status_code": code, "status_description": description,
                        "beneficiary_details": ben, "transfer_amount": str(amount), "transfer_mode": mode.upper(),
                        "added_on": ts, "updated_on": ts}
            if status == "SUCCESS":
                transfer["transfer_utr"] = f"UTR{transfer['cf_transfer_id']}"
            self.store.add("transfer", tid, transfer)
        if status in ("SUCCESS", "FAILED"):
            self.notify(transfer)
        return 200, self.view(transfer)

    def lookup(self, query: dict) -> tuple[int, dict]:
        if tid := query.get("transfer_id"):
            transfer = self.store.get("transfer", tid)
            missing = error("transfer_id_not_found", "transfer_id does not exist")
        elif cf := query.get("cf_transfer_id"):
            transfer = next((t for t in self.store.all("transfer") if t["cf_transfer_id"] == cf), None)
            missing = error("cf_transfer_id_not_found", "cf_transfer_id does not exist")
        else:
            return 400, error("transfer_id_missing", "either transfer_id or cf_transfer_id is required")
        return (200, self.view(transfer)) if transfer else (404, missing)

    @staticmethod
    def view(transfer: dict) -> dict:
        return {**transfer, "transfer_amount": Decimal(transfer["transfer_amount"])}

    def resolve(self, key, status, reason):
        if status not in ("SUCCESS", "FAILED"):
            return 400, {"message": "status must be SUCCESS or FAILED"}
        with self.lock:
            transfer = self.store.get("transfer", key)
            if transfer is None:
                return 404, {"message": "no such transfer"}
            if transfer["status"] not in ("PENDING", "APPROVAL_PENDING", "RECEIVED"):
                return 409, {"message": f"transfer is {transfer['status']}"}
            code, description = OUTCOMES["success" if status == "SUCCESS" else "fail"][1:]
            transfer.update(status=status, status_code=code, status_description=reason or description,
                            updated_on=now_iso())
            self.store.put("transfer", key, transfer)
        self.notify(transfer)
        return 200, self.view(transfer)

    def mark_paid(self, t: dict) -> None:
        status, code, description = OUTCOMES["success"]
        t.update(status=status, status_code=code, status_description=description,
                 transfer_utr=f"UTR{t['cf_transfer_id']}")

    def file_row(self, kind: str, t: dict) -> dict:
        return {**t, "transfer_currency": self.currency}

    def signed_callback(self, transfer):
        body = amounts.dumps({"type": f"TRANSFER_{transfer['status']}", "event_time": now_iso(),
                              "data": self.view(transfer)}).encode()
        return {"content-type": "application/json", **self.sign_callback(body), "x-webhook-version": "2024-01-01"}, body

    def sign_callback(self, body: bytes, now: float | None = None) -> dict[str, str]:
        ts = str(int((time.time() if now is None else now) * 1000))
        sig = base64.b64encode(hmac.new(self.client_secret.encode(), ts.encode() + body, hashlib.sha256).digest())
        return {"x-webhook-timestamp": ts, "x-webhook-signature": sig.decode()}

    def sample_transfer(self, transfer_id: str, key: str, succeeded: bool) -> dict:
        status, code, description = OUTCOMES["success" if succeeded else "fail"]
        ts = now_iso()
        return {"transfer_id": key, "cf_transfer_id": "100000", "status": status, "status_code": code,
                "status_description": description, "transfer_amount": "5.00", "transfer_mode": "UPI",
                "beneficiary_details": {"beneficiary_name": "Fuzz Payee",
                                        "beneficiary_instrument_details": {"vpa": "success@upi"}},
                "added_on": ts, "updated_on": ts} | ({"transfer_utr": "UTR100000"} if succeeded else {})

    # -- verification ------------------------------------------------------------------------
    def verify_bank(self, body: dict) -> tuple[int, dict]:
        account, ifsc = str(body.get("bank_account") or ""), str(body.get("ifsc") or "")
        if not ACCOUNT.match(account) or not IFSC.match(ifsc):
            return 400, error("bank_account_invalid", "bank_account and a valid ifsc are required", "validation_error")
        reason = verification(account)
        code = {None: "ACCOUNT_IS_VALID", FAIL_REASON: "INVALID_ACCOUNT_FAIL"}.get(reason, "ACCOUNT_BLOCKED")
        return 200, {"reference_id": int(hashlib.sha256(account.encode()).hexdigest()[:7], 16), "account_status": "INVALID" if reason else "VALID",
                     "account_status_code": code, "name_at_bank": None if reason else title(body.get("name"))}

    def verify_upi(self, body: dict) -> tuple[int, dict]:
        vpa = str(body.get("vpa") or "")
        if "@" not in vpa:
            return 400, error("vpa_invalid", "vpa is in invalid format", "validation_error")
        reason = FAIL_REASON if vpa == "invalid@upi" else verification(vpa.split("@")[0])
        return 200, {"vpa": vpa, "status": "INVALID" if reason else "VALID",
                     "name_at_bank": None if reason else title(body.get("name"))}


def title(name) -> str:
    return str(name or "Test Account Holder").upper()


def serve_cashfree(host: str, port: int, data_dir: Path, *, client_id: str = "cf-local-client",
                   client_secret: str = "cf-local-secret",
                   callback_url: str | None = None) -> tuple[LoopbackServer, CashfreeStandin]:
    """Start the Cashfree stand-in on ``host:port`` keeping its transfers in
    ``data_dir/cashfree.sqlite3``; returns ``(server, state)`` (``server.shutdown()`` stops it)."""
    state = CashfreeStandin(data_dir, client_id, client_secret, callback_url)
    return serve_standin(state, host, port), state
