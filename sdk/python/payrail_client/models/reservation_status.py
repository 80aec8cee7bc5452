from enum import StrEnum


class ReservationStatus(StrEnum):
    EXPIRED = "EXPIRED"
    FULFILLED = "FULFILLED"
    FULFILLING = "FULFILLING"
    RELEASED = "RELEASED"
    RESERVED = "RESERVED"

    def __str__(self) -> str:
        return str(self.value)
