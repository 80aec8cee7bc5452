"""What the Ghana mobile-money stand-ins share (MTN MoMo, AirtelTigo, Telecel Cash): scenarios by
the recipient number's **last digit**, disbursements and reversals on disk, payrail's float at
the provider, and the back office's control endpoint (``POST /_control/transfers/<key>``).

    …1 success            …2 PENDING, then SUCCESS after ``PENDING_SECONDS`` (2 s)
    …3 FAILED with the provider's reason (recipient not registered)
    …4 no answer: the disbursement is created PENDING and the connection hangs up after
       ``HANG_SECONDS``; it stays PENDING until the back office settles it
    …5 the recipient's own (on-net) provider refuses for lack of float in payrail's account there
       (nothing paid); the other providers, reaching it off-net, pay it
    any other digit: success

Reconciliation (:mod:`.common`): each disbursement and reversal keeps ``booked_at`` (when it reached
its state); the settlement file is in the columns of its connector's ``FILE_COLUMNS``; the balance
endpoint reports payrail's float (``FLOAT_MAJOR`` cedis, moved by ``float_drift`` breaks or set with
``POST /_control/float``).
"""
from __future__ import annotations

import time
from abc import abstractmethod

import phonenumbers
from phonenumbers import carrier
from pathlib import Path

from infra.local.standins.common import Standin, now_iso

PENDING_SECONDS = 2.0
HANG_SECONDS = 8.0
FLOAT_MAJOR = "1000000.00"  # payrail's float at each stand-in provider (GHS)
FLOAT_MINOR = 100_000_000
SCENARIOS = {"1": "success", "2": "pending", "3": "fail", "4": "no_answer", "5": "no_float"}


NETWORKS = {"mtn_momo": "MTN", "airteltigo": "at", "telecel": "Telecel"}


def scenario(msisdn: str, provider: str | None = None) -> str:
    """``success | pending | fail | no_answer | no_float`` by the number's last digit (``no_float``
    only at the number's own network's provider: off-net providers pay it)."""
    kind = SCENARIOS.get(msisdn.strip()[-1:], "success")
    if kind == "no_float" and provider:
        digits = msisdn.strip().lstrip("+")
        number = phonenumbers.parse("+" + digits if digits.startswith("233") else "+233" + digits)
        if carrier.name_for_number(number, "en") != NETWORKS.get(provider):
            return "success"
    return kind


