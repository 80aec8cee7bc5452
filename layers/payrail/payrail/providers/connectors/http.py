"""One HTTP attempt per call, with failures sorted into the connector errors.

Never retried here (the payout workflow owns retries and backoff): a blind retry of a POST
whose answer was lost is exactly how money is paid twice.

* could not connect (refused, DNS, connect timeout)     -> ConnectorUnavailable
* read timeout / reset / 5xx after a mutating request   -> OutcomeUnknown
* the same on a read-only request                       -> ConnectorUnavailable (nothing changed)
* 429, 401, 403                                         -> ConnectorUnavailable (not processed)
* anything else                                         -> returned to the connector to interpret
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from payrail.providers.connectors.base import ConnectorUnavailable, OutcomeUnknown, TransferRejected


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
