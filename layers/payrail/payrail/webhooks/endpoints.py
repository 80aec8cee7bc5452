"""Webhook endpoints: where a merchant's events are delivered, and with which signing secrets.

An endpoint is ``{url, enabled_events, description}`` with a status ``enabled`` or ``disabled``.
``enabled_events`` lists event types (:data:`payrail.core.events.EVENT_TYPES`), ``<family>.*``
(``order.*``, ``payout.*`` …) or ``*``. Its signing secret (``whsec_`` + base64 of 32 random
bytes, the Standard Webhooks format) is shown once, in the answer that creates it (or rotates
it); payrail keeps it to sign (the table is encrypted at rest). Rotating makes a new secret and
keeps the current ones signing for ``secret_overlap_seconds`` (24 h): during the overlap every
delivery carries one signature per secret.

Disabling: the merchant may disable and re-enable an endpoint; payrail disables it when it answers
410 Gone, or when every attempt has failed for ``disable_after_seconds`` (``failing_since`` is the
first failure after the last success). ``disabled_reason`` says why.

Items: :class:`payrail.webhooks.records.EndpointRecords` (table ``webhooks``; time-ordered ids, so
a query lists the newest first). A deleted endpoint keeps its item with ``deleted_at`` until its
TTL (``expiration``) removes it; it no longer exists for the API or for deliveries.
"""
from __future__ import annotations

import base64
import secrets as random_secrets
import socket

from payrail.core import clock
from payrail.core import ddb
from payrail.core.errors import Conflict, NotFound, ValidationFailed
from payrail.core.events import EVENT_TYPES, FAMILIES, RETENTION_SECONDS
from payrail.core.ids import time_ordered
from payrail.webhooks.model import EndpointStatus, NewSecret, SigningSecret, WebhookEndpoint, iso  # noqa: F401
from payrail.webhooks.records import EndpointRecords, Page
from payrail.webhooks.urls import check_url

ENABLED, DISABLED = EndpointStatus.ENABLED, EndpointStatus.DISABLED


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(random_secrets.token_bytes(32)).decode()


def subscribed(patterns: list[str], event_type: str) -> bool:
    """True when ``event_type`` matches one of ``patterns`` (exact, ``<family>.*`` or ``*``)."""
    family = event_type.split(".", 1)[0]
    return any(p in ("*", event_type, f"{family}.*") for p in patterns)


def check_event_types(patterns: list[str]) -> list[str]:
    """The patterns without duplicates, in order.

    Raises:
        ValidationFailed (``enabled_events``): empty, or a pattern that is neither a known type,
        ``<family>.*`` of a known family, nor ``*``.
    """
    if not patterns:
        raise ValidationFailed("enabled_events must name at least one event type", param="enabled_events")
    for p in patterns:
        known = p == "*" or p in EVENT_TYPES or (p.endswith(".*") and p[:-2] in FAMILIES)
        if not known:
            raise ValidationFailed(f"unknown event type {p!r}: use one of {sorted(EVENT_TYPES)}, "
                                   f"<family>.* ({', '.join(FAMILIES)}) or *", param="enabled_events")
    return list(dict.fromkeys(patterns))


def signing_secrets(endpoint: WebhookEndpoint | dict, now: float) -> list[str]:
    """The secrets that sign a delivery made at ``now``: the newest, and the rotated-out ones
    whose overlap has not ended (an endpoint, or its stored shape)."""
    return [s["secret"] for s in endpoint.get("secrets") or [] if not s.get("expires_at") or s["expires_at"] > now]


