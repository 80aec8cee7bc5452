"""Local stand-ins for real payout providers, one module per provider, speaking that
provider's API shapes and keeping their transfers on disk (see :mod:`.common`):

* :func:`infra.local.standins.cashfree.serve_cashfree` — Cashfree Payouts V2
* :func:`infra.local.standins.safepay.serve_safepay` — Safepay Raast payouts (Pakistan)
* :func:`infra.local.standins.mtn_momo.serve_mtn_momo` — MTN MoMo Disbursement (Ghana)
* :func:`infra.local.standins.airteltigo.serve_airteltigo` — AirtelTigo Money (Airtel Africa Open API shape)
* :func:`infra.local.standins.telecel.serve_telecel` — Telecel Cash (assumed shape)

:data:`STANDINS` is what the local cloud starts: one per registered connector, with the
credentials its connector is given (through the connector's secret) and the path its base URL
ends with.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from infra.local.standins import common
from infra.local.standins.cashfree import CashfreeStandin, serve_cashfree
from infra.local.standins.airteltigo import AirtelTigoStandin, serve_airteltigo
from infra.local.standins.mtn_momo import MtnMomoStandin, serve_mtn_momo
from infra.local.standins.safepay import SafepayStandin, serve_safepay
from infra.local.standins.telecel import TelecelStandin, serve_telecel


@dataclass(frozen=True)
class Standin:
    """How the local cloud runs a connector's stand-in: ``serve(host, port, data_dir,
    credentials, callback_url)`` -> ``(server, state)``; ``credentials`` are the connector's
    secret fields; ``callback_url`` where it sends its signed callbacks (payrail's
    ``/v1/callbacks/<connector>``). ``state(data_dir, credentials)`` is the provider's state
    without a server (how ``make fuzz`` signs callbacks as the provider does)."""

    serve: Callable
    credentials: dict[str, str]
    base_path: str
    default_port: int
    state: Callable[[Path, dict[str, str]], common.Standin]


_SAFEPAY_WEBHOOK = base64.b64encode(b"sfpy-local-webhook-secret").decode()

STANDINS: dict[str, Standin] = {
    "cashfree": Standin(lambda host, port, data_dir, c, url=None: serve_cashfree(host, port, Path(data_dir), **c,
                                                                          callback_url=url),
                        {"client_id": "cf-local-client", "client_secret": "cf-local-secret"}, "", 4582,
                        lambda data_dir, c: CashfreeStandin(Path(data_dir), c["client_id"], c["client_secret"])),
    "safepay": Standin(lambda host, port, data_dir, c, url=None: serve_safepay(
        host, port, Path(data_dir), aggregator_id=c["aggregator_id"], secret_key=c["secret_key"],
        webhook_secret_b64=c["webhook_secret"], callback_url=url),
        {"aggregator_id": "agg_local", "secret_key": "sfpy-local-secret", "webhook_secret": _SAFEPAY_WEBHOOK},
        "/raastwire", 4583,
        lambda data_dir, c: SafepayStandin(Path(data_dir), c["aggregator_id"], c["secret_key"], c["webhook_secret"])),
    "mtn_momo": Standin(lambda host, port, data_dir, c, url=None: serve_mtn_momo(host, port, Path(data_dir), **c,
                                                                          callback_url=url),
                        {"api_user": "0b9d3e3c-4d5a-4e8f-9a51-6c0a3f1b2d7e", "api_key": "momo-local-key",
                         "subscription_key": "momo-local-subscription"}, "", 4584,
                        lambda data_dir, c: MtnMomoStandin(Path(data_dir), **c)),
    "airteltigo": Standin(lambda host, port, data_dir, c, url=None: serve_airteltigo(
        host, port, Path(data_dir), **c, callback_url=url),
                          {"client_id": "at-local-client", "client_secret": "at-local-secret", "pin": "at-local-pin",
                           "callback_secret": "at-local-callback"}, "", 4585,
                          lambda data_dir, c: AirtelTigoStandin(Path(data_dir), **c)),
    "telecel": Standin(lambda host, port, data_dir, c, url=None: serve_telecel(host, port, Path(data_dir), **c,
                                                                        callback_url=url),
                       {"merchant_id": "tc-local-merchant", "api_key": "tc-local-key",
                        "callback_secret": "tc-local-callback"}, "/cash", 4586,
                       lambda data_dir, c: TelecelStandin(Path(data_dir), **c)),
}
