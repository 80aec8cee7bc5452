"""The world around the domain: virtual time, cooperative invocations, SQS, the main table's
stream, the payout state machine (driven from the contract models of ``payrail.payouts.workflow``
with the timings of ``infra/asl/payout.asl.json``) and a scripted provider.

Every source of nondeterminism is one of two ``random.Random`` streams of the schedule: the
scheduler's (which ready action runs next, the workload) and the faults' (see :class:`Faults`).
Only one thread runs at a time: an invocation runs in its own thread and hands control back to
the scheduler at every botocore call and every provider call (a *yield point*), so invocations
interleave deterministically at those points.
"""
from __future__ import annotations

import io
import itertools
import json
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone


from payrail.providers.connectors.base import (ConnectorUnavailable, OutcomeUnknown, ProviderStatus,
                                               TransferRejected, TransferResult)

#: the virtual epoch every schedule starts at (2027-01-15T08:00:00Z)
EPOCH = 1_800_000_000.0


class Crash(BaseException):
    """The invocation died here (a runtime killed mid-call): nothing after this point runs.
    A ``BaseException`` so the domain's ``except Exception`` does not swallow it."""


class VirtualClock:
    """The source installed into ``payrail.core.clock``: wall and monotonic time advance only
    when the scheduler says so."""

    def __init__(self):
        self.t = EPOCH
        self.m = 1_000.0

    def now(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.m

    def advance(self, seconds: float) -> None:
        self.t += seconds
        self.m += seconds


class Faults:
    """Fault decisions, numbered in the order they are asked. A generating run draws each from
    the per-run probabilities; a replay with ``plan`` injects exactly the planned ``{n: kind}``
    (so a shrunk fault list replays as a subset of the original)."""

    def __init__(self, rng, probabilities: dict[str, float], plan: dict[int, str] | None = None):
        self.rng, self.p, self.plan = rng, probabilities, plan
        self.n = 0
        self.injected: list[tuple[int, str]] = []

    def ask(self, *kinds: str) -> str | None:
        """One decision point: one of ``kinds`` or None."""
        self.n += 1
        if self.plan is not None:
            kind = self.plan.get(self.n)
            kind = kind if kind in kinds else None
        else:
            kind = None
            x = self.rng.random()
            for k in kinds:
                x -= self.p.get(k, 0.0)
                if x < 0:
                    kind = k
                    break
        if kind:
            self.injected.append((self.n, kind))
        return kind


_current = threading.local()


def current() -> "Invocation | None":
    return getattr(_current, "inv", None)


def die(why: str) -> Crash:
    """The current invocation dies here: the Crash to raise, and every later yield point of the
    invocation (a ``finally`` that would release a lease, an ``except`` that would write) raises
    again, as nothing runs in a killed runtime."""
    inv = current()
    if inv is not None:
        inv.dead = True
    return Crash(why)


class Invocation:
    """One Lambda invocation (or client request) running the real code in its own thread,
    paused at each yield point until the scheduler resumes it."""

    ids = itertools.count(1)

    def __init__(self, world: "World", kind: str, label: str, fn, on_done=None):
        self.world, self.kind, self.label, self.fn, self.on_done = world, kind, label, fn, on_done
        self.id = next(Invocation.ids)
        self.go = threading.Semaphore(0)
        self.finished, self.error, self.result = False, None, None
        self.dead = False
        self.started = world.clock.monotonic()
        self.timeout = world.timeouts.get(kind, world.lambda_timeout)  # seconds: its function's
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"inv-{self.id}")

    def _run(self):
        _current.inv = self
        self.go.acquire()
        from payrail.core import deadline
        try:
            with deadline.within(self.timeout):
                self.result = self.fn()
        except BaseException as e:  # noqa: BLE001 - the scheduler decides what an error means
            self.error = e
        self.finished = True
        self.world.back.release()

    def pause(self) -> None:
        """A yield point (in the invocation's thread): let the scheduler run something else. An
        invocation past its Lambda timeout (virtual time went on meanwhile) is killed here, as
        Lambda kills it: none outlives the queue's visibility timeout."""
        self.world.back.release()
        self.go.acquire()
        if self.world.stopping:
            raise die("the schedule ended")
        if self.dead:
            raise Crash("the runtime was killed")
        if self.world.clock.monotonic() > self.started + self.timeout:
            raise die("Lambda timeout")