class MomoStandin(Standin):
    """Disbursements (``transfer``) and reversals (``reversal``) by the provider's key, each a
    dict with ``status`` in the provider's words and ``settle_at`` (epoch s) for scenario 2.
    Subclasses map their API onto :meth:`create`, :meth:`read`, :meth:`reverse`."""

    #: the provider's words for success, failure and pending
    SUCCESS, FAILED, PENDING = "SUCCESS", "FAILED", "PENDING"
    FAIL_REASON = "recipient not registered"
    FLOAT_REASON = "insufficient float"
    currency, opening_float = "GHS", FLOAT_MINOR
    #: the settlement file's ``type`` of a disbursement and of a reversal
    FILE_TYPES = ("TRANSFER", "REFUND")

    def __init__(self, data_dir: Path, callback_url: str | None = None):
        super().__init__(data_dir, callback_url)

    def create(self, key: str, msisdn: str, amount: str, extra: dict) -> tuple[str, dict | None]:
        """Create (or find) a disbursement: ``(outcome, transfer)`` with outcome ``created``,
        ``exists``, ``no_float`` (nothing created) or ``no_answer`` (created, answer lost)."""
        self.count("submissions")
        kind = scenario(msisdn, self.name)
        with self.lock:
            existing = self.store.get("transfer", key)
            if existing:
                return "exists", existing
            if kind == "no_float" and self.refuses_without_creating:
                return "no_float", None
            status, reason = {"success": (self.SUCCESS, None), "pending": (self.PENDING, None),
                              "fail": (self.FAILED, self.FAIL_REASON), "no_answer": (self.PENDING, None),
                              "no_float": (self.FAILED, self.FLOAT_REASON)}[kind]
            t = {"key": key, "msisdn": msisdn, "amount": amount, "status": status, "reason": reason,
                 "provider_id": f"{self.name[:3].upper()}{int(time.time() * 1000)}{len(key)}",
                 "created_at": now_iso(), "booked_at": now_iso(), "scenario": kind,
                 "settle_at": time.time() + PENDING_SECONDS if kind == "pending" else None, **extra}
            self.store.add("transfer", key, t)
        if status != self.PENDING:
            self.notify(t)
        return ("no_answer" if kind == "no_answer" else "created"), t

    #: whether a lack of float is refused synchronously (nothing created) or recorded as a FAILED transfer
    refuses_without_creating = True

    def read(self, kind: str, key: str) -> dict | None:
        """A transfer or reversal, settling a scenario-2 transfer whose time has come."""
        with self.lock:
            t = self.store.get(kind, key)
            if t and t.get("settle_at") and t["status"] == self.PENDING and time.time() >= t["settle_at"]:
                t.update(status=self.SUCCESS, settle_at=None, updated_at=now_iso(), booked_at=now_iso())
                self.store.put(kind, key, t)
                settled = True
            else:
                settled = False
        if settled:
            self.notify(t)
        return t

    def reverse(self, transfer_key: str, reversal_key: str, amount: str, extra: dict | None = None
                ) -> tuple[int, dict | str]:
        """``(201, reversal)``, ``(200, existing reversal)``, ``(404, reason)`` or ``(409, reason)``;
        ``extra`` fields are kept with a new reversal."""
        with self.lock:
            existing = self.store.get("reversal", reversal_key)
            if existing:
                return 200, existing
            t = self.store.get("transfer", transfer_key)
            if t is None:
                return 404, "no such transfer"
            if t["status"] != self.SUCCESS:
                return 409, f"transfer is {t['status']}"
            r = {"key": reversal_key, "transfer_key": transfer_key, "amount": amount, "status": self.SUCCESS,
                 "reason": None, "provider_id": f"REV{int(time.time() * 1000)}", "created_at": now_iso(),
                 "booked_at": now_iso(), **(extra or {})}
            self.store.add("reversal", reversal_key, r)
            t["reversed"] = True
            self.store.put("transfer", transfer_key, t)
            return 201, r

    def resolve(self, key, status, reason):
        final = {"SUCCESS": self.SUCCESS, "FAILED": self.FAILED}.get(status)
        if final is None:
            return 400, {"message": "status must be SUCCESS or FAILED"}
        with self.lock:
            t = self.store.get("transfer", key)
            if t is None:
                return 404, {"message": "no such transfer"}
            if t["status"] != self.PENDING:
                return 409, {"message": f"transfer is {t['status']}"}
            t.update(status=final, reason=reason or (self.FAIL_REASON if final == self.FAILED else None),
                     settle_at=None, updated_at=now_iso(), booked_at=now_iso())
            self.store.put("transfer", key, t)
        self.notify(t)
        return 200, self.view(t)

    def file_row(self, kind: str, t: dict) -> dict:
        """The row in this provider's columns; :meth:`file_values` gives the values by meaning."""
        return dict(zip(self.file_columns, self.file_values(kind, t)))

    def file_values(self, kind: str, t: dict) -> tuple:
        """``(payrail's key, provider reference, type, amount, currency, status, booked at, key of the
        transfer reversed)`` of a stored disbursement or reversal (a provider with other columns
        overrides :meth:`file_row`)."""
        return (t["key"], t["provider_id"], self.FILE_TYPES[kind != "transfer"], t["amount"], self.currency,
                t["status"], t.get("booked_at") or t["created_at"], t.get("transfer_key"))

    @abstractmethod
    def view(self, t: dict) -> dict:
        """The provider's body for a stored transfer."""

    def sample_transfer(self, transfer_id: str, key: str, succeeded: bool) -> dict:
        return {"key": key, "externalId": transfer_id, "msisdn": "233241234561", "amount": "10.00",
                "status": self.SUCCESS if succeeded else self.FAILED, "reason": None if succeeded else self.FAIL_REASON,
                "provider_id": f"{self.name[:3].upper()}1000", "created_at": now_iso(), "scenario": "success"}

    def server_error(self):
        return {"code": "INTERNAL_PROCESSING_ERROR", "message": "service unavailable, retry later"}
