from enum import StrEnum


class ListReconciliationExceptionsClassType0(StrEnum):
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    DEFERRED = "deferred"
    FLOAT_DRIFT = "float_drift"
    MATCHED = "matched"
    MISSING_AT_PROVIDER = "missing_at_provider"
    PAID_AFTER_RELEASE = "paid_after_release"
    STATUS_MISMATCH = "status_mismatch"
    UNKNOWN_TO_PAYRAIL = "unknown_to_payrail"

    def __str__(self) -> str:
        return str(self.value)