class Queue:
    """An SQS standard queue: at-least-once, unordered among visible messages, redelivered after
    the visibility timeout, moved to the DLQ after ``max_receives`` receives."""

    def __init__(self, name: str, visibility: int, max_receives: int):
        self.name, self.visibility, self.max_receives = name, visibility, max_receives
        self.messages: dict[str, dict] = {}
        self.dlq: list[dict] = []
        self.ids = itertools.count(1)

    def send(self, body: str, visible_at: float) -> None:
        mid = f"{self.name}-{next(self.ids)}"
        self.messages[mid] = {"id": mid, "body": body, "visible_at": visible_at, "receives": 0}

    def visible(self, now: float) -> list[dict]:
        return [m for m in self.messages.values() if m["visible_at"] <= now]

    def next_due(self) -> float | None:
        return min((m["visible_at"] for m in self.messages.values()), default=None)


@dataclass
class Transfer:
    """The provider's book entry for one transfer id (the oracle)."""

    transfer_id: str
    amount: int
    accepted_at: float
    final: str                 # SUCCESS or FAILED, decided when accepted
    final_at: float            # when it becomes final (PENDING / ON_HOLD until then)
    hold_until: float = 0.0    # ON_HOLD until then (within the pending window)
    submits: int = 1           # how many submissions the provider accepted for this id
    flip_at: float | None = None  # FAILED then SUCCESS from this time (a provider lie)
    reversed_at: float | None = None  # SUCCESS, then FAILED from this time: the money came back
    fee: int = 0               # what the provider charges payrail's float for it, beside the amount


