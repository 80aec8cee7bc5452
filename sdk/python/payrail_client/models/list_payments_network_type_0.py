from enum import StrEnum


class ListPaymentsNetworkType0(StrEnum):
    AT = "AT"
    MTN = "MTN"
    TELECEL = "TELECEL"

    def __str__(self) -> str:
        return str(self.value)
