from enum import StrEnum


class ReconciliationRunStatus(StrEnum):
    CANCELLED = "CANCELLED"
    CANCELLING = "CANCELLING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"

    def __str__(self) -> str:
        return str(self.value)