class FakeProvider:
    """A payout connector in-process (the protocol of ``payrail.providers.connectors.base``),
    with scripted behaviour and faults. It does NOT deduplicate by transfer id: a second
    submission of one id is recorded (``submits``), so double payment is visible in its book."""

    name = "cashfree"
    currency = "INR"

    def __init__(self, world: "World"):
        self.world = world
        self.book: dict[str, Transfer] = {}

    def transfer_key(self, transfer_id: str) -> str:
        return transfer_id

    def _yield(self):
        inv = current()
        if inv is not None:
            inv.pause()

    def submit(self, req) -> TransferResult:
        w, f = self.world, self.world.faults
        self._yield()
        fault = f.ask("provider_unavailable", "provider_refuses")
        if fault == "provider_unavailable":
            raise ConnectorUnavailable("connection refused")
        if fault == "provider_refuses":
            raise TransferRejected("INVALID_BENEFICIARY", "the beneficiary account is invalid", 422)
        now = w.clock.now()
        if req.transfer_id in self.book:
            self.book[req.transfer_id].submits += 1
            t = self.book[req.transfer_id]
        else:
            final = "FAILED" if f.ask("provider_fails") else "SUCCESS"
            late = f.ask("provider_pending_hours", "provider_pays_late")
            delay = {"provider_pending_hours": w.rng.uniform(3600, 4 * 3600),
                     "provider_pays_late": w.rng.uniform(5, 600)}.get(late, 0.0)
            t = Transfer(req.transfer_id, req.amount, now, final, now + delay, fee=self.fee(req))
            if delay and f.ask("provider_on_hold"):
                t.hold_until = now + delay / 2
            if final == "FAILED" and f.ask("provider_flips"):
                t.flip_at = t.final_at + w.rng.uniform(60, 3600)
            if final == "SUCCESS" and f.ask("provider_reverses"):
                t.reversed_at = t.final_at + w.rng.uniform(0.5, 60)
            self.book[req.transfer_id] = t
            self.changed(t)
        after = f.ask("provider_timeout_after_accept", "provider_5xx_after_paying")
        if after == "provider_5xx_after_paying":
            t.final_at = min(t.final_at, now)
            raise OutcomeUnknown("HTTP 502 from the provider after the transfer was accepted")
        if after:
            raise OutcomeUnknown("read timed out after the request was sent")
        return self._result(t, now)

    def fee(self, req) -> int:
        """What the provider charges for the transfer ``req`` (minor units): nothing here."""
        return 0

    def changed(self, t: Transfer) -> None:
        """A new transfer: its callbacks are scheduled."""
        self.world.provider_changed(t)

    def status(self, transfer_id: str) -> TransferResult:
        self._yield()
        if self.world.faults.ask("provider_status_unavailable"):
            raise ConnectorUnavailable("status lookup: HTTP 503")
        t = self.book.get(transfer_id)
        if t is None:
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        return self._result(t, self.world.clock.now())

    def said(self, t: Transfer, now: float) -> str:
        if now < t.final_at:
            return "ON_HOLD" if now < t.hold_until else "PENDING"
        if t.flip_at is not None and now >= t.flip_at:
            return "SUCCESS"
        if t.reversed_at is not None and now >= t.reversed_at:
            return "FAILED"
        return t.final

    def records(self, now: float) -> list:
        """The provider's books as of ``now``: one :class:`payrail.providers.statements.ProviderRecord`
        per submission it accepted (open ones PENDING), booked when it last changed, and (a
        mobile-money provider) one per reversal it made. What its statement, its settlement file
        and its balance are made of."""
        from payrail.providers.statements import ProviderRecord

        out = []
        for t in self.book.values():
            said = self.said(t, now)
            status = said if said in ("SUCCESS", "FAILED") else "PENDING"
            changed = [x for x in (t.accepted_at, t.final_at, t.flip_at, t.reversed_at) if x is not None and x <= now]
            at = datetime.fromtimestamp(max(changed), timezone.utc)
            out += [ProviderRecord(provider=self.name, transfer_id=t.transfer_id, provider_reference=f"cf_{t.transfer_id}",
                                   amount=t.amount, currency=self.currency, status=status, booked_at=at)
                    ] * t.submits
        return out

    def statement(self, start: datetime, end: datetime):
        """The list API (``list_api``): the records booked in ``[start, end)``. Raises
        ConnectorUnavailable (``provider_status_unavailable``)."""
        self._yield()
        if self.world.faults.ask("provider_status_unavailable"):
            raise ConnectorUnavailable("statement: HTTP 503")
        return iter([r for r in self.records(self.world.clock.now()) if start <= r.booked_at < end])

    def settlement_file(self, day: str, now: float) -> bytes:
        """The provider's settlement file of UTC ``day`` as of ``now``, in the generic columns
        (``payrail.reconciliation.records.GENERIC_COLUMNS``)."""
        from payrail.reconciliation.records import write_generic_file

        out = io.StringIO()
        write_generic_file([r for r in self.records(now) if r.booked_at.date().isoformat() == day], out)
        return out.getvalue().encode()

    def will_pay(self, t: Transfer) -> bool:
        """Whether the money ends with the beneficiary (a reversed transfer's came back)."""
        return (t.final == "SUCCESS" and t.reversed_at is None) or t.flip_at is not None

    def _result(self, t: Transfer, now: float) -> TransferResult:
        s = self.said(t, now)
        reason = {"FAILED": "reversed by the beneficiary bank" if t.reversed_at else "the beneficiary bank declined",
                  "ON_HOLD": "beneficiary under review"}.get(s)
        return TransferResult(transfer_id=t.transfer_id, status=ProviderStatus(s), reason=reason,
                              provider_reference=f"cf_{t.transfer_id}", amount=t.amount)


