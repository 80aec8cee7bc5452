"""Local stand-in for MTN MoMo Open API Disbursement (the shapes :mod:`payrail.providers.connectors.mtn_momo`
follows), with the scenarios of :mod:`.momo` by the payee number's last digit.

* ``POST /disbursement/token/`` (Basic api user:api key + ``Ocp-Apim-Subscription-Key``) ->
  ``{access_token, token_type, expires_in}``; every other call needs that bearer token, the
  subscription key and ``X-Target-Environment`` (401 / 400 otherwise).
* ``POST /disbursement/v1_0/transfer`` (``X-Reference-Id`` UUID) -> 202; a reused reference ->
  409 ``RESOURCE_ALREADY_EXIST`` (never a second transfer). ``GET …/transfer/{ref}`` -> the
  transfer or 404 ``RESOURCE_NOT_FOUND``.
* ``POST /disbursement/v1_0/refund`` (``referenceIdToRefund``) -> 202; ``GET …/refund/{ref}``.
* ``GET /disbursement/v1_0/account/balance`` -> ``{availableBalance, currency}``.
* Scenario 5 (no float) is what MTN does: the transfer is accepted and FAILS with
  ``NOT_ENOUGH_FUNDS``; scenario 3 fails with ``PAYEE_NOT_FOUND``.
* Final transfers are sent (unsigned, as MTN does) to the request's ``X-Callback-Url``.
* Reconciliation (:mod:`.momo`): the settlement file is the transaction history report
  (:data:`payrail.providers.connectors.mtn_momo.transformers.FILE_COLUMNS`).
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import uuid
from pathlib import Path

from infra.local.httpserver import LoopbackServer
from infra.local.standins.common import serve_standin
from infra.local.standins.momo import HANG_SECONDS, MomoStandin
from payrail.providers.connectors.mtn_momo.transformers import FILE_COLUMNS

ROUTE = re.compile(r"^/disbursement/v1_0/(transfer|refund)(?:/([0-9a-fA-F-]{36}))?$")


def error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


class MtnMomoStandin(MomoStandin):
    name = "mtn_momo"
    SUCCESS, FAILED, PENDING = "SUCCESSFUL", "FAILED", "PENDING"
    FAIL_REASON, FLOAT_REASON = "PAYEE_NOT_FOUND", "NOT_ENOUGH_FUNDS"
    refuses_without_creating = False
    file_columns = FILE_COLUMNS

    def __init__(self, data_dir: Path, api_user: str, api_key: str, subscription_key: str,
                 target_environment: str = "sandbox", callback_url: str | None = None):
        super().__init__(data_dir, callback_url)
        self.api_user, self.api_key, self.subscription_key = api_user, api_key, subscription_key
        self.environment = target_environment

    def handle(self, method, path, query, headers, raw):
        if headers.get("ocp-apim-subscription-key") != self.subscription_key:
            return 401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
        if (method, path) == ("POST", "/disbursement/token/"):
            basic = base64.b64encode(f"{self.api_user}:{self.api_key}".encode()).decode()
            if headers.get("authorization") != f"Basic {basic}":
                return 401, {"error": "login_failed", "error_description": "Login failed"}
            token = secrets.token_urlsafe(24)
            self.store.add("token", token, {"token": token})
            return 200, {"access_token": token, "token_type": "access_token", "expires_in": 3600}
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not self.store.get("token", auth[7:]):
            return 401, {"statusCode": 401, "message": "Access denied due to invalid access token."}
        if headers.get("x-target-environment") != self.environment:
            return 400, error("NOT_ALLOWED_TARGET_ENVIRONMENT", "target environment is not allowed")
        if (method, path) == ("GET", "/disbursement/v1_0/account/balance"):
            return 200, {"availableBalance": self.float_text(), "currency": "GHS"}
        m = ROUTE.match(path)
        if not m:
            return 404, error("RESOURCE_NOT_FOUND", f"no route {method} {path}")
        kind = "transfer" if m.group(1) == "transfer" else "reversal"
        if method == "GET" and m.group(2):
            t = self.read(kind, m.group(2).lower())
            return (200, self.view(t)) if t else (404, error("RESOURCE_NOT_FOUND", "Requested resource was not found."))
        if method != "POST" or m.group(2):
            return 405, error("NOT_ALLOWED", f"{method} not allowed")
        try:
            ref = str(uuid.UUID(headers.get("x-reference-id", "")))
            body = json.loads(raw or b"{}")
            amount = str(body["amount"])
        except (ValueError, KeyError, TypeError):
            return 400, error("INVALID_REFERENCE_ID" if "x-reference-id" not in headers else "BAD_REQUEST",
                              "X-Reference-Id must be a UUID and the body must carry amount")
        if body.get("currency") != "GHS":
            return 400, error("INVALID_CURRENCY", "Currency not supported.")
        if kind == "reversal":
            status, r = self.reverse(str(body.get("referenceIdToRefund", "")), ref, amount,
                                     {"externalId": body.get("externalId")})
            if status in (200, 201):
                return 202, {}
            return (404, error("RESOURCE_NOT_FOUND", str(r))) if status == 404 else (400, error("NOT_ALLOWED", str(r)))
        payee = body.get("payee") or {}
        if payee.get("partyIdType") != "MSISDN" or not str(payee.get("partyId", "")).isdigit():
            return 400, error("PAYEE_NOT_FOUND", "payee must be an MSISDN")
        outcome, t = self.create(ref, str(payee["partyId"]), amount,
                                 {"externalId": body.get("externalId"), "callback_url": headers.get("x-callback-url")})
        if outcome == "exists":
            return 409, error("RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
        if outcome == "no_answer":
            return None, HANG_SECONDS
        return 202, {}

    def view(self, t: dict) -> dict:
        out = {"amount": t["amount"], "currency": "GHS", "financialTransactionId": t["provider_id"],
               "externalId": t.get("externalId") or t["key"],
               "payee": {"partyIdType": "MSISDN", "partyId": t.get("msisdn")}, "payerMessage": "", "payeeNote": "",
               "status": t["status"]}
        if t["status"] == self.FAILED:
            out["reason"] = t.get("reason") or self.FAIL_REASON
        return out

    def file_row(self, kind: str, t: dict) -> dict:
        return {"financialTransactionId": t["provider_id"], "externalId": t.get("externalId") or "",
                "referenceId": t["key"], "type": self.FILE_TYPES[kind != "transfer"], "amount": t["amount"],
                "currency": self.currency, "status": t["status"], "timestamp": t.get("booked_at") or t["created_at"],
                "referenceIdToRefund": t.get("transfer_key") or ""}

    def notify(self, transfer: dict) -> None:
        url = transfer.get("callback_url") or self.callback_url
        if url:
            saved, self.callback_url = self.callback_url, url
            try:
                super().notify(transfer)
            finally:
                self.callback_url = saved

    def signed_callback(self, transfer):
        return {"content-type": "application/json"}, json.dumps(self.view(transfer)).encode()


def serve_mtn_momo(host: str, port: int, data_dir: Path, *, api_user: str, api_key: str, subscription_key: str,
                   target_environment: str = "sandbox", callback_url: str | None = None
                   ) -> tuple[LoopbackServer, MtnMomoStandin]:
    """Start the MTN MoMo stand-in on ``host:port`` (state in ``data_dir/mtn_momo.sqlite3``)."""
    state = MtnMomoStandin(data_dir, api_user, api_key, subscription_key, target_environment, callback_url)
    return serve_standin(state, host, port), state
