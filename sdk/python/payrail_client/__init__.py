"""A client library for payrail's HTTP API.

The operations (``payrail_client.api.<tag>.<operation>``) and models (``payrail_client.models``) are
generated from the OpenAPI document; ``Payrail`` (credentials, retries, idempotency keys, pagination)
and ``WebhookVerifier`` are written by hand beside them (``payrail.py``, ``webhooks.py``).
"""

from .client import AuthenticatedClient, Client
from .payrail import (
    AsyncRetryTransport,
    Payrail,
    PayrailError,
    RetryPolicy,
    RetryTransport,
)
from .webhooks import WebhookVerificationError, WebhookVerifier

__all__ = (
    "AsyncRetryTransport",
    "AuthenticatedClient",
    "Client",
    "Payrail",
    "PayrailError",
    "RetryPolicy",
    "RetryTransport",
    "WebhookVerificationError",
    "WebhookVerifier",
)