class FakeMomo(FakeProvider):
    """A Ghana mobile-money connector in-process (one per provider, so a failover moves to another
    book): the payout stand-in's scripted behaviour and faults, a float refusal
    (``provider_no_float``: nothing sent, the next route may pay), and reversals for refunds
    (``reversals``: reversal id -> how many times the provider reversed it)."""

    currency = "GHS"

    def __init__(self, world: "World", name: str, network: str):
        super().__init__(world)
        self.name, self.network = name, network
        self.reversals: dict[str, int] = {}
        self.reversed: dict[str, tuple[int, float]] = {}  # reversal id -> (amount, when first made)
        self.funded = 0  # what the admin put into payrail's float here

    def records(self, now: float) -> list:
        from payrail.providers.statements import ProviderRecord

        out = super().records(now)
        for rid, (amount, at) in self.reversed.items():
            out += [ProviderRecord(provider=self.name, kind="reversal", transfer_id=rid, provider_reference=f"rv_{rid}",
                                   amount=amount, currency=self.currency, status="SUCCESS",
                                   booked_at=datetime.fromtimestamp(at, timezone.utc))] * self.reversals[rid]
        return out

    def balance(self) -> int:
        """payrail's float here (minor units): what was funded, less every paid submission and
        its fee, plus every reversal. Raises ConnectorUnavailable (``provider_status_unavailable``)."""
        self._yield()
        if self.world.faults.ask("provider_status_unavailable"):
            raise ConnectorUnavailable("balance: HTTP 503")
        now = self.world.clock.now()
        paid = sum((t.amount + t.fee) * t.submits for t in self.book.values() if self.said(t, now) == "SUCCESS")
        return self.funded - paid + sum(amount * self.reversals[rid] for rid, (amount, _) in self.reversed.items())

    def changed(self, t: Transfer) -> None:
        self.world.payment_provider_changed(self.name, t)

    def fee(self, req) -> int:
        """The provider's tariff, which payrail's routing policy models: on-net when the wallet is
        on this provider's network, off-net (the interop fee) otherwise."""
        return self.world.platform.payments.routing.fee(req.amount, req.beneficiary.wallet_code == self.network)

    def submit(self, req) -> TransferResult:
        from payrail.providers.connectors.base import INSUFFICIENT_FLOAT

        if self.world.faults.ask("provider_no_float"):
            self._yield()
            raise TransferRejected(INSUFFICIENT_FLOAT, "insufficient balance in the disbursement account", 422)
        return super().submit(req)

    def reversal_status(self, reversal_id: str) -> TransferResult:
        self._yield()
        if self.world.faults.ask("provider_status_unavailable"):
            raise ConnectorUnavailable("reversal lookup: HTTP 503")
        if reversal_id not in self.reversals:
            return TransferResult(transfer_id=reversal_id, status=ProviderStatus.NOT_FOUND)
        return TransferResult(transfer_id=reversal_id, status=ProviderStatus.SUCCESS, provider_reference=f"rv_{reversal_id}")

    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        self._yield()
        fault = self.world.faults.ask("provider_unavailable", "provider_timeout_after_accept")
        if fault == "provider_unavailable":
            raise ConnectorUnavailable("connection refused")
        self.reversals[reversal_id] = self.reversals.get(reversal_id, 0) + 1
        self.reversed.setdefault(reversal_id, (amount, self.world.clock.now()))
        if fault:
            raise OutcomeUnknown("read timed out after the request was sent")
        return TransferResult(transfer_id=reversal_id, status=ProviderStatus.SUCCESS, provider_reference=f"rv_{reversal_id}")


class SimProviders:
    """Stands in for ``payrail.providers.slots.Providers``: the fake connector for every name,
    and the real platform-wide slots (leases in the rate-limit table, read from the clock seam)."""

    def __init__(self, connector: FakeProvider, slots, max_in_flight: int = 2, world: "World | None" = None):
        self.connector, self.slots, self.max_in_flight, self.world = connector, slots, max_in_flight, world
        #: token -> (the invocation holding it, its lease's end): who holds a slot, seen from outside
        self.leases: dict[str, tuple] = {}
        #: a slot refused while fewer than ``max_in_flight`` leases were live (checked by the scheduler)
        self.starved: str | None = None
        #: other connectors by name (the mobile-money stand-ins)
        self.named: dict[str, FakeProvider] = {}

    def configured(self, name: str) -> bool:
        return True

    @staticmethod
    def _ended(lease: list) -> float:
        """When a lease ``[holder, taken, until, released]`` ended: released, or (its holder gone
        without releasing) at its end; a live holder's lasts."""
        inv, _, until, released = lease[:4]
        if released is not None:
            return released
        return until if inv is None or inv.dead or inv.finished else float("inf")

    def get(self, name: str):
        return self.named.get(name, self.connector)

    def choose(self, rail: str, currency: str, country: str) -> str:
        return self.connector.name

    def slot(self, name: str):
        from contextlib import contextmanager

        from payrail.core import deadline

        @contextmanager
        def held():
            left = deadline.remaining()
            lease = (60.0 if left == float("inf") else left) + deadline.SAFETY_MARGIN_SECONDS
            from payrail.core import clock

            asked = clock.now()
            # an acquisition that dies inside try_acquire may have written its lease: count it until it ends
            attempt = object()
            self.leases[attempt] = [current(), asked, asked + lease, None, name]
            token = self.slots.try_acquire(name, self.max_in_flight, lease)
            now = clock.now()
            if token is None:
                del self.leases[attempt]
                # the leases that may have been held at some moment of the attempt (it read the slots one by one)
                live = [x for x in self.leases.values()
                        if x[4] == name and x[1] <= now and self._ended(x) >= asked - 0.01]
                if len(live) < self.max_in_flight and self.starved is None:
                    self.starved = (f"{name}: a slot refused at {now - EPOCH:.1f} s with {len(live)} of "
                                    f"{self.max_in_flight} leases live")
                yield False
                return
            self.leases[token] = self.leases.pop(attempt)
            try:
                yield True
            finally:
                self.slots.release(name, token)
                self.leases[token][3] = clock.now()
        return held()


