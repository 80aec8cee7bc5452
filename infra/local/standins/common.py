"""What the provider stand-ins share: transfers on disk, the payout scenarios, the control and
stats endpoints, the modes, and signed callbacks.

Scenarios by the account's last four characters (an account number, an IBAN, a mobile
number, or the local part of a UPI VPA):

    0001 success   0002 one 5xx (nothing created), then success   0003 FAILED "Account validation failed"
    0004 stays PENDING   0005 ON_HOLD with a reason   anything else: success
    verification: 0003 invalid "Account validation failed", 0005 invalid "Account is blocked", else valid

Control (JSON):

    POST /_control {"mode": "ok"|"slow"|"failing"|"timeout", "delay_seconds": s, "callback_url": u,
                    "methods": ["POST"], "reset_in_flight_max": true}
        slow: do the work, answer after delay_seconds (default 5); timeout: do the work, wait
        delay_seconds, hang up without an answer; failing: answer 503 without doing the work.
        Modes apply to every provider API request (creations, lookups, verifications), or only to
        the HTTP ``methods`` given (e.g. creations hang while lookups answer).
    POST /_control/transfers/<provider key> {"status": "SUCCESS"|"FAILED", "reason"}
        resolve a PENDING or ON_HOLD transfer (as the provider's back office would) -> callback
    GET /_stats  {"transfers", "submissions", "requests", "in_flight", "in_flight_max", "callbacks", ...}
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from infra.local.httpserver import JsonHandler, LoopbackServer, serve
from payrail.providers.connectors import amounts

FAIL_REASON = "Account validation failed"
BLOCKED_REASON = "Account is blocked"
HOLD_REASON = "Held for compliance review"
SCENARIOS = {"0001": "success", "0002": "transient", "0003": "fail", "0004": "pending", "0005": "hold"}
MODES = ("ok", "slow", "failing", "timeout")


def scenario(key: str) -> str:
    """``success | transient | fail | pending | hold`` for an account key (by its last 4 chars)."""
    return SCENARIOS.get(key[-4:], "success")


def verification(key: str) -> str | None:
    """None if the account verifies, else the reason it does not."""
    return {"0003": FAIL_REASON, "0005": BLOCKED_REASON}.get(key[-4:])


class Store:
    """JSON documents by ``(kind, key)`` in one sqlite file: a restart forgets nothing, and
    ``add`` (INSERT OR IGNORE) never creates a second document for one key."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS docs (kind TEXT, key TEXT, body TEXT, PRIMARY KEY (kind, key))")

    @contextmanager
    def _db(self):
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db

    def get(self, kind: str, key: str) -> dict | None:
        with self._db() as db:
            row = db.execute("SELECT body FROM docs WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def add(self, kind: str, key: str, doc: dict) -> bool:
        """Insert unless present; True if this call inserted it."""
        with self._db() as db:
            return db.execute("INSERT OR IGNORE INTO docs VALUES (?, ?, ?)",
                              (kind, key, json.dumps(doc))).rowcount == 1

    def put(self, kind: str, key: str, doc: dict) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", (kind, key, json.dumps(doc)))

    def all(self, kind: str) -> list[dict]:
        with self._db() as db:
            return [json.loads(b) for (b,) in db.execute("SELECT body FROM docs WHERE kind = ? ORDER BY rowid", (kind,))]

    def bump(self, kind: str, key: str) -> int:
        """Increment and return a counter kept on disk (e.g. submissions of one transfer id)."""
        with self._db() as db:
            db.execute("INSERT INTO docs VALUES (?, ?, '1') ON CONFLICT (kind, key) DO UPDATE "
                       "SET body = CAST(body AS INTEGER) + 1", (kind, key))
            return int(db.execute("SELECT body FROM docs WHERE kind = ? AND key = ?", (kind, key)).fetchone()[0])


class Standin(ABC):
    """A provider stand-in's state. Subclasses set ``name`` and implement :meth:`handle`,
    :meth:`server_error`, :meth:`resolve`, :meth:`signed_callback` (with :meth:`sign_callback`
    when the provider signs) and :meth:`sample_transfer`."""

    name = "provider"

    def __init__(self, data_dir: Path, callback_url: str | None = None):
        self.store = Store(Path(data_dir) / f"{self.name}.sqlite3")
        self.lock = threading.Lock()  # serialises transfer creation and resolution
        self.mode, self.delay, self.callback_url, self.methods = "ok", 5.0, callback_url, ()
        self.counts = {"requests": 0, "submissions": 0, "in_flight": 0, "in_flight_max": 0,
                       "callbacks_sent": 0, "callbacks_failed": 0}
        self._counts_lock = threading.Lock()

    # -- provider API (subclasses) -------------------------------------------------------------
    @abstractmethod
    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               raw: bytes) -> tuple[int, object]:
        """Answer one provider API request: ``(http status, JSON-able body)``; ``(None, seconds)``
        hangs up without an answer after that long (a scenario's lost answer)."""

    @abstractmethod
    def server_error(self) -> object:
        """The provider's 5xx body."""

    @abstractmethod
    def resolve(self, key: str, status: str, reason: str | None) -> tuple[int, object]:
        """Move an open transfer to SUCCESS or FAILED (control endpoint)."""

    @abstractmethod
    def signed_callback(self, transfer: dict) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of the provider's callback for a transfer in a final state."""

    def sign_callback(self, body: bytes, now: float | None = None) -> dict[str, str]:
        """The headers that authenticate a callback's raw ``body`` as the provider signs it, sent at
        ``now`` (unix seconds; default the clock): what :meth:`signed_callback` adds to its body.
        Empty for a provider that signs nothing."""
        return {}

    #: the stored transfer's field holding the amount as the provider's API carried it
    amount_field = "amount"

    def received_amount(self, key: str) -> str | None:
        """The amount of transfer ``key`` exactly as its creation carried it (major units, as text),
        or None if there is no such transfer."""
        t = self.store.get("transfer", key)
        return None if t is None else str(t[self.amount_field])

    @abstractmethod
    def sample_transfer(self, transfer_id: str, key: str, succeeded: bool) -> dict:
        """A final transfer in this stand-in's stored shape (what :meth:`signed_callback` takes), for
        payrail's transfer ``transfer_id`` known to the provider under ``key`` (the connector's
        ``transfer_key``), so that a callback about any transfer can be made without the store."""

    # -- shared ------------------------------------------------------------------------------
    def count(self, name: str, n: int = 1) -> None:
        with self._counts_lock:
            self.counts[name] += n
            if name == "in_flight":
                self.counts["in_flight_max"] = max(self.counts["in_flight_max"], self.counts["in_flight"])

    def control(self, body: dict) -> tuple[int, dict]:
        mode = body.get("mode", self.mode)
        if mode not in MODES:
            return 400, {"message": f"mode must be one of {MODES}"}
        self.mode = mode
        self.delay = float(body.get("delay_seconds", self.delay))
        self.methods = tuple(body.get("methods") or ())
        if body.get("reset_in_flight_max"):
            with self._counts_lock:
                self.counts["in_flight_max"] = self.counts["in_flight"]
        self.callback_url = body.get("callback_url", self.callback_url)
        return 200, {"mode": self.mode, "delay_seconds": self.delay, "callback_url": self.callback_url,
                     "methods": list(self.methods)}

    def stats(self) -> dict:
        with self._counts_lock:
            counts = dict(self.counts)
        return {**counts, "transfers": len(self.store.all("transfer")), "mode": self.mode}

    def notify(self, transfer: dict) -> None:
        """Send the signed callback for a final transfer in the background (3 tries)."""
        url = self.callback_url
        if not url:
            return
        headers, body = self.signed_callback(transfer)

        def deliver():
            for pause in (0.2, 0.5, None):
                try:
                    if requests.post(url, data=body, headers=headers, timeout=5).status_code < 300:
                        return self.count("callbacks_sent")
                except requests.RequestException:
                    pass
                if pause:
                    time.sleep(pause)
            self.count("callbacks_failed")

        threading.Thread(target=deliver, name=f"{self.name}-callback", daemon=True).start()


