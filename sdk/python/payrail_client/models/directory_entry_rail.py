from enum import StrEnum


class DirectoryEntryRail(StrEnum):
    BANK_ACCOUNT = "bank_account"
    MOBILE_WALLET = "mobile_wallet"
    UPI = "upi"

    def __str__(self) -> str:
        return str(self.value)