class FakeSQS:
    """The ``sqs`` client the handlers get: ``send_message`` into the simulated queues (a fault
    may deliver a message twice or late)."""

    def __init__(self, world: "World"):
        self.world = world

    def send_message(self, QueueUrl: str, MessageBody: str, DelaySeconds: int = 0, **_):
        self._call("SendMessage")
        self._put(QueueUrl, MessageBody, DelaySeconds)
        return {"MessageId": "sim"}

    def send_message_batch(self, QueueUrl: str, Entries: list[dict], **_):
        self._call("SendMessageBatch")
        for e in Entries:
            self._put(QueueUrl, e["MessageBody"], e.get("DelaySeconds", 0))
        return {"Successful": [{"Id": e["Id"], "MessageId": "sim"} for e in Entries], "Failed": []}

    def _call(self, name: str) -> None:
        inv = current()
        if inv is not None:
            inv.pause()
            if self.world.faults.ask("crash_before_send"):
                raise die(f"before {name}")

    def _put(self, queue_url: str, body: str, delay: int) -> None:
        w = self.world
        q = w.queues[queue_url.rsplit("/", 1)[-1]]
        at = w.clock.now() + delay
        copies = 2 if w.faults.ask("sqs_duplicate") else 1
        for _ in range(copies):
            late = w.rng.uniform(1, 120) if w.faults.ask("sqs_delay") else 0.0
            q.send(body, at + late)


class _SfnErrors:
    class ExecutionAlreadyExists(Exception):
        pass

    class TaskTimedOut(Exception):
        pass

    class InvalidToken(Exception):
        pass

    class TaskDoesNotExist(Exception):
        pass

    class ExecutionDoesNotExist(Exception):
        pass


class FakeStepFunctions:
    """The ``stepfunctions`` client the worker gets: executions of the payout state machine."""

    exceptions = _SfnErrors

    def __init__(self, world: "World"):
        self.world = world

    def start_execution(self, stateMachineArn: str, name: str, input: str, **_):
        w = self.world
        inv = current()
        if inv is not None:
            inv.pause()
            if w.faults.ask("crash_before_start_execution"):
                raise die("before StartExecution")
        if stateMachineArn == w.settings.settlement_state_machine_arn:
            run = w.settlement_runs.get(name)
            if run is not None:  # as Step Functions: the same name and input of a running execution is that execution
                if run.closed or json.loads(input) != {"scope": run.scope, "job_id": run.job_id}:
                    raise _SfnErrors.ExecutionAlreadyExists(name)
                return {"executionArn": name}
            w.start_settlement(name, json.loads(input))
            return {"executionArn": name}
        if name in w.executions:
            raise _SfnErrors.ExecutionAlreadyExists(name)
        w.start_execution(name, json.loads(input))
        return {"executionArn": name}

    def stop_execution(self, executionArn: str, **_):
        """Stop a settlement execution (its job's cancel): no further task starts."""
        w = self.world
        inv = current()
        if inv is not None:
            inv.pause()
            if w.faults.ask("crash_before_stop_execution"):
                raise die("before StopExecution")
        ex = w.settlement_runs.get(executionArn.rsplit(":", 1)[-1])
        if ex is None:
            raise _SfnErrors.ExecutionDoesNotExist(executionArn)
        ex.stopped = True
        return {}

    def send_task_success(self, taskToken: str, output: str):
        w = self.world
        inv = current()
        if inv is not None:
            inv.pause()
            if w.faults.ask("crash_before_task_success"):
                raise die("before SendTaskSuccess")
        ex = w.tokens.get(taskToken)
        if ex is None or ex.state != "waiting" or ex.token != taskToken:
            raise _SfnErrors.TaskTimedOut(taskToken)
        ex.answer(json.loads(output))


