"""Verify payrail's webhook deliveries (https://www.standardwebhooks.com, with the ``standardwebhooks``
library, as payrail signs them).

Each delivery is a POST of one event (``models.Event``: ``event_id``, ``type``, ``object_id``,
``sequence``, ``data.object``) with the headers

    webhook-id: <event_id>             the same on every attempt and redelivery: deduplicate by it
    webhook-timestamp: <unix seconds>  refused outside ±5 minutes (a replayed delivery is refused)
    webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")> [v1,… while rotating]

The secret is the endpoint's ``whsec_…`` (shown once when it is created or rotated). Verify the raw
body exactly as received, before parsing it.
"""
from __future__ import annotations

from collections.abc import Mapping

from standardwebhooks import Webhook, WebhookVerificationError

from .models.event import Event

__all__ = ["WebhookVerificationError", "WebhookVerifier"]


class WebhookVerifier:
    """Verifies deliveries with one or more of the endpoint's signing secrets (``whsec_…``; several
    while a rotation's old secret is still accepted). Raises ``ValueError`` for an empty or malformed
    secret."""

    def __init__(self, *secrets: str) -> None:
        if not secrets:
            raise ValueError("give at least one signing secret (whsec_...)")
        try:
            self._webhooks = [Webhook(s) for s in secrets]
        except Exception as e:  # the library raises binascii.Error or its EmptyWebhookSecretError
            raise ValueError(f"not a signing secret: {e}") from e

    def verify(self, body: bytes | str, headers: Mapping[str, str]) -> Event:
        """The delivered event, once ``body`` (raw, as received) and its ``headers`` (any case) verify
        with one of the secrets.

        Raises ``WebhookVerificationError`` when a header is missing, the timestamp is outside the
        tolerance, or no signature matches (a tampered body, another secret)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        failure: WebhookVerificationError | None = None
        for webhook in self._webhooks:
            try:
                return Event.from_dict(webhook.verify(body, lowered))
            except WebhookVerificationError as e:
                failure = e
            except ValueError as e:  # a malformed signature value (no "v1,", not base64)
                failure = WebhookVerificationError(f"Malformed signature header: {e}")
        assert failure is not None
        raise failure
