from enum import StrEnum


class BeneficiaryVerificationStatus(StrEnum):
    NOT_SUPPORTED = "NOT_SUPPORTED"
    UNVERIFIED = "UNVERIFIED"
    VERIFIED = "VERIFIED"

    def __str__(self) -> str:
        return str(self.value)
