"""Local stand-in for AirtelTigo Money in the Airtel Africa Open API shape
(:mod:`payrail.providers.connectors.airteltigo`), with the scenarios of :mod:`.momo`.

* ``POST /auth/oauth2/token`` (client credentials) -> bearer token.
* ``POST /standard/v2/disbursements/`` (``X-Country: GH``, ``X-Currency: GHS``, ``pin``) -> the
  envelope with ``transaction.status`` TS / TF / TIP; a repeated ``transaction.id`` answers the
  existing disbursement; no float -> 400 ``DP00900001007``, nothing created.
* ``GET /standard/v2/disbursements/{id}`` -> the envelope, or 404 ``DP00900001012``.
* ``POST /standard/v2/payments/refund`` ``{transaction: {airtel_money_id, id}}``, ``GET …/refund/{id}``.
* ``GET /standard/v1/users/balance``. Callbacks signed ``X-Signature`` = base64 HMAC-SHA256(body).
* Reconciliation (:mod:`.momo`): the settlement file is the merchant statement
  (:data:`payrail.providers.connectors.airteltigo.transformers.FILE_COLUMNS`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from pathlib import Path

from infra.local.httpserver import LoopbackServer
from infra.local.standins.common import serve_standin
from infra.local.standins.momo import HANG_SECONDS, MomoStandin
from payrail.providers.connectors import amounts
from payrail.providers.connectors.airteltigo.transformers import FILE_COLUMNS

ROUTE = re.compile(r"^/standard/v2/(disbursements|payments/refund)/?([0-9a-fA-F-]{36})?/?$")


def envelope(transaction: dict | None, code: str = "DP00900001001", http: str = "200", success: bool = True,
             message: str = "SUCCESS") -> dict:
    body = {"status": {"response_code": code, "code": http, "success": success, "result_code": "ESB000010",
                       "message": message}}
    if transaction is not None:
        body["data"] = {"transaction": transaction}
    return body


class AirtelTigoStandin(MomoStandin):
    name = "airteltigo"
    SUCCESS, FAILED, PENDING = "TS", "TF", "TIP"
    FAIL_REASON = "The payee is not registered for AirtelTigo Money"
    file_columns, FILE_TYPES = FILE_COLUMNS, ("B2C", "REFUND")

    def __init__(self, data_dir: Path, client_id: str, client_secret: str, pin: str, callback_secret: str,
                 callback_url: str | None = None):
        super().__init__(data_dir, callback_url)
        self.client_id, self.client_secret, self.pin, self.callback_secret = client_id, client_secret, pin, callback_secret

    def handle(self, method, path, query, headers, raw):
        if (method, path) == ("POST", "/auth/oauth2/token"):
            body = json.loads(raw or b"{}")
            if (body.get("client_id"), body.get("client_secret")) != (self.client_id, self.client_secret):
                return 401, {"error_description": "Invalid client authentication", "error": "invalid_client"}
            token = secrets.token_urlsafe(24)
            self.store.add("token", token, {"token": token})
            return 200, {"access_token": token, "expires_in": "180", "token_type": "bearer"}
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not self.store.get("token", auth[7:]):
            return 401, envelope(None, "DP00900001000", "401", False, "Unauthorized")
        if headers.get("x-country") != "GH" or headers.get("x-currency") != "GHS":
            return 400, envelope(None, "DP00900001003", "400", False, "X-Country GH and X-Currency GHS are required")
        if (method, path) == ("GET", "/standard/v1/users/balance"):
            return 200, {"data": {"balance": self.float_text(), "currency": "GHS", "account_status": "ACTIVE"},
                         **envelope(None)}
        m = ROUTE.match(path)
        if not m:
            return 404, envelope(None, "DP00900001012", "404", False, f"no route {method} {path}")
        kind = "transfer" if m.group(1) == "disbursements" else "reversal"
        if method == "GET" and m.group(2):
            t = self.read(kind, m.group(2).lower())
            return (200, envelope(self.view(t))) if t else \
                (404, envelope(None, "DP00900001012", "404", False, "Transaction not found"))
        if method != "POST":
            return 405, envelope(None, "DP00900001003", "405", False, "method not allowed")
        body = amounts.loads(raw or b"{}")  # amounts are JSON numbers: read exactly, never as floats
        tx = body.get("transaction") or {}
        if kind == "reversal":
            transfer = next((t for t in self.store.all("transfer") if t["provider_id"] == tx.get("airtel_money_id")), None)
            status, r = self.reverse(transfer["key"] if transfer else "", str(tx.get("id", "")), transfer["amount"]
                                     if transfer else "0")
            if status in (200, 201):
                return 200, envelope(self.view(r))
            return status, envelope(None, "DP00900001012" if status == 404 else "DP00900001003", str(status), False, str(r))
        if body.get("pin") != self.pin:
            return 400, envelope(None, "DP00900001004", "400", False, "Invalid PIN")
        msisdn = str((body.get("payee") or {}).get("msisdn", ""))
        if not msisdn.isdigit() or not tx.get("id"):
            return 400, envelope(None, "DP00900001003", "400", False, "payee.msisdn and transaction.id are required")
        outcome, t = self.create(str(tx["id"]).lower(), msisdn, str(tx.get("amount")), {})
        if outcome == "no_float":
            return 400, envelope(None, "DP00900001007", "400", False, "Insufficient funds in the disbursement wallet")
        if outcome == "no_answer":
            return None, HANG_SECONDS
        return 200, envelope(self.view(t))

    def view(self, t: dict) -> dict:
        return {"reference_id": t["provider_id"], "airtel_money_id": t["provider_id"], "id": t["key"],
                "status": t["status"], "message": t.get("reason") or ("Success" if t["status"] == self.SUCCESS
                                                                      else "In progress")}

    def signed_callback(self, transfer):
        t = self.view(transfer)
        body = json.dumps({"transaction": {"id": t["id"], "message": t["message"], "status_code": t["status"],
                                           "airtel_money_id": t["airtel_money_id"]}}).encode()
        return {"content-type": "application/json", **self.sign_callback(body)}, body

    def sign_callback(self, body: bytes, now: float | None = None) -> dict[str, str]:
        """Airtel signs the body only (no time)."""
        return {"X-Signature": base64.b64encode(hmac.new(self.callback_secret.encode(), body,
                                                          hashlib.sha256).digest()).decode()}


def serve_airteltigo(host: str, port: int, data_dir: Path, *, client_id: str, client_secret: str, pin: str,
                     callback_secret: str, callback_url: str | None = None) -> tuple[LoopbackServer, AirtelTigoStandin]:
    state = AirtelTigoStandin(data_dir, client_id, client_secret, pin, callback_secret, callback_url)
    return serve_standin(state, host, port), state
