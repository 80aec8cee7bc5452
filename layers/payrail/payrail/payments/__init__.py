"""Mobile-money payments to Ghana wallets (seed 001: SyncCash): nine persisted states, risk checks,
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

(PENDING may also end CONFIRMED, FAILED or EXPIRED directly.) See :mod:`.service` for the
money, :mod:`.routing` and :mod:`.risk` for the rules, :mod:`.workflow` for the messages.
"""
from payrail.payments.risk import RiskCounters, RiskPolicy
from payrail.payments.routing import RouteStats, RoutingPolicy
from payrail.payments.service import Payments, check_payment_id, payment_id_for
from payrail.payments.workflow import PaymentLook, PaymentStatus

__all__ = ["Payments", "PaymentLook", "PaymentStatus", "RiskCounters", "RiskPolicy", "RouteStats", "RoutingPolicy",
           "check_payment_id", "payment_id_for"]
