from enum import StrEnum


class ListDirectoryKindType0(StrEnum):
    BANK = "bank"
    RAIL = "rail"
    WALLET = "wallet"

    def __str__(self) -> str:
        return str(self.value)
