"""Provider callbacks (IPN): one route per provider, each authenticated by that provider's own
signature scheme (``payrail.providers.callbacks``); never trusted without asking the provider."""

from payrail.api import models
from payrail.api.edge import CALLBACKS, Routes, call
from payrail.api.params import path_id
from payrail.core import clock

routes = Routes("callbacks")

ConnectorPath = path_id(r"^[a-z][a-z0-9_]{1,31}$", 32, "the provider's connector name (cashfree, safepay …)")


@routes.post("/v1/callbacks/<connector>", operation_id="receiveProviderCallback",
             auth=None, response=models.CallbackAck, errors=(401, 404),
             rate_limited=CALLBACKS)
def provider_callback(connector: ConnectorPath) -> dict:
    """A provider's callback about a transfer: 401 when unsigned, forged or stale (outside 300 s),
    404 for an unknown provider; otherwise payrail asks the provider and applies its answer once."""
    c = call()
    return c.platform.callbacks.receive(connector, c.headers, c.body, clock.now()).model_dump()