def handler_for(state: Standin) -> type[JsonHandler]:
    """The HTTP handler of a stand-in: control and stats endpoints, then the provider API under
    the current mode, counting requests in flight."""

    class Handler(JsonHandler):
        def raw(self) -> bytes:
            n = int(self.headers.get("content-length") or 0)
            return self.rfile.read(n) if n else b""

        def send(self, status: int, body) -> None:
            """Provider bodies carry Decimal amounts exactly (and never a float)."""
            self.reply(status, None, {"content-type": "application/json"}, raw=amounts.dumps(body).encode())

        def route(self, method: str) -> None:
            url = urlsplit(self.path)
            raw = self.raw()
            if url.path == "/_stats":
                return self.reply(200, state.stats())
            if url.path == "/_control" and method == "POST":
                return self.reply(*state.control(json.loads(raw or b"{}")))
            if url.path.startswith("/_control/transfers/") and method == "POST":
                body = json.loads(raw or b"{}")
                return self.send(*state.resolve(url.path.rsplit("/", 1)[-1], str(body.get("status")), body.get("reason")))
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.count("requests")
            state.count("in_flight")
            try:
                mode, delay = (state.mode, state.delay) if method in (state.methods or (method,)) else ("ok", 0)
                if mode == "failing":
                    return self.send(503, state.server_error())
                status, body = state.handle(method, url.path, query, headers, raw)
                if status is None:  # this request's scenario: the work is done, the answer never comes
                    time.sleep(float(body))
                    self.close_connection = True
                    return
                if mode in ("slow", "timeout"):
                    time.sleep(delay)
                if mode == "timeout":
                    self.close_connection = True  # hang up without an answer
                    return
                self.send(status, body)
            finally:
                state.count("in_flight", -1)

        def do_GET(self):
            self.route("GET")

        def do_POST(self):
            self.route("POST")

    return Handler


def serve_standin(state: Standin, host: str, port: int) -> LoopbackServer:
    """Start ``state``'s HTTP server on ``host:port`` in a daemon thread."""
    return serve(host, port, handler_for(state), state.name, poll_interval=0.05)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

