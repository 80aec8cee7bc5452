from enum import StrEnum


class FulfilmentStatus(StrEnum):
    FULFILLED = "FULFILLED"
    FULFILLING = "FULFILLING"

    def __str__(self) -> str:
        return str(self.value)