@dataclass
class Execution:
    """One run's execution of ``infra/asl/payout.asl.json``: FirstWait → Dispatch (a message with a
    task token, TimeoutSeconds 300; a timeout → CountLost → PauseAfterLoss 60 s → Dispatch, Stuck
    after 20) → Route: Capture / Release (lambda tasks, Retry 6 × from 1 s, backoff 2) | Check
    (Wait next_check_seconds → Dispatch) | Done."""

    name: str
    input: dict
    state: str = "wait"        # wait | waiting (for the token) | step | done | failed
    due: float = 0.0
    token: str | None = None
    outcome: dict | None = None
    step_attempts: int = 0
    history: list = field(default_factory=list)
    world: "World | None" = None

    DISPATCH_TIMEOUT = 300
    PAUSE_AFTER_LOSS = 60
    MAX_LOST = 20
    STEP_RETRY = (1, 2, 4, 8, 16, 32)

    def answer(self, outcome: dict) -> None:
        self.outcome = outcome
        nxt = outcome["next"]
        self.history.append(nxt)
        if nxt in ("CAPTURE", "RELEASE"):  # Lambda may throttle the task's first invocation: it starts late
            late = self.world.rng.uniform(1, 120) if self.world.faults.ask("step_late") else 0.0
            self.state, self.due, self.step_attempts = "step", self.world.clock.now() + late, 0
        elif nxt == "CHECK":
            self.state, self.due = "wait", self.world.clock.now() + int(outcome.get("next_check_seconds") or 0)
        else:
            self.state = "done"


class FakeReceiver:
    """The merchant's webhook endpoint, in place of ``payrail.webhooks.delivery.Sender``: the
    headers are made by the domain's own ``sign`` with the secrets the domain chose, and checked
    here with ``standardwebhooks`` against the secret the endpoint was given at its creation.
    Faults: unreachable, a 500, or a 2xx after the attempt's timeout (received, but retried)."""

    def __init__(self, world: "World"):
        self.world = world
        self.secret: str | None = None
        self.received: list[tuple[str, bool]] = []  # (webhook-id, signature valid) of every body that arrived

    def send(self, url: str, webhook_id: str, body: str, secrets: list[str], now: float | None = None):
        from datetime import datetime, timezone

        from standardwebhooks import Webhook

        from payrail.core import clock
        from payrail.webhooks.delivery import AttemptResult, sign

        inv = current()
        if inv is not None:
            inv.pause()
        ts = int(now or clock.now())
        header = sign(webhook_id, ts, body, secrets)
        fault = self.world.faults.ask("receiver_down", "receiver_500", "receiver_slow")
        if fault == "receiver_down":
            return AttemptResult(None, 3, error="ConnectionError: connection refused")
        if fault == "receiver_500":
            return AttemptResult(500, 20, "internal error")
        expected = Webhook(self.secret).sign(webhook_id, datetime.fromtimestamp(ts, tz=timezone.utc), body)
        self.received.append((webhook_id, expected in header.split(" ")))
        if fault == "receiver_slow":
            return AttemptResult(200, 11_000, error="answered after 11.0 s (limit 10 s)")
        return AttemptResult(200, 15, "ok")


