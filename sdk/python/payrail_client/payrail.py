"""The hand-written layer over the generated client: credentials, retries, idempotency keys, pagination.

Every request made through :class:`Payrail`'s ``client`` — by :meth:`Payrail.call`, :meth:`Payrail.paginate`
or a generated function called directly (``create_payout.sync(client=payrail.client, body=...)``) — goes
through :class:`RetryTransport`, which

* gives every request of an operation that takes an ``Idempotency-Key`` (``api.IDEMPOTENT_OPERATIONS``)
  a fresh key (a UUID4) unless the caller passed one, and keeps that key on every retry, so a retry
  replays the first answer instead of moving money twice;
* retries, at most ``RetryPolicy.max_retries`` times, a **429** (the limiter refused it before it ran),
  a **409** ``idempotency_request_in_progress`` (the same key is still running), and a **5xx** or a
  lost connection when resending is harmless (GET, PUT, DELETE, or a keyed POST: an unknown outcome is
  not a failure). A connection that was never made is retried for any request;
* waits ``Retry-After`` seconds when the answer says so (up to ``RetryPolicy.max_retry_after``; a longer
  wait is returned to the caller instead), else a bounded exponential backoff with jitter.

Errors: :meth:`Payrail.call` raises :class:`PayrailError` (payrail's ``{"error": {type, code, message,
param}}``) for any answer outside 2xx; transport errors (``httpx.TransportError``) once retries are spent.
"""
from __future__ import annotations

import asyncio
import email.utils
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx

from .api import IDEMPOTENT_OPERATIONS
from .client import AuthenticatedClient
from .types import UNSET, Response

DEFAULT_BASE_URL = "http://127.0.0.1:3000"
#: the error code of a 409 answered while a request with the same Idempotency-Key is still running
IN_PROGRESS = "idempotency_request_in_progress"
#: methods whose requests may be sent twice without harm (HTTP semantics; payrail's routes follow them)
REPLAYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRIED_5XX = frozenset({500, 502, 503, 504})
#: the field of a listed object that the next page's ``starting_after`` names, by the object's model
CURSORS = {"Payout": "payout_id", "Payment": "payment_id", "SavedBeneficiary": "beneficiary_id",
           "Reservation": "reservation_id", "WebhookEndpoint": "endpoint_id", "DeliveryAttempt": "attempt_id",
           "Event": "event_id", "Posting": "seq", "DirectoryEntry": "code", "ReconciliationRun": "run_id",
           "ReconciliationException": "exception_id"}


def _template(path: str) -> re.Pattern[str]:
    """A pattern matching a request path (behind any base path, such as an API Gateway stage) to ``path``."""
    return re.compile(".*" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)))


_KEYED = [(method, _template(path)) for method, path in sorted(IDEMPOTENT_OPERATIONS)]


def takes_idempotency_key(method: str, path: str) -> bool:
    """Whether the operation at ``method`` ``path`` (a request's URL path) takes an ``Idempotency-Key``."""
    return any(m == method.upper() and p.fullmatch(path) for m, p in _KEYED)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long :class:`RetryTransport` waits before sending a request again.

    ``max_retries``: retries after the first attempt (0: none). ``backoff_base`` / ``backoff_max``: the
    n-th retry without ``Retry-After`` waits ``min(backoff_max, backoff_base * 2**n)`` seconds, ±``jitter``
    (a fraction). ``max_retry_after``: the longest ``Retry-After`` (seconds) honoured; an answer asking
    for more is returned as it is.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.2

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (0-based) when the answer names no time."""
        delay = min(self.backoff_max, self.backoff_base * 2**retry)
        return max(0.0, delay * (1 + random.uniform(-self.jitter, self.jitter)))

    def retry_after(self, response: httpx.Response) -> float | None:
        """The answer's ``Retry-After`` in seconds (delta-seconds or an HTTP date), or None without one."""
        value = response.headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None

    def after_response(self, request: httpx.Request, response: httpx.Response, retry: int) -> float | None:
        """Seconds to wait before sending ``request`` again after ``response``, or None to return it.
        Reads the body of a 409 (to tell an in-flight key from another conflict)."""
        if retry >= self.max_retries:
            return None
        status = response.status_code
        if status == 409:
            response.read()
            try:
                code = response.json().get("error", {}).get("code")
            except (ValueError, AttributeError):
                code = None
            if code != IN_PROGRESS:
                return None
        elif status != 429 and not (status in RETRIED_5XX and replayable(request)):
            return None
        wait = self.retry_after(response)
        if wait is None:
            return self.backoff(retry)
        return wait if wait <= self.max_retry_after else None

    def after_error(self, request: httpx.Request, error: httpx.TransportError, retry: int) -> float | None:
        """Seconds to wait before sending ``request`` again after ``error``, or None to raise it."""
        if retry >= self.max_retries:
            return None
        never_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
        return self.backoff(retry) if never_sent or replayable(request) else None