class WebhookEndpoints:
    """A merchant's webhook endpoints.

    Args:
        table: the ``webhooks`` table.
        local_mode: the URL rules of the local cloud (:func:`payrail.webhooks.urls.check_url`).
        max_endpoints: endpoints per merchant.
        secret_overlap_seconds: how long a rotated-out secret keeps signing.
        disable_after_seconds: failing this long disables an endpoint.
        resolve: ``socket.getaddrinfo``-like resolver for the URL check.
    """

    def __init__(self, table: str, *, local_mode: bool, max_endpoints: int = 16,
                 secret_overlap_seconds: int = 86_400, disable_after_seconds: int = 5 * 86_400,
                 resolve=socket.getaddrinfo, client=None):
        self.table = table
        self.local_mode = local_mode
        self.max_endpoints = max_endpoints
        self.overlap = secret_overlap_seconds
        self.disable_after = disable_after_seconds
        self.resolve = resolve
        self.records = EndpointRecords(table, client or ddb.client())

    def _check_url(self, url: str) -> str:
        return check_url(url, local_mode=self.local_mode, resolve=self.resolve)

    # ---- the merchant's API ---------------------------------------------------------------------
    def create(self, merchant_id: str, url: str, enabled_events: list[str],
               description: str | None = None) -> NewSecret:
        """Create an enabled endpoint. Returns it with its ``secret`` (shown only here).

        Raises:
            ValidationFailed (400): bad URL (see ``check_url``) or event types.
            Conflict (409 ``too_many_endpoints``): the merchant has ``max_endpoints`` already.
        """
        self._check_url(url)
        events = check_event_types(enabled_events)
        if len(self.for_merchant(merchant_id, enabled_only=False)) >= self.max_endpoints:
            raise Conflict(f"a merchant may have at most {self.max_endpoints} webhook endpoints",
                           code="too_many_endpoints")
        now = clock.now()
        secret = new_secret()
        ep = WebhookEndpoint(endpoint_id=time_ordered("we", now), merchant_id=merchant_id, url=url,
                             enabled_events=events, description=description, status=ENABLED, created_at=iso(now),
                             updated_at=iso(now), secrets=[SigningSecret(secret=secret, created_at=int(now))])
        self.records.create(ep)
        return NewSecret(endpoint=ep, secret=secret)

    def get_raw(self, merchant_id: str, endpoint_id: str, consistent: bool = True) -> WebhookEndpoint | None:
        """The endpoint with its secrets, or None (also when deleted)."""
        return self.records.get(merchant_id, endpoint_id, consistent)

    def get(self, merchant_id: str, endpoint_id: str) -> WebhookEndpoint:
        """The endpoint. Raises NotFound (another merchant's endpoint, or a deleted one)."""
        ep = self.get_raw(merchant_id, endpoint_id)
        if ep is None:
            raise NotFound("webhook endpoint not found", param="endpoint_id")
        return ep

    def list(self, merchant_id: str, limit: int = 10, starting_after: str | None = None) -> Page[WebhookEndpoint]:
        """Endpoints, newest first."""
        eps = self.for_merchant(merchant_id, enabled_only=False)[::-1]
        if starting_after:
            eps = [e for e in eps if e.endpoint_id < starting_after]
        return Page(eps[:limit], len(eps) > limit)

    def for_merchant(self, merchant_id: str, enabled_only: bool = True) -> list[WebhookEndpoint]:
        """The merchant's endpoints with their secrets, oldest first (at most ``max_endpoints`` plus
        deleted ones awaiting their TTL, so one query reads them all; strongly consistent, so an
        endpoint is used from the moment its creation was answered)."""
        return [e for e in self.records.for_merchant(merchant_id) if not enabled_only or e.status == ENABLED]

    def update(self, merchant_id: str, endpoint_id: str, *, url: str | None = None,
               enabled_events: list[str] | None = None, description: str | None = None,
               disabled: bool | None = None) -> WebhookEndpoint:
        """Change the URL, the events, the description, or disable / re-enable (re-enabling
        forgets the failures that disabled it). Fields left None are unchanged.

        Raises:
            NotFound, ValidationFailed.
        """
        sets: dict = {"updated_at": iso(clock.now())}
        removes: list[str] = []
        if url is not None:
            sets["url"] = self._check_url(url)
        if enabled_events is not None:
            sets["enabled_events"] = check_event_types(enabled_events)
        if description is not None:
            sets["description"] = description
        if disabled is True:
            sets.update(status=DISABLED.value, disabled_reason="disabled by the merchant",
                        disabled_at=sets["updated_at"])
        elif disabled is False:
            sets["status"] = ENABLED.value
            removes += ["disabled_reason", "disabled_at", "failing_since", "last_failure"]
        return self.records.update(merchant_id, endpoint_id, sets, removes)

    def delete(self, merchant_id: str, endpoint_id: str) -> dict:
        """Delete an endpoint: nothing more is delivered to it. Raises NotFound."""
        now = clock.now()
        self.records.update(merchant_id, endpoint_id, {"deleted_at": iso(now), "status": DISABLED.value,
                                                       "expiration": int(now) + RETENTION_SECONDS})
        return {"endpoint_id": endpoint_id, "deleted": True}

    def rotate_secret(self, merchant_id: str, endpoint_id: str) -> NewSecret:
        """A new signing secret (returned only here); the current ones keep signing for the
        overlap (``secret_overlap_seconds``), then stop.

        Raises:
            NotFound. Conflict (``concurrent_update``): another rotation won; retry.
        """
        ep = self.get_raw(merchant_id, endpoint_id)
        if ep is None:
            raise NotFound("webhook endpoint not found", param="endpoint_id")
        now = clock.now()
        until = int(now) + self.overlap
        kept = [s.model_dump(exclude_none=True) | {"expires_at": min(s.expires_at or until, until)}
                for s in ep.secrets if not s.expires_at or s.expires_at > now]
        secret = new_secret()
        updated = self.records.update(merchant_id, endpoint_id,
                                      {"secrets": kept + [{"secret": secret, "created_at": int(now)}],
                                       "updated_at": iso(now)}, guard=("updated_at", ep.updated_at))
        if updated is None:
            raise Conflict("the endpoint changed meanwhile; retry", code="concurrent_update")
        return NewSecret(endpoint=updated, secret=secret)

    # ---- what deliveries report ---------------------------------------------------------------------
    def record_success(self, endpoint: WebhookEndpoint) -> None:
        """A delivery succeeded: the endpoint is no longer failing (``failing_since`` removed if set;
        decided on the table, not on the caller's possibly older copy)."""
        self.records.clear_failing(endpoint)

    def record_failure(self, endpoint: WebhookEndpoint, what: str, now: float) -> WebhookEndpoint | None:
        """A delivery attempt failed (``what``: status or error, shown to the merchant). Sets
        ``failing_since`` on the first failure after a success; disables the endpoint when it has
        failed for ``disable_after_seconds``. Returns the endpoint after (None if it is gone)."""
        after = self.records.note_failure(endpoint, what[:300], now)
        if after and now - after.failing_since >= self.disable_after:
            days = (now - after.failing_since) / 86_400
            self.disable(after, f"every delivery failed for {days:.1f} days (since "
                                f"{iso(after.failing_since)}); last: {what[:200]}")
        return after

    def disable(self, endpoint: WebhookEndpoint, reason: str) -> None:
        """Disable an enabled endpoint, saying why (no-op if it is not enabled)."""
        self.records.disable(endpoint, reason[:500], iso(clock.now()))
