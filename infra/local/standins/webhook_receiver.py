"""A merchant's webhook receiver, locally: it verifies every delivery with the ``standardwebhooks``
library (as docs/events-and-webhooks.md tells merchants to), records what it received, and can be told to fail
or be slow, per receiving path, so tests and the demo sharing one local cloud do not disturb
each other.

    POST /hooks/<name>               a delivery (any path works; <name> is the path after /hooks/)
    POST /_control/<name>  {"secrets": ["whsec_…", …], "mode": "ok"|"fail"|"slow"|"gone",
                            "times": N, "status": 500, "delay_seconds": 3}
        secrets: the endpoint's signing secrets (a delivery verifies when any of them verifies it);
        fail: answer ``status`` (default 500) to the next ``times`` deliveries (every one when
        ``times`` is absent), then ok; slow: answer 200 after ``delay_seconds``; gone: answer 410.
    GET  /_received/<name>   {"deliveries": [{webhook_id, timestamp, signatures, verified,
                              verified_with, answered, received_at, body, raw, headers}, …],
                              "in_flight_max": most deliveries being answered at once}
    GET  /_stats             {"received", "verified", "unverified", "failed_on_purpose", "distinct_ids",
                              "retried_ids", "paths"}

A delivery that does not verify is answered 400 (a real receiver refuses it), counted and kept.
"""
from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

from standardwebhooks import Webhook, WebhookVerificationError

from infra.local.httpserver import JsonHandler, LoopbackServer, serve

MODES = ("ok", "fail", "slow", "gone")


class ReceiverState:
    """Per path: secrets, mode, and what arrived."""

    def __init__(self):
        self.lock = threading.Lock()
        self.config: dict[str, dict] = defaultdict(lambda: {"secrets": [], "mode": "ok", "times": None,
                                                            "status": 500, "delay_seconds": 3.0})
        self.received: dict[str, list[dict]] = defaultdict(list)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.in_flight_max: dict[str, int] = defaultdict(int)

    def enter(self, name: str, delta: int) -> None:
        """Count a delivery being answered (``delta`` 1) or done (-1) on ``name``."""
        with self.lock:
            self.in_flight[name] += delta
            self.in_flight_max[name] = max(self.in_flight_max[name], self.in_flight[name])

    def control(self, name: str, body: dict) -> tuple[int, dict]:
        if body.get("mode", "ok") not in MODES:
            return 400, {"message": f"mode must be one of {MODES}"}
        with self.lock:
            cfg = self.config[name]
            cfg.update({k: v for k, v in body.items() if k in ("secrets", "mode", "times", "status", "delay_seconds")})
            if "mode" in body and "times" not in body:
                cfg["times"] = None
            return 200, {k: v for k, v in cfg.items() if k != "secrets"} | {"secrets": len(cfg["secrets"])}

    def receive(self, name: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict, float]:
        """Verify and record one delivery; returns ``(status, body, delay)`` to answer with."""
        with self.lock:
            cfg = dict(self.config[name])
        verified_with = []
        for i, secret in enumerate(cfg["secrets"]):
            try:
                Webhook(secret).verify(raw, headers)
                verified_with.append(i)
            except (WebhookVerificationError, ValueError):
                pass
        verified = bool(verified_with)
        status, delay = 200, 0.0
        with self.lock:
            cfg = self.config[name]
            if not verified:
                status = 400
            elif cfg["mode"] == "gone":
                status = 410
            elif cfg["mode"] == "fail" and (cfg["times"] is None or cfg["times"] > 0):
                status = int(cfg["status"])
                if cfg["times"] is not None:
                    cfg["times"] -= 1
            elif cfg["mode"] == "slow":
                delay = float(cfg["delay_seconds"])
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            self.received[name].append({
                "webhook_id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"),
                "signatures": (headers.get("webhook-signature") or "").split(), "verified": verified,
                "verified_with": verified_with, "answered": status, "received_at": time.time(), "body": body,
                "raw": raw.decode("utf-8", "replace"), "headers": headers})
        answer = {"received": True} if status < 300 else {"error": "verification failed" if not verified else "on purpose"}
        return status, answer, delay

    def stats(self) -> dict:
        with self.lock:
            everything = [d for ds in self.received.values() for d in ds]
        ids = defaultdict(int)
        for d in everything:
            ids[d["webhook_id"]] += 1
        return {"received": len(everything), "verified": sum(d["verified"] for d in everything),
                "unverified": sum(not d["verified"] for d in everything),
                "failed_on_purpose": sum(d["verified"] and d["answered"] >= 300 for d in everything),
                "distinct_ids": len(ids), "retried_ids": sum(n > 1 for n in ids.values()),
                "paths": sorted(self.received)}


def serve_webhook_receiver(host: str, port: int) -> tuple[LoopbackServer, ReceiverState]:
    """Start the receiver on ``host:port`` (module docstring); returns the server and its state."""
    state = ReceiverState()

    class Handler(JsonHandler):
        def do_GET(self):
            if self.path == "/_stats":
                return self.reply(200, state.stats())
            if self.path.startswith("/_received/"):
                name = self.path.removeprefix("/_received/")
                with state.lock:
                    return self.reply(200, {"deliveries": list(state.received.get(name, [])),
                                            "in_flight_max": state.in_flight_max.get(name, 0)})
            self.reply(404, {"message": "not found"})

        def do_POST(self):
            n = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(n) if n else b""
            if self.path.startswith("/_control/"):
                return self.reply(*state.control(self.path.removeprefix("/_control/"), json.loads(raw or b"{}")))
            name = self.path.split("?", 1)[0].removeprefix("/hooks/").lstrip("/")
            state.enter(name, 1)
            try:
                status, answer, delay = state.receive(name, {k.lower(): v for k, v in self.headers.items()}, raw)
                if delay:
                    time.sleep(delay)
            finally:
                state.enter(name, -1)  # before answering: the sender's slot is free only after the answer
            try:
                self.reply(status, answer)
            except OSError:  # the sender gave up waiting
                self.close_connection = True

    return serve(host, port, Handler, "webhook-receiver", poll_interval=0.1), state
