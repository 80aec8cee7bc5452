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

Reconciliation (the provider's back office; every transfer and reversal keeps the time it reached
its state, its booking):

    GET /_control/settlement_file?day=YYYY-MM-DD
        the day's settlement file (text/csv): every transfer and reversal booked that UTC day, in the
        columns the provider's connector documents (its ``FILE_COLUMNS``)
    POST /_control/breaks {"kind": ..., "key": <provider key>, "amount": <minor units>}
        make a break on purpose, as a provider's books can disagree with payrail's:
        pay_released  pay a transfer that failed or is still open (its book says paid; payrail saw it fail)
        drop          forget a transfer: it vanishes from lookups, lists and files (NOT_FOUND)
        amount        book another amount (``amount``, minor units) for it
        next_day      book it one second after the next midnight UTC
        float_drift   move payrail's float at the provider by ``amount`` (mobile money; no key)
        -> 200 {"kind", "key", "booked_at", ...}; 400 for a bad kind or amount, 404 for an unknown key,
        409 for a transfer already in the state asked for
    POST /_control/book {"transfers": [{"transfer_id", "key", "amount", "booked_at", "succeeded": true}, ...]}
        write final transfers into the books at once, as the provider would have booked them
        (``amount`` in minor units, created and booked at ``booked_at``, ISO 8601 UTC): a day of
        transfers payrail's ledger was seeded with, without driving each through the API
        -> 200 {"booked": n}; 400 naming the first bad entry
    POST /_control/float {"balance": <minor units>, "tracks_transfers": false}
        set the float a balance endpoint reports; with ``tracks_transfers`` it then moves as a
        provider's does: down by every transfer booked paid from now on, up by every reversal