def replayable(request: httpx.Request) -> bool:
    """Whether sending ``request`` twice does no harm: an idempotent method, or a POST carrying an
    ``Idempotency-Key`` to an operation that honours it."""
    return request.method in REPLAYABLE_METHODS or (
        "idempotency-key" in request.headers and takes_idempotency_key(request.method, request.url.path))


def _prepare(request: httpx.Request, new_key: Callable[[], str]) -> None:
    if "idempotency-key" not in request.headers and takes_idempotency_key(request.method, request.url.path):
        request.headers["Idempotency-Key"] = new_key()


def _new_key() -> str:
    return str(uuid.uuid4())


class RetryTransport(httpx.BaseTransport):
    """An httpx transport adding Idempotency-Keys and retrying (module docstring) around ``wrapped``
    (default ``httpx.HTTPTransport()``). ``sleep`` waits the given seconds (``time.sleep``)."""

    def __init__(self, wrapped: httpx.BaseTransport | None = None, policy: RetryPolicy | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, new_key: Callable[[], str] = _new_key) -> None:
        self.wrapped = wrapped or httpx.HTTPTransport()
        self.policy = policy or RetryPolicy()
        self._sleep, self._new_key = sleep, new_key

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request, self._new_key)
        retry = 0
        while True:
            try:
                response = self.wrapped.handle_request(request)
            except httpx.TransportError as error:
                wait = self.policy.after_error(request, error, retry)
                if wait is None:
                    raise
            else:
                wait = self.policy.after_response(request, response, retry)
                if wait is None:
                    return response
                response.close()
            self._sleep(wait)
            retry += 1

    def close(self) -> None:
        self.wrapped.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """:class:`RetryTransport` for ``httpx.AsyncClient`` (the generated ``asyncio`` functions);
    ``sleep`` is awaited (``asyncio.sleep``)."""

    def __init__(self, wrapped: httpx.AsyncBaseTransport | None = None, policy: RetryPolicy | None = None, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 new_key: Callable[[], str] = _new_key) -> None:
        self.wrapped = wrapped or httpx.AsyncHTTPTransport()
        self.policy = policy or RetryPolicy()
        self._sleep, self._new_key = sleep, new_key

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request, self._new_key)
        retry = 0
        while True:
            try:
                response = await self.wrapped.handle_async_request(request)
            except httpx.TransportError as error:
                wait = self.policy.after_error(request, error, retry)
                if wait is None:
                    raise
            else:
                if response.status_code == 409:
                    await response.aread()  # after_response reads a 409's body
                wait = self.policy.after_response(request, response, retry)
                if wait is None:
                    return response
                await response.aclose()
            await self._sleep(wait)
            retry += 1

    async def aclose(self) -> None:
        await self.wrapped.aclose()