@dataclass
class Shipment:
    """The fulfilment service's book entry for one order (the oracle of what was delivered)."""

    order_id: str
    final: str                 # FULFILLED or FAILED (refused), decided when first received
    final_at: float            # PROCESSING until then
    cancelled: bool = False    # the platform's cancel arrived first: never delivered, later POSTs refused
    posts: int = 1

    def delivers(self) -> bool:
        """Whether the goods reach (or reached) the customer."""
        return self.final == "FULFILLED" and not self.cancelled


class FakeFulfilment:
    """The fulfilment service and its client in place of ``payrail.commerce.fulfilment.FulfilmentClient``
    (``submit`` / ``lookup`` / ``cancel`` answering ``Outcome`` as the real client classifies the
    service's answers). Idempotent per order id, as the service's protocol says. Faults: unreachable
    (the POST never arrived), refusing, delivering late (PROCESSING meanwhile), delivering but the
    answer lost (a read timeout), a status lookup without an answer."""

    def __init__(self, world: "World"):
        self.world = world
        self.book: dict[str, Shipment] = {}

    def _yield(self):
        inv = current()
        if inv is not None:
            inv.pause()

    def submit(self, order: dict):
        from payrail.commerce.fulfilment import NOT_RECEIVED, UNKNOWN, Outcome

        w, f = self.world, self.world.faults
        self._yield()
        if f.ask("fulfilment_unreachable"):
            return Outcome(NOT_RECEIVED, "fulfilment: not reached (NewConnectionError)")
        now, oid = w.clock.now(), order["order_id"]
        s = self.book.get(oid)
        if s is None:
            final = "FAILED" if f.ask("fulfilment_fails") else "FULFILLED"
            late = w.rng.uniform(5, 7200) if f.ask("fulfilment_late") else 0.0
            s = self.book[oid] = Shipment(oid, final, now + late)
        else:
            s.posts += 1
        if f.ask("fulfilment_no_answer"):
            return Outcome(UNKNOWN, "fulfilment: no answer (ReadTimeoutError)", may_be_received=True)
        return self._answer(s, now)

    def lookup(self, order: dict):
        from payrail.commerce.fulfilment import NOT_RECEIVED, UNKNOWN, Outcome

        self._yield()
        if self.world.faults.ask("fulfilment_status_unavailable"):
            return Outcome(UNKNOWN, "status lookup: no answer (ReadTimeoutError)")
        s = self.book.get(order["order_id"])
        if s is None:
            return Outcome(NOT_RECEIVED, "status lookup: never received")
        return self._answer(s, self.world.clock.now())

    def cancel(self, order: dict):
        from payrail.commerce.fulfilment import CANCELLED, FULFILLED, Outcome

        self._yield()
        now, oid = self.world.clock.now(), order["order_id"]
        s = self.book.get(oid)
        if s is None:  # never received: acknowledged, and a POST that arrives later is refused
            s = self.book[oid] = Shipment(oid, "FAILED", now, cancelled=True, posts=0)
        if s.delivers() and now >= s.final_at:
            return Outcome(FULFILLED, fulfilment_id=f"ful_{oid}")
        s.cancelled = True
        return Outcome(CANCELLED, "cancel acknowledged")

    @staticmethod
    def _answer(s: Shipment, now: float):
        from payrail.commerce.fulfilment import FAILED, FULFILLED, UNKNOWN, Outcome

        if s.cancelled or (s.final == "FAILED" and now >= s.final_at):
            return Outcome(FAILED, "cancelled" if s.cancelled else "the warehouse refused the order")
        if now < s.final_at:
            return Outcome(UNKNOWN, "status lookup: PROCESSING", may_be_received=True)
        return Outcome(FULFILLED, fulfilment_id=f"ful_{s.order_id}")


class _NoSuchKey(Exception):
    pass


class _S3Errors:
    NoSuchKey = _NoSuchKey


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self) -> bytes:
        return self.data

    def iter_chunks(self, size: int = 1024):
        return (self.data[i:i + size] for i in range(0, len(self.data), size))

    def iter_lines(self):
        return iter(self.data.splitlines())


