"""Local stand-ins for real payout providers, one module per provider, speaking that
provider's API shapes and keeping their transfers on disk (see :mod:`.common`):

* :func:`infra.local.standins.cashfree.serve_cashfree` — Cashfree Payouts V2
* :func:`infra.local.standins.safepay.serve_safepay` — Safepay Raast payouts (Pakistan)

:data:`STANDINS` is what the local cloud starts: one per registered connector, with the
credentials its connector is given (through the connector's secret) and the path its base URL
ends with.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from infra.local.standins.cashfree import serve_cashfree
from infra.local.standins.safepay import serve_safepay


@dataclass(frozen=True)
class Standin:
    """How the local cloud runs a connector's stand-in: ``serve(host, port, data_dir,
    credentials, callback_url)`` -> ``(server, state)``; ``credentials`` are the connector's
    secret fields; ``callback_url`` where it sends its signed callbacks (payrail's
    ``/v1/callbacks/<connector>``)."""

    serve: Callable
    credentials: dict[str, str]
    base_path: str
    default_port: int


_SAFEPAY_WEBHOOK = base64.b64encode(b"sfpy-local-webhook-secret").decode()

STANDINS: dict[str, Standin] = {
    "cashfree": Standin(lambda host, port, data_dir, c, url=None: serve_cashfree(host, port, Path(data_dir), **c,
                                                                          callback_url=url),
                        {"client_id": "cf-local-client", "client_secret": "cf-local-secret"}, "", 4582),
    "safepay": Standin(lambda host, port, data_dir, c, url=None: serve_safepay(
        host, port, Path(data_dir), aggregator_id=c["aggregator_id"], secret_key=c["secret_key"],
        webhook_secret_b64=c["webhook_secret"], callback_url=url),
        {"aggregator_id": "agg_local", "secret_key": "sfpy-local-secret", "webhook_secret": _SAFEPAY_WEBHOOK},
        "/raastwire", 4583),
}