class PayrailError(Exception):
    """An answer outside 2xx: ``status`` (HTTP), and payrail's error fields ``type``, ``code``,
    ``message``, ``param`` (None when the body is not payrail's error shape); ``body`` (raw bytes) and
    ``headers`` as received."""

    def __init__(self, status: int, body: bytes, headers: httpx.Headers | dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, httpx.Headers(headers or {})
        try:
            error = httpx.Response(status, content=body).json().get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        error = error if isinstance(error, dict) else {}
        self.type: str | None = error.get("type")
        self.code: str | None = error.get("code")
        self.param: str | None = error.get("param")
        self.message: str = error.get("message") or body[:200].decode("utf-8", "replace")
        super().__init__(f"{status} {self.code}: {self.message}" if self.code else f"{status}: {self.message}")


Operation = ModuleType | Callable[..., Response[Any]]


def _detailed(operation: Operation, name: str = "sync_detailed") -> Callable[..., Any]:
    return getattr(operation, name) if isinstance(operation, ModuleType) else operation


class Payrail:
    """payrail's API with a merchant's key (``api_key``, sent as ``X-API-Key``) or the operator's
    ``admin_token`` (``Authorization: Bearer``): exactly one of them.

    ``client`` is the generated ``AuthenticatedClient`` (give it to any generated function); its sync and
    async httpx clients send through :class:`RetryTransport` / :class:`AsyncRetryTransport` with
    ``retry`` (a :class:`RetryPolicy`). ``transport`` / ``async_transport`` replace the network
    underneath (tests: ``httpx.MockTransport``); ``sleep`` replaces ``time.sleep`` between retries.
    ``timeout`` is seconds per attempt.

    Example::

        payrail = Payrail(api_key="sk_...", base_url="http://127.0.0.1:3000")
        payout = payrail.call(create_payout, body=PayoutIn.from_dict({...}))
        for p in payrail.paginate(list_payouts, status=ListPayoutsStatusType0.SUCCEEDED): ...
    """

    def __init__(self, api_key: str | None = None, *, admin_token: str | None = None,
                 base_url: str = DEFAULT_BASE_URL, timeout: float = 30.0, retry: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if (api_key is None) == (admin_token is None):
            raise ValueError("give exactly one of api_key (a merchant) and admin_token (the operator)")
        self.base_url, self.retry = base_url.rstrip("/"), retry or RetryPolicy()
        self._timeout, self._transport, self._async_transport, self._sleep = timeout, transport, async_transport, sleep
        if api_key is not None:
            self.client = AuthenticatedClient(base_url=self.base_url, token=api_key, prefix="",
                                              auth_header_name="X-API-Key")
            auth = {"X-API-Key": api_key}
        else:
            self.client = AuthenticatedClient(base_url=self.base_url, token=admin_token)
            auth = {"Authorization": f"Bearer {admin_token}"}
        self.client.set_httpx_client(httpx.Client(
            base_url=self.base_url, headers=auth, timeout=timeout,
            transport=RetryTransport(transport, self.retry, sleep=sleep)))
        self.client.set_async_httpx_client(httpx.AsyncClient(
            base_url=self.base_url, headers=auth, timeout=timeout,
            transport=AsyncRetryTransport(async_transport, self.retry)))

    def as_merchant(self, api_key: str) -> Payrail:
        """The same API, base URL and retry policy with a merchant's ``api_key`` (for example one the
        operator just created)."""
        return Payrail(api_key, base_url=self.base_url, timeout=self._timeout, retry=self.retry,
                       transport=self._transport, async_transport=self._async_transport, sleep=self._sleep)

    def call(self, operation: Operation, /, **kwargs: Any) -> Any:
        """Run a generated operation (its module, such as ``api.payouts.create_payout``, or its
        ``sync_detailed``) with this client and ``kwargs``; returns the parsed 2xx answer (a model).

        Raises :class:`PayrailError` for any other status."""
        response = _detailed(operation)(client=self.client, **kwargs)
        if not 200 <= response.status_code < 300:
            raise PayrailError(response.status_code, response.content, dict(response.headers))
        return response.parsed

    async def acall(self, operation: Operation, /, **kwargs: Any) -> Any:
        """:meth:`call` with the operation's ``asyncio_detailed`` (``operation`` a module or that function)."""
        response = await _detailed(operation, "asyncio_detailed")(client=self.client, **kwargs)
        if not 200 <= response.status_code < 300:
            raise PayrailError(response.status_code, response.content, dict(response.headers))
        return response.parsed

    def paginate(self, operation: Operation, /, *, limit: int = 100,
                 cursor: Callable[[Any], Any] | None = None, **kwargs: Any) -> Iterator[Any]:
        """Every object of a list operation (one taking ``limit`` and ``starting_after`` and answering
        ``{data, has_more}``), page after page of ``limit`` (1..100), in the list's order (newest first).

        Each next page starts after the last object's id (:data:`CURSORS`: ``payout_id``, ``event_id``,
        a posting's ``seq`` …); ``cursor(obj)`` overrides that. ``kwargs`` are the list's filters; a
        ``starting_after`` among them is where the first page starts. Raises :class:`PayrailError`."""
        after = kwargs.pop("starting_after", UNSET)
        cursor_of = cursor or (lambda obj: getattr(obj, CURSORS[type(obj).__name__]))
        while True:
            page = self.call(operation, limit=limit, starting_after=after, **kwargs)
            yield from page.data
            if not page.has_more or not page.data:
                return
            after = cursor_of(page.data[-1])

    def close(self) -> None:
        """Close the connections of the sync client (``aclose`` the async one from its event loop)."""
        self.client.get_httpx_client().close()

    async def aclose(self) -> None:
        """Close the connections of the async client."""
        await self.client.get_async_httpx_client().aclose()

    def __enter__(self) -> Payrail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
