"""Local stand-in for Telecel Cash disbursements in the assumed shape of
:mod:`payrail.providers.connectors.telecel`, with the scenarios of :mod:`.momo`: ``X-Api-Key`` /
``X-Merchant-Id`` checked (401); ``POST /v1/disbursements`` (409 on a repeated reference, 422
``INSUFFICIENT_FLOAT`` with nothing created), ``GET /v1/disbursements/{ref}``,
``POST /v1/disbursements/{ref}/reversals``, ``GET /v1/reversals/{ref}``, ``GET /v1/balance``;
callbacks signed ``X-Telecel-Signature: t=…,v1=<hex HMAC-SHA256("<t>.<body>")>``; the settlement
file is the settlement statement (:data:`payrail.providers.connectors.telecel.transformers.FILE_COLUMNS`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path

from infra.local.httpserver import LoopbackServer
from infra.local.standins.common import serve_standin
from infra.local.standins.momo import HANG_SECONDS, MomoStandin
from payrail.providers.connectors.telecel.transformers import FILE_COLUMNS

ROUTE = re.compile(r"^(?:/cash)?/v1/(disbursements|reversals)(?:/([0-9a-fA-F-]{36}))?(/reversals)?$")


class TelecelStandin(MomoStandin):
    name = "telecel"
    FAIL_REASON = "RECIPIENT_NOT_REGISTERED"
    file_columns, FILE_TYPES = FILE_COLUMNS, ("DISBURSEMENT", "REVERSAL")

    def __init__(self, data_dir: Path, merchant_id: str, api_key: str, callback_secret: str,
                 callback_url: str | None = None):
        super().__init__(data_dir, callback_url)
        self.merchant_id, self.api_key, self.callback_secret = merchant_id, api_key, callback_secret

    def handle(self, method, path, query, headers, raw):
        if headers.get("x-api-key") != self.api_key or headers.get("x-merchant-id") != self.merchant_id:
            return 401, {"code": "UNAUTHORIZED", "message": "invalid API key"}
        if (method, path.removeprefix("/cash")) == ("GET", "/v1/balance"):
            return 200, {"available": self.float_text(), "currency": "GHS"}
        m = ROUTE.match(path)
        if not m:
            return 404, {"code": "NOT_FOUND", "message": f"no route {method} {path}"}
        kind, ref, reversals = m.group(1), (m.group(2) or "").lower(), bool(m.group(3))
        if method == "GET" and ref and not reversals:
            t = self.read("transfer" if kind == "disbursements" else "reversal", ref)
            return (200, self.view(t)) if t else (404, {"code": "NOT_FOUND", "message": "no such reference"})
        if method != "POST" or kind != "disbursements":
            return 405, {"code": "METHOD_NOT_ALLOWED", "message": f"{method} not allowed"}
        body = json.loads(raw or b"{}")
        if reversals:
            status, r = self.reverse(ref, str(body.get("reference", "")).lower(), str(body.get("amount")))
            if status in (200, 201):
                return (201 if status == 201 else 409), self.view(r)
            return (404, {"code": "NOT_FOUND", "message": str(r)}) if status == 404 else \
                (422, {"code": "NOT_REVERSIBLE", "message": str(r)})
        if body.get("currency") != "GHS" or not str(body.get("msisdn", "")).isdigit() or not body.get("reference"):
            return 400, {"code": "BAD_REQUEST", "message": "reference, msisdn and currency GHS are required"}
        outcome, t = self.create(str(body["reference"]).lower(), str(body["msisdn"]), str(body.get("amount")), {})
        if outcome == "exists":
            return 409, {"code": "DUPLICATE_REFERENCE", "message": "reference already used"}
        if outcome == "no_float":
            return 422, {"code": "INSUFFICIENT_FLOAT", "message": "merchant float is insufficient"}
        if outcome == "no_answer":
            return None, HANG_SECONDS
        return 201, self.view(t)

    def view(self, t: dict) -> dict:
        return {"reference": t["key"], "transaction_id": t["provider_id"], "amount": t["amount"], "currency": "GHS",
                "status": t["status"], "reason": t.get("reason"), "created_at": t["created_at"]}

    def signed_callback(self, transfer):
        body = json.dumps({"event": "disbursement.updated", "data": self.view(transfer)}).encode()
        return {"content-type": "application/json", **self.sign_callback(body)}, body

    def sign_callback(self, body: bytes, now: float | None = None) -> dict[str, str]:
        ts = int(time.time() if now is None else now)
        sig = hmac.new(self.callback_secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        return {"X-Telecel-Signature": f"t={ts},v1={sig}"}


def serve_telecel(host: str, port: int, data_dir: Path, *, merchant_id: str, api_key: str,
                  callback_secret: str, callback_url: str | None = None) -> tuple[LoopbackServer, TelecelStandin]:
    state = TelecelStandin(data_dir, merchant_id, api_key, callback_secret, callback_url)
    return serve_standin(state, host, port), state
