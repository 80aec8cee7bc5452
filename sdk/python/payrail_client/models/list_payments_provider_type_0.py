from enum import StrEnum


class ListPaymentsProviderType0(StrEnum):
    AIRTELTIGO = "airteltigo"
    MTN_MOMO = "mtn_momo"
    TELECEL = "telecel"

    def __str__(self) -> str:
        return str(self.value)
