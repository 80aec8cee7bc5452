"""One HTTP attempt per call, with failures sorted into the connector errors.

Never retried here (the payout workflow owns retries and backoff): a blind retry of a POST
whose answer was lost is exactly how money is paid twice.

* could not connect (refused, DNS, connect timeout)     -> ConnectorUnavailable
* read timeout / reset / 5xx after a mutating request   -> OutcomeUnknown
* the same on a read-only request                       -> ConnectorUnavailable (nothing changed)
* 429, 401, 403                                         -> ConnectorUnavailable (not processed)
* anything else                                         -> returned to the connector to interpret

:class:`HttpConnector` is what every connector's ``connector.py`` builds on: its settings, one
transport, the provider-side key of a transfer, the status lookup and the answer to a repeated
creation; the provider's request and response shapes live beside it in ``transformers.py``.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from payrail.providers.connectors.base import (ConnectorSettings, ConnectorUnavailable, OutcomeUnknown, ProviderStatus,
                                               TransferRejected, TransferRequest, TransferResult)


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def error(self) -> tuple[str, str]:
        """``(code, message)`` of an error body, flat ``{code, message}`` or enveloped
        ``{error: {code, message}}``; ``http_<status>`` and the raw text when it is neither."""
        try:
            body = json.loads(self.body)
        except ValueError:
            body = None
        err = body.get("error", body) if isinstance(body, dict) else None
        err = err if isinstance(err, dict) else {}
        return (str(err.get("code") or f"http_{self.status}"),
                str(err.get("message") or self.body[:200].decode(errors="replace")))

    def rejected(self) -> TransferRejected:
        """This 4xx answer as a TransferRejected."""
        return TransferRejected(*self.error(), self.status)


def _never_connected(e: requests.RequestException) -> bool:
    if isinstance(e, requests.ConnectTimeout):
        return True
    reason = e.args[0] if e.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError and NameResolutionError too


class Transport:
    """A keep-alive session for one connector. ``timeout_seconds`` bounds the wait for an
    answer; ``connect_timeout_seconds`` the wait for a connection."""

    def __init__(self, base_url: str, provider: str, timeout_seconds: float, connect_timeout_seconds: float):
        self.base = base_url.rstrip("/")
        self.provider = provider
        self.timeout = (connect_timeout_seconds, timeout_seconds)
        self.http = requests.Session()
        adapter = HTTPAdapter(max_retries=0, pool_maxsize=16)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)

    def call(self, method: str, path: str, *, mutating: bool, headers: dict[str, str],
             body: str | None = None, params: dict | None = None) -> Response:
        """Send one request. Raises ConnectorUnavailable or OutcomeUnknown (see module doc)."""
        hdrs = {"accept": "application/json", **headers}
        if body is not None:
            hdrs["content-type"] = "application/json"
        try:
            r = self.http.request(method, self.base + path, params=params, headers=hdrs,
                                  data=body.encode() if body is not None else None, timeout=self.timeout)
        except requests.RequestException as e:
            what = f"{self.provider}: {type(e).__name__} on {method} {path}"
            if _never_connected(e) or not mutating:
                raise ConnectorUnavailable(what) from None
            raise OutcomeUnknown(what) from None
        if r.status_code in (401, 403, 429):
            raise ConnectorUnavailable(f"{self.provider} answered {r.status_code} to {method} {path}: {r.text[:200]}")
        if r.status_code >= 500:
            what = f"{self.provider} answered {r.status_code} to {method} {path}"
            raise (OutcomeUnknown if mutating else ConnectorUnavailable)(what)
        return Response(r.status_code, r.content, dict(r.headers))


class HttpConnector:
    """The transport side every connector shares: ``settings``, one :class:`Transport` (``http``),
    the provider-side key of a transfer (uuid5 of payrail's transfer id in the connector's own
    namespace, so a retry after a lost answer sends the same key), the status lookup and what a
    repeated creation answers. Subclasses set ``name`` and implement :meth:`headers`."""

    name = "connector"

    def __init__(self, settings: ConnectorSettings):
        self.settings = settings
        self.http = Transport(str(settings.base_url), self.name, settings.timeout_seconds,
                              settings.connect_timeout_seconds)
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"payrail/connectors/{self.name}")

    def headers(self) -> dict[str, str]:
        """The authentication headers of every request."""
        return {}

    def transfer_key(self, transfer_id: str) -> str:
        return str(uuid.uuid5(self.namespace, transfer_id))

    def lookup(self, path: str, transfer_id: str, read: Callable[[str, bytes], TransferResult], *,
               params: dict | None = None, missing: Callable[[Response], bool] | None = None) -> TransferResult:
        """``GET path``: a 404 (or an answer ``missing`` says names nothing) is NOT_FOUND, a 200 is
        ``read(transfer_id, body)``. Raises ConnectorUnavailable for any other answer."""
        r = self.http.call("GET", path, mutating=False, headers=self.headers(), params=params)
        if r.status == 404 or (missing is not None and missing(r)):
            return TransferResult(transfer_id=transfer_id, status=ProviderStatus.NOT_FOUND)
        if r.status != 200:
            raise ConnectorUnavailable(f"{self.name}: lookup answered {r.status}: {r.error()[1]}")
        return read(transfer_id, r.body)

    def status(self, transfer_id: str) -> TransferResult:
        """The transfer at the provider (NOT_FOUND if never received). Raises ConnectorUnavailable."""
        raise NotImplementedError

    def created(self, req: TransferRequest, r: Response, read: Callable[[str, bytes], TransferResult], *,
                same_amount: bool = True, refusal: Callable[[Response], TransferRejected] = Response.rejected
                ) -> TransferResult:
        """The answer ``r`` to the creation of ``req``: a 2xx is ``read(transfer_id, body)``; a 409
        (a repeated key) is the transfer already there, found with :meth:`status`; anything else
        is ``refusal(r)`` raised.

        Raises: TransferRejected (``transfer_id_conflict``, 409, when ``same_amount`` and the
        existing transfer holds another amount); OutcomeUnknown when the provider answered 409
        but does not list the transfer (yet).
        """
        if 200 <= r.status < 300:
            return read(req.transfer_id, r.body)
        if r.status != 409:
            raise refusal(r)
        found = self.status(req.transfer_id)
        if found.status == ProviderStatus.NOT_FOUND:
            raise OutcomeUnknown(f"{self.name}: 409 for {req.transfer_id} but no such transfer listed")
        if same_amount and found.amount is not None and found.amount != req.amount:
            raise TransferRejected("transfer_id_conflict", f"transfer {req.transfer_id} exists with amount "
                                   f"{found.amount}, not {req.amount}", 409)
        return found
