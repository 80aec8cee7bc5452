from enum import StrEnum


class RecipientInNetworkType0(StrEnum):
    AT = "AT"
    MTN = "MTN"
    TELECEL = "TELECEL"

    def __str__(self) -> str:
        return str(self.value)
