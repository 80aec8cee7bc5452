"""The webhook delivery's vocabulary: its statuses and its lifecycle table.

A delivery (one per event and endpoint, :mod:`payrail.webhooks.delivery`) is created ``pending``
by its first claim. Each move is a conditional write: an attempt's outcome is guarded by the
attempt's claim (taken only while the delivery is ``pending``), a redelivery by the final status
it leaves. Deliveries emit no events (they are the events' delivery) and move no money.
"""
from enum import StrEnum

from payrail.core.lifecycle import Lifecycle, Move


class DeliveryStatus(StrEnum):
    """The three persisted states of a webhook delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


DS = DeliveryStatus
#: every allowed transition of a delivery
LIFECYCLE: Lifecycle[DeliveryStatus] = Lifecycle("webhook delivery", DeliveryStatus, DS.PENDING, moves=[
    Move(DS.PENDING, DS.PENDING, None),      # an attempt failed: the retry is scheduled
    Move(DS.PENDING, DS.DELIVERED, None),    # a 2xx within the timeout
    Move(DS.PENDING, DS.FAILED, None),       # 410 Gone, past the retry horizon, a failed redelivery, no endpoint
    Move(DS.DELIVERED, DS.PENDING, None),    # a redelivery asked for
    Move(DS.FAILED, DS.PENDING, None),       # a redelivery asked for
])
