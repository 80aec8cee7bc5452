"""HTTP API (API Gateway HTTP API, payload 2.0): payrail's edge in front of one route module per
resource (``payrail.api``). Authentication, rate limits, body checks, validation, idempotency and
error mapping are applied by the edge from each route's declaration; this file only wires it. Every
route is registered from the routes' index; a resource's module is imported by the first request
one of its routes serves in this execution environment (``payrail.api.routes``).

No garbage collection runs while this module loads (a cold start allocates many long-lived
objects: each collection would walk them all again); once loaded they are frozen out of later
collections (``gc.freeze``) and collection is back on."""
import gc

gc.disable()

import os  # noqa: E402 - after the collector is paused
from pathlib import Path

from aws_lambda_powertools.logging import correlation_paths

import payrail
from payrail.api import console, edge
from payrail.api import routes
from payrail.handlers import wiring
from payrail.platform import Platform
from payrail.core.settings import Settings

API = {"title": "payrail", "version": payrail.__version__,
       "description": "Wallets on a double-entry ledger, orders, payouts and settlement. Amounts are integers in "
                      "the currency's minor unit. Every error has the shape {\"error\": {type, code, message, param}}."}

settings = Settings.from_env(os.environ)
platform = Platform(settings)
fn = wiring("api", correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
app = edge.build_app(platform, settings, [], index=routes.INDEX, load=routes.load, **API)
console.register(app, Path(__file__).parent / "console")  # the web console's page, script and style sheet


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> dict:
    return openapi_document()


def openapi_document() -> dict:
    """The OpenAPI 3.1 document (also committed as ``openapi.json``)."""
    return edge.openapi_document(app, **API)


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)


gc.freeze()
gc.enable()