class FakeS3:
    """The ``s3`` client settlement gets: objects in memory (``objects``: key -> bytes), every call
    a yield point where the invocation may die (``crash_before_s3``). An upload is whole or absent,
    as S3's are (a multipart upload is visible only once completed)."""

    exceptions = _S3Errors

    def __init__(self, world: "World"):
        self.world = world
        self.objects: dict[str, bytes] = {}

    def _call(self, name: str) -> None:
        inv = current()
        if inv is not None:
            inv.pause()
            if self.world.faults.ask("crash_before_s3"):
                raise die(f"before {name}")

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_):
        self._call("PutObject")
        self.objects[Key] = bytes(Body)
        return {}

    def get_object(self, Bucket: str, Key: str, **_):
        self._call("GetObject")
        if Key not in self.objects:
            raise _NoSuchKey(Key)
        return {"Body": _Body(self.objects[Key])}

    def upload_fileobj(self, Fileobj, Bucket: str, Key: str, **_):
        self._call("CreateMultipartUpload")
        data = Fileobj.read()  # what the reader raises (a cancel seen mid-stream) aborts the upload
        self._call("CompleteMultipartUpload")
        self.objects[Key] = data

    def upload_file(self, Filename: str, Bucket: str, Key: str, **_):
        with open(Filename, "rb") as f:
            self.upload_fileobj(f, Bucket, Key)

    def head_object(self, Bucket: str, Key: str, **_):
        from botocore.exceptions import ClientError

        self._call("HeadObject")
        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject")
        return {"ContentLength": len(self.objects[Key])}

    def delete_object(self, Bucket: str, Key: str, **_):
        self._call("DeleteObject")
        self.objects.pop(Key, None)
        return {}

    def generate_presigned_url(self, method: str, Params: dict, ExpiresIn: int = 3600):
        return f"sim://s3/{Params['Key']}"


@dataclass
class SettlementExecution:
    """One execution of ``infra/asl/settlement.asl.json``: Plan (Retry 3 × from 1 s, backoff 2;
    Catch → MarkFailed, with the same Retry) → Route (Cancelled) → Slices (Map of Aggregate tasks,
    each with the same Retry; a slice that fails for good fails the Map → MarkFailed) → Finalize
    (Retry; Catch → MarkFailed). A stop (the job's cancel) starts no further task; tasks in flight finish."""

    name: str
    scope: str
    job_id: str
    due: float
    state: str = "plan"        # plan | map | finalize | fail | running | done
    slices: list = field(default_factory=list)   # slices not yet finished
    attempts: dict = field(default_factory=dict)  # task -> failed attempts so far
    running: int = 0           # tasks in flight
    stopped: bool = False
    error: str | None = None

    RETRY = (1, 2, 4)

    @property
    def closed(self) -> bool:
        """Whether the execution has ended (succeeded, failed, or stopped with no task in flight)."""
        return self.state == "done" or (self.stopped and self.running == 0)

    def ready(self, now: float) -> list[tuple[str, object]]:
        """The tasks that may start now: ``(task, slice or None)``."""
        if self.stopped or self.state in ("done", "running") or self.due > now:
            return []
        if self.state == "map":
            return [("aggregate", s) for s in self.slices if s.get("due", 0) <= now and not s.get("running")]
        return [(self.state, None)]

    def next_due(self) -> float | None:
        if self.stopped or self.state in ("done", "running"):
            return None
        if self.state == "map":
            return min((s.get("due", 0) for s in self.slices if not s.get("running")), default=None)
        return self.due


class InlineExecutor:
    """Stands in for ``concurrent.futures.ThreadPoolExecutor`` where the domain reads in parallel
    (a reconciliation's key ranges and status lookups): each task runs at once, in the calling
    invocation's thread, between two of its yield points (a background thread's reads would
    interleave with other invocations outside the scheduler's order). As a pool thread is not
    the invocation's, a task's calls are not yield points: no fault is asked there; the
    invocation's own calls around them are its crash points."""

    def __init__(self, max_workers: int | None = None, **_):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def submit(self, fn, *args, **kwargs) -> Future:
        f: Future = Future()
        inv, _current.inv = current(), None
        try:
            f.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 - the caller's result() raises it, as a pool's would
            f.set_exception(err)
        finally:
            _current.inv = inv
        return f

    def map(self, fn, *iterables):
        return (self.submit(fn, *args).result() for args in zip(*iterables))

    def shutdown(self, wait: bool = True, **_) -> None:
        return None
