from enum import StrEnum


class OrderFailureKindType0(StrEnum):
    NOT_RECEIVED = "not_received"
    OPERATOR = "operator"
    REFUSED = "refused"

    def __str__(self) -> str:
        return str(self.value)
