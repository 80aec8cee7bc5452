"""Mobile-money payments to Ghana wallets: nine persisted states, risk checks,
routing over MTN MoMo, AirtelTigo Money and Telecel Cash, a queue workflow with backoff, expiry,
cancel, refund, events, a daily report.

States (every arrow a conditional write guarded by the state it leaves, with its time and reason
in ``status_history`` and a ``payment.<state>`` event in the same transaction)::

    INITIATED → VALIDATING ─risk declined / no float─▶ FAILED                 (nothing held)
                    │ risk accepted, routed: $ hold float at the route's provider
                    ▼
                 PENDING ──merchant cancel──▶ CANCELLED                       $ release
                    │ worker claims it, sends to the provider
                    ▼
                PROCESSING ──paid──▶ CONFIRMED ──refund (provider reversal)──▶ REFUNDED   $ capture / $ refund
                    ├──failed / refused──▶ FAILED                             $ release
                    └──past TRANSACTION_TIMEOUT_SECONDS, provider asked, not paid──▶ EXPIRED   $ release

(PENDING may also end CONFIRMED, FAILED or EXPIRED directly; a creation that never completed
ends EXPIRED from INITIATED or VALIDATING at its deadline, nothing held.) See :mod:`.service` for the
money, :mod:`.routing` and :mod:`.risk` for the rules, :mod:`.workflow` for the messages.
"""
from importlib import import_module

#: public name -> its module: imported on first use, so that a handler importing one submodule
#: (e.g. ``payrail.payments.report``) does not load the service, the connectors and their libraries
_EXPORTS = {"RiskCounters": "risk", "RiskPolicy": "risk", "RouteStats": "routing", "RoutingPolicy": "routing",
            "Payments": "service", "check_payment_id": "service", "payment_id_for": "service",
            "PaymentLook": "workflow", "PaymentStatus": "workflow", "Payment": "model"}

__all__ = ["Payment", "Payments", "PaymentLook", "PaymentStatus", "RiskCounters", "RiskPolicy", "RouteStats", "RoutingPolicy",
           "check_payment_id", "payment_id_for"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
