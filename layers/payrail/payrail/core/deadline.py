"""The deadline of the current Lambda invocation, for domain code that retries or waits.

Lambda stops an invocation at the function's timeout; work that is still retrying then is lost
and its caller sees a timeout instead of an answer. Each handler is decorated with
:func:`from_lambda_context`, which sets the deadline from ``context.get_remaining_time_in_millis()``
minus :data:`SAFETY_MARGIN_SECONDS` (time to answer after giving up); domain code asks
:func:`remaining` and stops retrying in time; every AWS client of ``payrail.core.ddb.client`` keeps it
on its own (an attempt's read timeout is cut to the time left, no retry starts that could not end
by it). The deadline lives in a ``ContextVar``, so concurrent invocations on different threads
(the local runtime) each see their own, and it is reset when the handler returns; threads a
handler starts do not inherit it.

Outside a decorated handler (scripts, tests) no deadline is set and :func:`remaining` is infinite:
callers then apply their own budget.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from payrail.core import clock

#: seconds kept back from the Lambda timeout to answer after the domain gives up
SAFETY_MARGIN_SECONDS = 2.0

_deadline: ContextVar[float | None] = ContextVar("payrail_deadline", default=None)


def remaining() -> float:
    """Seconds left before the current invocation's deadline (never negative); ``math.inf`` when
    no deadline is set."""
    d = _deadline.get()
    return math.inf if d is None else max(0.0, d - clock.monotonic())


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block with a deadline ``seconds`` from now (restored afterwards)."""
    token = _deadline.set(clock.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def from_lambda_context(handler: Callable) -> Callable:
    """Decorator for ``lambda_handler(event, context)``: the invocation's deadline is the Lambda
    context's remaining time minus :data:`SAFETY_MARGIN_SECONDS`."""

    @functools.wraps(handler)
    def wrapper(event, context, *args, **kwargs):
        with within(context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS):
            return handler(event, context, *args, **kwargs)

    return wrapper
