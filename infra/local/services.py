"""Local stand-ins for the outside world: the sandbox payout provider and the fulfilment service.

Both are small HTTP servers on loopback. The fulfilment service has a control endpoint
(``POST /_control {"mode": "ok"|"fail"|"slow", "delay_seconds"}``) so tests can make it fail or
stall; ``GET /_stats`` counts the calls it received.
"""
from __future__ import annotations

import threading
import time
import uuid

from infra.local.httpserver import JsonHandler, serve


class SandboxProviderState:
    """Transfers by id; scenario by account-number suffix: 0001 success, 0002 one 503 then
    success, 0003 failure; anything else succeeds."""

    def __init__(self):
        self.transfers: dict[str, dict] = {}
        self.submissions: dict[str, int] = {}
        self.lock = threading.Lock()

    def submit(self, body: dict) -> tuple[int, dict]:
        tid = str(body.get("transfer_id") or "")
        account = str((body.get("beneficiary_details") or {}).get("bank_account_number") or "")
        amount = body.get("transfer_amount")
        if not tid or not isinstance(amount, int) or amount <= 0:
            return 400, {"status": "REJECTED", "reason": "transfer_id and a positive integer transfer_amount required"}
        with self.lock:
            if tid in self.transfers:
                return 200, self.transfers[tid]
            n = self.submissions[tid] = self.submissions.get(tid, 0) + 1
            if account.endswith("0002") and n == 1:
                return 503, {"message": "sandbox: temporarily unavailable"}
            status, reason = ("FAILED", "beneficiary bank rejected the transfer") if account.endswith("0003") else ("SUCCESS", None)
            t = {"transfer_id": tid, "cf_transfer_id": "cf_" + uuid.uuid4().hex[:16], "status": status,
                 "transfer_amount": amount, "reason": reason}
            self.transfers[tid] = t
            return 200, t


def serve_provider(host: str, port: int):
    state = SandboxProviderState()

    class H(JsonHandler):
        def do_POST(self):
            if self.path.rstrip("/") != "/payout/transfers":
                return self.reply(404, {"message": "not found"})
            self.reply(*state.submit(self.body()))

        def do_GET(self):
            if self.path == "/_stats":
                with state.lock:
                    return self.reply(200, {"transfers": len(state.transfers), "submissions": sum(state.submissions.values())})
            tid = self.path.rsplit("/", 1)[-1]
            with state.lock:
                t = state.transfers.get(tid)
            self.reply(200, t) if t else self.reply(404, {"message": "transfer not found"})

    return serve(host, port, H, "provider"), state


class FulfilmentState:
    def __init__(self):
        self.mode, self.delay, self.calls, self.orders = "ok", 10.0, 0, set()
        self.lock = threading.Lock()


def serve_fulfilment(host: str, port: int):
    state = FulfilmentState()

    class H(JsonHandler):
        def do_POST(self):
            body = self.body()
            if self.path == "/_control":
                with state.lock:
                    state.mode = body.get("mode", state.mode)
                    state.delay = float(body.get("delay_seconds", state.delay))
                return self.reply(200, {"mode": state.mode, "delay_seconds": state.delay})
            with state.lock:
                state.calls += 1
                mode, delay = state.mode, state.delay
            if mode == "fail":
                return self.reply(503, {"message": "fulfilment: failing on purpose"})
            if mode == "slow":
                time.sleep(delay)
            with state.lock:
                state.orders.add(body.get("order_id"))
            self.reply(200, {"fulfilment_id": "ful_" + uuid.uuid4().hex[:12], "order_id": body.get("order_id")})

        def do_GET(self):
            with state.lock:
                self.reply(200, {"mode": state.mode, "calls": state.calls, "orders": len(state.orders)})

    return serve(host, port, H, "fulfilment"), state
