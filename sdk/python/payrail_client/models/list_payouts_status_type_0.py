from enum import StrEnum


class ListPayoutsStatusType0(StrEnum):
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    IN_REVIEW = "IN_REVIEW"
    ON_HOLD = "ON_HOLD"
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"

    def __str__(self) -> str:
        return str(self.value)
