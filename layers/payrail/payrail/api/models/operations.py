"""The operator's views across merchants: queue and DLQ depths, a DLQ redrive, the ledger audit
(the open holds, a page of payouts, are :class:`payrail.api.models.Holds`)."""
from pydantic import Field

from payrail import operations
from payrail.api.models.common import Model, Strict, examples

__all__ = ['QueueDepth', 'Queue', 'QueueList', 'RedriveIn', 'Redrive', 'LedgerAudit']


# the public views of payrail.operations' models
class QueueDepth(operations.QueueDepth, Model):
    pass


class Queue(operations.Queue, Model):
    dlq: QueueDepth | None = Field(description="its dead-letter queue")


class QueueList(Model):
    data: list[Queue]


class RedriveIn(Strict):
    max_per_second: int | None = Field(default=None, ge=1, le=500,
                                       description="messages moved per second at most (SQS's own pace when absent)")

    model_config = examples(
        {"max_per_second": 10},
    )


class Redrive(operations.Redrive, Model):
    pass


class LedgerAudit(operations.LedgerAudit, Model):
    pass
