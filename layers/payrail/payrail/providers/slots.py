"""The connectors this deployment runs (:mod:`payrail.providers.registry`), how a payout picks
one, and the platform-wide bound on transfers in flight at each provider.

**Settings and secrets.** A connector's settings come from ``CONNECTOR_<NAME>_<FIELD>`` variables
(``registry.env_names``); its credentials (``secret_fields``) from the AWS Secrets Manager secret
named by ``CONNECTOR_<NAME>_SECRET_ARN``, read once per execution environment with Powertools
parameters on first use (cached, never logged: credentials are ``SecretStr``). A connector with
neither a secret nor credentials in the environment is not configured and never chosen.

**Choice.** A payout's provider is chosen once, at creation, from the connectors whose
capabilities cover its rail, currency and country (registry order), and recorded on the payout
with the provider-side key of its transfer; every later step uses the recorded provider.

**Concurrency** (:class:`ProviderSlots`). Each provider gets ``max_in_flight`` slots (its
``CONNECTOR_<NAME>_MAX_IN_FLIGHT``, default 4), one DynamoDB item each in the rate-limits table;
a worker holds a slot, leased until its invocation must have ended, around every call it makes
for a transfer (status lookup and submission). The bound holds across every execution
environment and every function; a crashed holder's slot frees itself when its lease ends; a
worker that finds no slot free within ``provider_slot_wait_seconds`` does not wait on: the
workflow looks again a little later (``Next.CHECK``), so one slow provider never ties up the
workers the others need.
"""
from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from threading import Lock

from botocore.exceptions import ClientError

from payrail.core import clock
from payrail.core import ddb, deadline
from payrail.providers import registry
from payrail.core.entity import Entity, Page
from payrail.providers.connectors.base import Connector, ConnectorSettings, DirectoryEntry
from payrail.core.errors import ValidationFailed


class Reach(Entity):
    """A directory entry (:class:`payrail.providers.connectors.base.DirectoryEntry`) with the
    configured connector that reaches it."""

    code: str
    name: str
    kind: str
    country: str
    currency: str
    rail: str
    iban_code: str | None = None
    provider: str

    def public(self) -> dict:
        """As the API lists it (every field, ``iban_code`` null where there is none)."""
        return self.model_dump(mode="json")


class Timed:
    """A connector whose ``submit`` and ``status`` calls each emit their latency
    (:func:`payrail.core.outcomes.emit_latency`: milliseconds, by provider and operation), whether
    the call answers or raises; everything else is the connector's own.

    Args:
        connector: the connector; name: its registry name (the metric's ``provider``).
    """

    def __init__(self, connector: Connector, name: str):
        self.connector, self.name = connector, name

    def __getattr__(self, attr: str):
        return getattr(self.connector, attr)

    def _timed(self, operation: str, call, *args):
        from payrail.core.outcomes import emit_latency

        start = time.perf_counter()
        try:
            return call(*args)
        finally:
            emit_latency(self.name, operation, (time.perf_counter() - start) * 1000)

    def submit(self, req):
        """The connector's ``submit``, timed."""
        return self._timed("submit", self.connector.submit, req)

    def status(self, transfer_id: str):
        """The connector's ``status``, timed."""
        return self._timed("status", self.connector.status, transfer_id)


