"""Provider callbacks (IPN): what a provider tells payrail about a transfer, authenticated by
that provider's own scheme, and only ever a hint.

``POST /v1/callbacks/{connector}`` hands the raw body and headers to the connector's
``parse_callback`` (Cashfree Payouts V2: ``x-webhook-signature`` = base64 HMAC-SHA256 of
``x-webhook-timestamp`` + raw body; Safepay: ``X-SFPY-SIGNATURE`` over ``timestamp.body``; a
provider that signs nothing, such as MTN MoMo, yields a hint that is confirmed the same way). A
forged, unsigned, stale (outside the connector's window, 300 s) or malformed callback is refused
with 401 and changes nothing.

An authenticated callback still decides nothing by itself: the object it names (found by the
provider's key for the transfer, the main table's ``by_provider_key`` index) is handed to the
handler registered for its kind, which **asks the provider's status API** and moves the object
with the same guarded transitions its workflow uses. So the same callback twice, a replayed one,
or a callback racing the workflow's own look ends in one terminal state, one journal and one
event: whichever write comes second finds the state already left and does nothing. A provider that
signs the body only (AirtelTigo) cannot date its callbacks; a callback for an object whose outcome
is already known is acknowledged without asking the provider (``no_change``), so replays cost
nothing (``Payments.outcome_known``; a payout that is no longer at the provider likewise).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pydantic import ValidationError

from payrail.providers.answers import CallbackAck

from payrail.providers import registry
from payrail.providers.connectors.base import CallbackHint, CallbackRejected
from payrail.core.errors import NotFound, Unauthorized
from payrail.core.store import MainTable

#: ``(item as stored, hint) -> (outcome, object as clients see it)``; outcome names what the
#: provider's status API said and what was done: ``captured``, ``released``, ``no_change``
#: (not final, or already settled) or ``deferred`` (the provider could not be asked now; the
#: workflow looks again on its own)
Handler = Callable[[dict, CallbackHint], tuple[str, dict]]


class Callbacks:
    """Receives provider callbacks.

    Args:
        main: the main table (the ``by_provider_key`` lookup).
        providers: the configured connectors (``payrail.providers.slots.Providers``).
        handlers: per item ``type`` (``PAYOUT.type`` …), what confirms and applies a callback.
    """

    def __init__(self, main: MainTable, providers, handlers: Mapping[str, Handler]):
        self.main = main
        self.providers = providers
        self.handlers = dict(handlers)

    def receive(self, connector: str, headers: dict[str, str], body: bytes, now: float) -> CallbackAck:
        """Authenticate, find and confirm one callback.

        Args:
            connector: the registry name in the callback URL.
            headers: the request headers (any case). body: the raw request body.
            now: unix seconds (the staleness check).

        Returns:
            what payrail did with it; ``outcome`` ``unknown_transfer`` (and no object) when payrail
            has no transfer under that key.

        Raises:
            NotFound (404): no such connector, or it is not configured here.
            Unauthorized (401 ``callback_rejected``): unsigned, forged, stale or malformed (also when
            an authenticated body's values do not fit the hint, e.g. a number as its event type).
        """
        if connector not in registry.REGISTRY or not self.providers.configured(connector):
            raise NotFound(f"no provider {connector!r} sends callbacks here", param="connector")
        try:
            hint = self.providers.get(connector).parse_callback(headers, body, now)
        except CallbackRejected as e:
            raise Unauthorized(f"callback refused: {e}", code="callback_rejected") from None
        except ValidationError as e:  # authenticated, but a value is not what the hint holds (a number as a type)
            raise Unauthorized(f"callback refused: {connector}: malformed callback ({e.error_count()} invalid "
                               f"value{'s' * (e.error_count() > 1)})", code="callback_rejected") from None
        found = [i for i in self.main.by_provider_key(hint.transfer_key) if i.get("provider") == connector]
        if not found or found[0].get("type") not in self.handlers:
            return CallbackAck.model_construct(received=True, outcome="unknown_transfer", object_type=None,
                                               object_id=None, status=None)
        item = found[0]
        outcome, obj = self.handlers[item["type"]](item, hint)
        return CallbackAck.model_construct(received=True, outcome=outcome, object_type=item["type"],
                                           object_id=obj[f"{item['type']}_id"], status=obj["status"])
