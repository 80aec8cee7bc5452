from enum import StrEnum


class ListReservationsStatusType0(StrEnum):
    EXPIRED = "EXPIRED"
    FULFILLED = "FULFILLED"
    FULFILLING = "FULFILLING"
    RELEASED = "RELEASED"
    RESERVED = "RESERVED"

    def __str__(self) -> str:
        return str(self.value)