"""
from __future__ import annotations

import csv
import io
import json
from abc import ABC, abstractmethod
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from datetime import date, datetime, time as dtime, timedelta, timezone
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
BREAKS = ("pay_released", "drop", "amount", "next_day", "float_drift")


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

    def delete(self, kind: str, key: str) -> bool:
        """Remove a document; True if there was one."""
        with self._db() as db:
            return db.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, key)).rowcount == 1

    def put(self, kind: str, key: str, doc: dict) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", (kind, key, json.dumps(doc)))

    def put_many(self, kind: str, docs: list[tuple[str, dict]]) -> None:
        """``put`` of every ``(key, doc)`` in one transaction."""
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)",
                           [(kind, key, json.dumps(doc)) for key, doc in docs])

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

    # -- the provider's books (reconciliation) ------------------------------------------------
    #: the provider's currency; the connector's settlement-file columns; the stored field holding the
    #: time a transfer reached its state (its booking)
    currency = ""
    file_columns: tuple[str, ...] = ()
    booked_field = "booked_at"
    #: payrail's float at the provider (minor units) before any ``float_drift``; None: no balance endpoint
    opening_float: int | None = None

    def amount_text(self, minor: int) -> str:
        """An amount as the provider's API carries it (major units, as text)."""
        return amounts.major_text(minor, self.currency)

    def book(self, t: dict, when: str | None = None) -> dict:
        """Record that ``t`` reached its state now (or ``when``, ISO 8601 UTC); returns it."""
        t[self.booked_field] = when or now_iso()
        return t

    def booked_at(self, t: dict) -> datetime:
        """When ``t`` reached its state (UTC)."""
        text = t.get(self.booked_field) or t.get("created_at") or t.get("added_on")
        return datetime.fromisoformat(text).astimezone(timezone.utc)

    def is_paid(self, t: dict) -> bool:
        """Whether the provider's book says ``t`` was paid."""
        return t.get("status") == getattr(self, "SUCCESS", "SUCCESS")

    def mark_paid(self, t: dict) -> None:
        """Book ``t`` as paid, in the provider's words (a break: no callback is sent)."""
        t.update(status=getattr(self, "SUCCESS", "SUCCESS"), reason=None)

    def file_row(self, kind: str, t: dict) -> dict:
        """The settlement-file row of a stored transfer (``kind`` ``transfer``) or reversal, by column."""
        raise NotImplementedError

    def settlement_file(self, day: date) -> str:
        """The CSV of every transfer and reversal booked on ``day`` (UTC), header first."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(self.file_columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for kind in ("transfer", "reversal"):
            for t in self.store.all(kind):
                if self.booked_at(t).date() == day:
                    writer.writerow({k: "" if v is None else v for k, v in self.file_row(kind, t).items()})
        return out.getvalue()

    def float_balance(self) -> int:
        """payrail's float at the provider now (minor units): the opening float (or the one set with
        ``POST /_control/float``) moved by every ``float_drift`` and, when it tracks transfers, by
        the transfers paid and reversals made since it was set."""
        doc = self.store.get("float", "balance") or {}
        balance = int(doc.get("base", self.opening_float or 0)) + int(doc.get("drift", 0))
        if "before" in doc:  # tracking: what was paid when it was set is in the base already
            before = set(doc["before"])
            for kind, sign in (("transfer", -1), ("reversal", 1)):
                balance += sign * sum(amounts.from_major(str(t[self.amount_field]), self.currency)
                                      for t in self.store.all(kind) if self.is_paid(t) and
                                      f"{kind}:{self.key_of(t)}" not in before)
        return balance

    def key_of(self, t: dict) -> str:
        """The provider's key of a stored transfer or reversal."""
        return str(t.get("key") or t.get("request_id") or t.get("transfer_id"))

    def _paid_now(self) -> list[str]:
        return [f"{kind}:{self.key_of(t)}" for kind in ("transfer", "reversal") for t in self.store.all(kind)
                if self.is_paid(t)]

    def float_text(self) -> str:
        return self.amount_text(self.float_balance())

    def set_float(self, body: dict) -> tuple[int, dict]:
        balance, tracks = body.get("balance"), body.get("tracks_transfers", False)
        if not isinstance(tracks, bool):
            return 400, {"message": "tracks_transfers is true or false"}
        if self.opening_float is None:
            return 400, {"message": f"{self.name} has no balance endpoint"}
        if isinstance(balance, bool) or not isinstance(balance, int):
            return 400, {"message": "balance must be an integer of minor units"}
        with self.lock:
            self.store.put("float", "balance", {"base": balance, "drift": 0} |
                           ({"before": self._paid_now()} if tracks else {}))
        return 200, {"balance": self.float_balance(), "currency": self.currency}

    #: the stored fields holding when a transfer was created (a booked one is created when booked)
    created_fields = ("created_at", "added_on", "updated_at", "updated_on")

    def book_many(self, body: dict) -> tuple[int, dict]:
        """``POST /_control/book`` (see the module docstring): each entry stored as
        :meth:`sample_transfer` shapes it, with its amount and its creation and booking time."""
        rows = body.get("transfers")
        if not isinstance(rows, list) or not rows:
            return 400, {"message": "transfers must be a non-empty list"}
        docs = []
        for n, row in enumerate(rows):
            try:
                tid, key, amount, booked = row["transfer_id"], row["key"], row["amount"], row["booked_at"]
                if not (isinstance(tid, str) and isinstance(key, str) and tid and key):
                    raise ValueError("transfer_id and key are strings")
                if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                    raise ValueError("amount is an integer of minor units above 0")
                when = datetime.fromisoformat(str(booked)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            except (KeyError, TypeError, ValueError) as e:
                return 400, {"message": f"transfers[{n}]: {e}"}
            t = self.sample_transfer(tid, key, bool(row.get("succeeded", True)))
            t[self.amount_field] = self.amount_text(amount)
            t.update({f: when for f in self.created_fields if f in t})
            docs.append((key, self.book(t, when)))
        with self.lock:
            self.store.put_many("transfer", docs)
        return 200, {"booked": len(docs)}

    def breaks(self, body: dict) -> tuple[int, dict]:
        """``POST /_control/breaks`` (see the module docstring)."""
        kind, key, amount = body.get("kind"), body.get("key"), body.get("amount")
        if kind not in BREAKS:
            return 400, {"message": f"kind must be one of {BREAKS}"}
        if kind in ("amount", "float_drift") and (isinstance(amount, bool) or not isinstance(amount, int)
                                                  or (kind == "amount" and amount <= 0)):
            return 400, {"message": f"{kind} needs amount, an integer of minor units" +
                         (" above 0" if kind == "amount" else "")}
        if kind == "float_drift":
            if self.opening_float is None:
                return 400, {"message": f"{self.name} has no balance endpoint"}
            with self.lock:
                doc = self.store.get("float", "balance") or {"base": self.opening_float, "drift": 0}
                doc["drift"] = int(doc.get("drift", 0)) + amount
                self.store.put("float", "balance", doc)
            return 200, {"kind": kind, "balance": self.float_balance(), "currency": self.currency}
        if not isinstance(key, str) or not key:
            return 400, {"message": "key (the provider's key of the transfer) is required"}
        with self.lock:
            found = next(((k, t) for k in ("transfer", "reversal") if (t := self.store.get(k, key))), None)
            if found is None:
                return 404, {"message": f"no transfer or reversal {key!r}"}
            stored, t = found
            if kind == "drop":
                self.store.put("dropped", key, t)
                self.store.delete(stored, key)
                return 200, {"kind": kind, "key": key}
            if kind == "pay_released":
                if self.is_paid(t):
                    return 409, {"message": "the transfer is paid already"}
                self.mark_paid(t)
                t.pop("settle_at", None)
                self.book(t)
            elif kind == "amount":
                t[self.amount_field] = self.amount_text(amount)
            else:  # next_day
                midnight = datetime.combine(self.booked_at(t).date() + timedelta(days=1), dtime(0), timezone.utc)
                self.book(t, (midnight + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
            self.store.put(stored, key, t)
        return 200, {"kind": kind, "key": key, "booked_at": self.booked_at(t).isoformat(),
                     "paid": self.is_paid(t), "amount": str(t.get(self.amount_field))}

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
            if url.path == "/_control/breaks" and method == "POST":
                return self.reply(*state.breaks(json.loads(raw or b"{}")))
            if url.path == "/_control/book" and method == "POST":
                return self.reply(*state.book_many(json.loads(raw or b"{}")))
            if url.path == "/_control/float" and method == "POST":
                return self.reply(*state.set_float(json.loads(raw or b"{}")))
            if url.path == "/_control/settlement_file" and method == "GET":
                try:
                    day = date.fromisoformat(parse_qs(url.query).get("day", [""])[-1])
                except ValueError:
                    return self.reply(400, {"message": "day=YYYY-MM-DD is required"})
                return self.reply(200, None, {"content-type": "text/csv"}, raw=state.settlement_file(day).encode())
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

