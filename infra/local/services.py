"""Local stand-in for the fulfilment service (the payout providers' stand-ins are in
:mod:`infra.local.standins`).

A small HTTP server on loopback, idempotent by
``Idempotency-Key``, answers status lookups, keeps its state in a file, and has a control
endpoint (``POST /_control {"mode": "ok"|"fail"|"slow"|"lost"|"unavailable", "delay_seconds"}``)
so tests can make it refuse, stall, lose its answers or go away; ``GET /_stats`` counts the calls
it received and the fulfilments per order.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import unquote

from infra.local.httpserver import JsonHandler, serve


class FulfilmentState:
    """The stand-in fulfilment service's memory, one record per ``Idempotency-Key``:
    ``{order_id, status: PROCESSING|FULFILLED|FAILED, fulfilment_id?, reason?}``, and how many times
    each order was fulfilled (the work done: the service does it once per key, so an order
    fulfilled twice was sent under two keys).

    Kept in the JSON file ``path`` when given, so it survives a restart of the platform; work in
    progress at a restart is finished when the file is loaded (the service keeps what it accepted).
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self.mode, self.delay = "ok", 10.0
        self.calls = {"posts": 0, "lookups": 0}
        self.records: dict[str, dict] = {}
        self.fulfilled: dict[str, int] = {}
        self.lock = threading.Lock()
        if path and path.exists():
            saved = json.loads(path.read_text())
            self.records, self.fulfilled = saved["records"], saved["fulfilled"]
            for key, r in self.records.items():
                if r["status"] == "PROCESSING":
                    self._complete(key, failed=False)
            self._save()

    def receive(self, key: str, body: dict) -> tuple[int, dict] | None:
        """A POST with ``key``: the answer for a key seen before (the first result, or 409 while
        the first request is in progress), or None after recording the new key as PROCESSING (the
        caller then does the work and calls :meth:`complete`)."""
        with self.lock:
            self.calls["posts"] += 1
            r = self.records.get(key)
            if r is None:
                self.records[key] = {"order_id": body.get("order_id"), "status": "PROCESSING"}
                self._save()
                return None
            if r["status"] == "PROCESSING":
                return 409, {**r, "message": "a request with this Idempotency-Key is in progress"}
            return (200 if r["status"] == "FULFILLED" else 422), dict(r)

    def complete(self, key: str, failed: bool) -> tuple[int, dict]:
        """Finish the work of ``key``: fulfilled, or refused when ``failed``. Returns the answer."""
        with self.lock:
            r = dict(self._complete(key, failed))
            self._save()
        return (422 if failed else 200), r

    def lookup(self, key: str) -> dict | None:
        with self.lock:
            self.calls["lookups"] += 1
            r = self.records.get(key)
            return dict(r) if r else None

    def stats(self) -> dict:
        with self.lock:
            return {"mode": self.mode, "delay_seconds": self.delay, **self.calls,
                    "orders": len(self.fulfilled), "fulfilled": dict(self.fulfilled)}

    def _complete(self, key: str, failed: bool) -> dict:
        r = self.records[key]
        if failed:
            r.update(status="FAILED", reason="fulfilment refused the order")
        else:
            r.update(status="FULFILLED", fulfilment_id="ful_" + uuid.uuid4().hex[:12])
            self.fulfilled[r["order_id"]] = self.fulfilled.get(r["order_id"], 0) + 1
        return r

    def _save(self) -> None:
        if self.path:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"records": self.records, "fulfilled": self.fulfilled}))
            os.replace(tmp, self.path)


def serve_fulfilment(host: str, port: int, state_file: Path | None = None):
    """The fulfilment service (protocol in ``payrail.fulfilment``): ``POST /fulfilments`` (or
    ``/fulfil``) with ``Idempotency-Key``, ``GET /fulfilments/<key>``; state in ``state_file``.

    Modes (``POST /_control {"mode", "delay_seconds"}``), for new keys: ``ok`` fulfils and answers;
    ``fail`` refuses (422); ``slow`` answers after ``delay_seconds`` (the work is done then);
    ``lost`` fulfils, then drops the connection without an answer; ``unavailable`` answers 503 to
    everything, status lookups included, and does nothing. ``GET /_stats`` counts calls and
    fulfilments per order.
    """
    state = FulfilmentState(state_file)

    class H(JsonHandler):
        def do_POST(self):
            body = self.body()
            if self.path == "/_control":
                with state.lock:
                    state.mode = body.get("mode", state.mode)
                    state.delay = float(body.get("delay_seconds", state.delay))
                return self.reply(200, {"mode": state.mode, "delay_seconds": state.delay})
            if self.path.rstrip("/") not in ("/fulfil", "/fulfilments"):
                return self.reply(404, {"message": "not found"})
            mode, delay = state.mode, state.delay
            if mode == "unavailable":
                return self.reply(503, {"message": "fulfilment: unavailable on purpose"})
            key = self.headers.get("idempotency-key")
            if not key:
                return self.reply(400, {"status": "FAILED", "reason": "Idempotency-Key header required"})
            answer = state.receive(key, body)
            if answer is None:
                if mode == "slow":
                    time.sleep(delay)
                answer = state.complete(key, failed=mode == "fail")
                if mode == "lost":
                    self.close_connection = True  # the work is done; the answer never leaves
                    return
            try:
                self.reply(*answer)
            except OSError:  # the caller gave up waiting (slow mode)
                self.close_connection = True

        def do_GET(self):
            if self.path == "/_stats":
                return self.reply(200, state.stats())
            if not self.path.startswith("/fulfilments/"):
                return self.reply(404, {"message": "not found"})
            if state.mode == "unavailable":
                return self.reply(503, {"message": "fulfilment: unavailable on purpose"})
            record = state.lookup(unquote(self.path.removeprefix("/fulfilments/")))
            self.reply(200, record) if record else self.reply(404, {"message": "no fulfilment with this key"})

    return serve(host, port, H, "fulfilment"), state
