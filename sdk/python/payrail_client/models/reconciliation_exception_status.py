from enum import StrEnum


class ReconciliationExceptionStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"

    def __str__(self) -> str:
        return str(self.value)
