from enum import StrEnum


class OrderStatus(StrEnum):
    FAILED = "FAILED"
    FULFILLED = "FULFILLED"
    FULFILMENT_PENDING = "FULFILMENT_PENDING"
    FULFILMENT_UNKNOWN = "FULFILMENT_UNKNOWN"
    PAID = "PAID"

    def __str__(self) -> str:
        return str(self.value)
