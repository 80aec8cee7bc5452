"""Local stand-ins for real payout providers, one module per provider, speaking that
provider's API shapes and keeping their transfers on disk (see :mod:`.common`):

* :func:`infra.local.standins.cashfree.serve_cashfree` — Cashfree Payouts V2
* :func:`infra.local.standins.safepay.serve_safepay` — Safepay Raast payouts (Pakistan)
* :func:`infra.local.standins.mtn_momo.serve_mtn_momo` — MTN MoMo Disbursement (Ghana)
* :func:`infra.local.standins.airteltigo.serve_airteltigo` — AirtelTigo Money (Airtel Africa Open API shape)
* :func:`infra.local.standins.telecel.serve_telecel` — Telecel Cash (assumed shape)

:data:`STANDINS` is what the local cloud starts: one per registered connector, with the
credentials its connector is given (through the connector's secret), the path its base URL
ends with, and the :class:`Contract` inputs the connector contract suite
(``tests/integration/test_connector_contract.py``) sends a connector pointed at it.
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
from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import INSUFFICIENT_FLOAT


@dataclass(frozen=True)
class Contract:
    """What the connector contract suite sends a connector pointed at this stand-in, and what the
    stand-in answers: beneficiaries (as ``TransferRequest`` takes them) by the outcome the
    stand-in gives them, in ``currency``.

    * ``paid`` is paid at once (SUCCESS); ``failed`` ends FAILED with ``fail_reason``; ``pending``
      stays open (PENDING).
    * ``unknown``: the first submission's outcome is unknown (OutcomeUnknown: a 5xx or a lost
      answer); ``status()`` then says ``after_unknown`` (NOT_FOUND: nothing was created; PENDING:
      created, the answer was lost) and submitting it again answers ``resubmitted``.
    * ``refused`` (with ``refused_amount`` minor units, or the suite's usual amount) is refused
      with code ``refused_code`` and creates nothing.
    * ``amount_text(minor units)`` is how the provider's API carries an amount (major units);
      amounts from ``min_amount`` up are paid; ``reports_amount``: the provider's answers carry it.
    """

    currency: str
    paid: dict
    failed: dict
    fail_reason: str
    pending: dict
    unknown: dict
    after_unknown: str
    resubmitted: str
    refused: dict
    refused_code: str
    amount_text: Callable[[int], str]
    refused_amount: int | None = None
    min_amount: int = 1
    reports_amount: bool = True


def _ghana(prefix: str, fail_reason: str, refused: dict, refused_code: str, reports_amount: bool = True) -> Contract:
    """A Ghana mobile-money stand-in's contract (:mod:`.momo`: scenarios by the number's last
    digit, ``prefix`` a number of the provider's own network without it)."""
    def wallet(digit: str) -> dict:
        return {"rail": "mobile_wallet", "wallet_code": "momo", "msisdn": prefix + digit, "name": "Ama Mensah"}
    return Contract(currency="GHS", paid=wallet("1"), failed=wallet("3"), fail_reason=fail_reason,
                    pending=wallet("2"), unknown=wallet("4"), after_unknown="PENDING", resubmitted="PENDING",
                    refused=refused, refused_code=refused_code, reports_amount=reports_amount,
                    amount_text=lambda minor: amounts.major_text(minor, "GHS"))


def _bank(bank_code: str, account: str) -> Callable[[str], dict]:
    """Bank accounts ``account`` + the scenario's last four digits (:mod:`.common`)."""
    return lambda last4: {"rail": "bank_account", "bank_code": bank_code, "account_number": account + last4,
                          "name": "Ayesha Khan"}


_CASHFREE, _SAFEPAY = _bank("HDFC0001234", "50100"), _bank("HBL", "1234567")


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
    contract: Contract


_SAFEPAY_WEBHOOK = base64.b64encode(b"sfpy-local-webhook-secret").decode()

STANDINS: dict[str, Standin] = {
    "cashfree": Standin(lambda host, port, data_dir, c, url=None: serve_cashfree(host, port, Path(data_dir), **c,
                                                                          callback_url=url),
                        {"client_id": "cf-local-client", "client_secret": "cf-local-secret"}, "", 4582,
                        lambda data_dir, c: CashfreeStandin(Path(data_dir), c["client_id"], c["client_secret"]),
                        Contract(currency="INR", paid=_CASHFREE("0001"), failed=_CASHFREE("0003"),
                                 fail_reason=common.FAIL_REASON, pending=_CASHFREE("0004"), unknown=_CASHFREE("0002"),
                                 after_unknown="NOT_FOUND", resubmitted="SUCCESS", refused=_CASHFREE("0001"),
                                 refused_amount=99, refused_code="transfer_amount_invalid", min_amount=100,
                                 amount_text=lambda minor: amounts.major_text(minor, "INR"))),
    "safepay": Standin(lambda host, port, data_dir, c, url=None: serve_safepay(
        host, port, Path(data_dir), aggregator_id=c["aggregator_id"], secret_key=c["secret_key"],
        webhook_secret_b64=c["webhook_secret"], callback_url=url),
        {"aggregator_id": "agg_local", "secret_key": "sfpy-local-secret", "webhook_secret": _SAFEPAY_WEBHOOK},
        "/raastwire", 4583,
        lambda data_dir, c: SafepayStandin(Path(data_dir), c["aggregator_id"], c["secret_key"], c["webhook_secret"]),
        Contract(currency="PKR", paid=_SAFEPAY("0001"), failed=_SAFEPAY("0003"), fail_reason=common.FAIL_REASON,
                 pending=_SAFEPAY("0004"), unknown=_SAFEPAY("0002"), after_unknown="NOT_FOUND",
                 resubmitted="SUCCESS", refused_code="error.not_found",  # a mobile number with no Raast ID
                 refused={"rail": "mobile_wallet", "wallet_code": "JAZZCASH", "msisdn": "+923551230001",
                          "name": "Bilal Ahmed"},
                 amount_text=lambda minor: amounts.major_text(minor, "PKR", trim_zero_fraction=True))),
    "mtn_momo": Standin(lambda host, port, data_dir, c, url=None: serve_mtn_momo(host, port, Path(data_dir), **c,
                                                                          callback_url=url),
                        {"api_user": "0b9d3e3c-4d5a-4e8f-9a51-6c0a3f1b2d7e", "api_key": "momo-local-key",
                         "subscription_key": "momo-local-subscription"}, "", 4584,
                        lambda data_dir, c: MtnMomoStandin(Path(data_dir), **c),
                        _ghana("+23324123450", MtnMomoStandin.FAIL_REASON, refused_code="msisdn_invalid",
                               refused={"rail": "mobile_wallet", "wallet_code": "momo", "msisdn": "+923001234567",
                                        "name": "Ama Mensah"})),
    "airteltigo": Standin(lambda host, port, data_dir, c, url=None: serve_airteltigo(
        host, port, Path(data_dir), **c, callback_url=url),
                          {"client_id": "at-local-client", "client_secret": "at-local-secret", "pin": "at-local-pin",
                           "callback_secret": "at-local-callback"}, "", 4585,
                          lambda data_dir, c: AirtelTigoStandin(Path(data_dir), **c),
                          _ghana("+23327123450", AirtelTigoStandin.FAIL_REASON, reports_amount=False,
                                 refused_code=INSUFFICIENT_FLOAT,  # an on-net number ending in 5: no float
                                 refused={"rail": "mobile_wallet", "wallet_code": "momo", "msisdn": "+233271234505",
                                          "name": "Ama Mensah"})),
    "telecel": Standin(lambda host, port, data_dir, c, url=None: serve_telecel(host, port, Path(data_dir), **c,
                                                                        callback_url=url),
                       {"merchant_id": "tc-local-merchant", "api_key": "tc-local-key",
                        "callback_secret": "tc-local-callback"}, "/cash", 4586,
                       lambda data_dir, c: TelecelStandin(Path(data_dir), **c),
                       _ghana("+23320123450", TelecelStandin.FAIL_REASON, refused_code=INSUFFICIENT_FLOAT,
                              refused={"rail": "mobile_wallet", "wallet_code": "momo", "msisdn": "+233201234505",
                                       "name": "Ama Mensah"})),
}