class ProviderSlots:
    """A counting semaphore per provider, shared by the whole platform: slot ``n`` of provider
    ``p`` is the item ``slot#p#n`` (``owner``, ``lease_until`` in epoch milliseconds, and the
    table's TTL ``expiration``). A slot is free when it has no owner or its lease has ended.

    Args:
        table: the rate-limits table (``pk`` key, ``expiration`` TTL).
    """

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()

    @staticmethod
    def _pk(provider: str, n: int) -> dict:
        return {"pk": ddb.value(f"slot#{provider}#{n}")}

    def try_acquire(self, provider: str, limit: int, lease_seconds: float) -> str | None:
        """Take one free slot of ``limit`` (tried in random order) for ``lease_seconds``.

        Returns:
            a token for :meth:`release` (``"<n>:<owner>"``), or None when all are taken.
        """
        owner = uuid.uuid4().hex
        now = int(clock.now() * 1000)
        for n in random.sample(range(limit), limit):
            try:
                self.db.update_item(
                    TableName=self.table, Key=self._pk(provider, n),
                    UpdateExpression="SET #o = :o, lease_until = :u, expiration = :e",
                    ConditionExpression="attribute_not_exists(lease_until) OR lease_until < :now",
                    ExpressionAttributeNames={"#o": "owner"},
                    ExpressionAttributeValues={":o": ddb.value(owner), ":now": ddb.value(now),
                                               ":u": ddb.value(now + int(lease_seconds * 1000)),
                                               ":e": ddb.value(now // 1000 + int(lease_seconds) + 86_400)})
                return f"{n}:{owner}"
            except ClientError as err:
                if not ddb.is_code(err, "ConditionalCheckFailedException"):
                    raise
        return None

    def acquire(self, provider: str, limit: int, lease_seconds: float, wait_seconds: float) -> str | None:
        """:meth:`try_acquire`, retried with short random pauses for up to ``wait_seconds``."""
        give_up = clock.monotonic() + wait_seconds
        while True:
            token = self.try_acquire(provider, limit, lease_seconds)
            if token or clock.monotonic() >= give_up:
                return token
            time.sleep(random.uniform(0.05, 0.25))

    def release(self, provider: str, token: str) -> None:
        """Free the slot of ``token`` (a no-op if its lease ended and another holder took it)."""
        n, owner = token.split(":", 1)
        try:
            self.db.update_item(TableName=self.table, Key=self._pk(provider, int(n)),
                                UpdateExpression="SET lease_until = :zero REMOVE #o", ConditionExpression="#o = :o",
                                ExpressionAttributeNames={"#o": "owner"},
                                ExpressionAttributeValues={":zero": ddb.value(0), ":o": ddb.value(owner)})
        except ClientError as err:
            if not ddb.is_code(err, "ConditionalCheckFailedException"):
                raise


def _read_secret(arn: str) -> dict:
    from aws_lambda_powertools.utilities import parameters

    return parameters.get_secret(arn, transform="json", max_age=300) or {}


class Providers:
    """The configured connectors, built on first use (thread-safe, one instance per name).

    Args:
        env: the ``CONNECTOR_*`` variables (``Settings.connector_env``).
        slots: the platform-wide slots (None: no bound, e.g. in unit tests).
        slot_wait_seconds: how long :meth:`slot` waits for a free slot.
        read_secret: ARN -> dict (Powertools parameters by default).
    """

    def __init__(self, env: Mapping[str, str], slots: ProviderSlots | None = None, slot_wait_seconds: float = 2.0,
                 read_secret=_read_secret):
        self.env = dict(env)
        self.slots = slots
        self.slot_wait_seconds = slot_wait_seconds
        self._read_secret = read_secret
        self._settings: dict[str, ConnectorSettings] = {}
        self._connectors: dict[str, Connector] = {}
        self._lock = Lock()

    def configured(self, name: str) -> bool:
        """Whether connector ``name`` has a secret or its credentials in the environment."""
        if registry.secret_env_name(name) in self.env:
            return True
        names = {f: v for v, f in registry.env_names(name).items()}
        return all(names[f] in self.env for f in registry.secret_fields(name))

    def settings(self, name: str) -> ConnectorSettings:
        """Connector ``name``'s settings (its secret read on first use). Raises KeyError, ValidationError."""
        with self._lock:
            if name not in self._settings:
                arn = self.env.get(registry.secret_env_name(name))
                self._settings[name] = registry.settings_from_env(name, self.env,
                                                                  self._read_secret(arn) if arn else None)
            return self._settings[name]

    def get(self, name: str) -> Connector:
        """The connector ``name`` (built once), its ``submit`` and ``status`` calls timed
        (:class:`Timed`)."""
        settings = self.settings(name)
        with self._lock:
            if name not in self._connectors:
                self._connectors[name] = Timed(registry.build(name, settings), name)
            return self._connectors[name]

    def choose(self, rail: str, currency: str, country: str) -> str:
        """The connector that pays ``rail`` in ``currency`` to ``country``.

        Raises:
            ValidationFailed (``param="currency"``): no configured connector can.
        """
        for name in registry.candidates(rail, currency, country):
            if self.configured(name):
                return name
        raise ValidationFailed(f"no provider pays {rail.replace('_', ' ')} beneficiaries in {country} in "
                               f"{currency}", param="currency", code="currency_not_supported")

    def directory(self, *, limit: int = 100, starting_after: str | None = None, kind: str | None = None,
                  country: str | None = None, currency: str | None = None) -> Page[Reach]:
        """The configured connectors' directory entries (by country, kind and code), filtered, each
        with its ``provider``; ``starting_after`` is the code of the last entry seen."""
        rows = sorted((Reach.model_construct(**d.model_dump(), provider=name) for name, d in registry.directory()
                       if self.configured(name) and kind in (None, d.kind) and country in (None, d.country)
                       and currency in (None, d.currency)), key=lambda r: (r.country, r.kind, r.code))
        if starting_after is not None:
            codes = [r.code for r in rows]
            rows = rows[codes.index(starting_after) + 1:] if starting_after in codes else []
        return Page(rows[:limit], len(rows) > limit)

    @contextmanager
    def slot(self, name: str) -> Iterator[bool]:
        """Hold one of provider ``name``'s slots for the block; yields False (holding nothing)
        when none came free within ``slot_wait_seconds``. The lease lasts until the invocation's
        deadline (60 s outside a handler)."""
        if self.slots is None:
            yield True
            return
        left = deadline.remaining()
        lease = (60.0 if left == float("inf") else left) + deadline.SAFETY_MARGIN_SECONDS
        token = self.slots.acquire(name, self.settings(name).max_in_flight, lease,
                                   min(self.slot_wait_seconds, max(0.0, left - 5)))
        if token is None:
            yield False
            return
        try:
            yield True
        finally:
            self.slots.release(name, token)
