from enum import StrEnum


class ListBalanceHistoryAccount(StrEnum):
    AVAILABLE = "available"
    HELD = "held"
    RESERVED = "reserved"

    def __str__(self) -> str:
        return str(self.value)
