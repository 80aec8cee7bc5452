"""The one clock of the domain: wall time, ISO time stamps and a monotonic clock.

Every ``now``, deadline, lease and expiry in payrail reads this module, never ``time`` or
``datetime`` directly, so a simulator can run the real code in virtual time: :func:`set_source`
installs a source (an object with ``now()`` → epoch seconds and ``monotonic()`` → seconds), and
:func:`reset` goes back to the system clock. The source is process-wide (not per thread).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone


class SystemClock:
    """The machine's clock (``time.time`` and ``time.monotonic``)."""

    @staticmethod
    def now() -> float:
        return time.time()

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()


_source = SystemClock()


def set_source(source) -> None:
    """Read time from ``source`` (``now()`` epoch seconds, ``monotonic()`` seconds) from now on."""
    global _source
    _source = source


def reset() -> None:
    """Back to the system clock."""
    set_source(SystemClock())


def now() -> float:
    """Seconds since the epoch (float)."""
    return _source.now()


def monotonic() -> float:
    """Seconds of a clock that never goes back (for budgets and deadlines)."""
    return _source.monotonic()


def utcnow() -> datetime:
    """:func:`now` as an aware UTC datetime."""
    return datetime.fromtimestamp(now(), timezone.utc)


def now_iso() -> str:
    """UTC timestamp with microseconds, ISO 8601, sortable as a string."""
    return iso(now())


def iso(ts: float) -> str:
    """Epoch seconds ``ts`` as :func:`now_iso` writes a time: ``2026-12-01T22:15:00.000000Z``."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
