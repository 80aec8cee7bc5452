from enum import StrEnum


class CallbackAckOutcome(StrEnum):
    CAPTURED = "captured"
    DEFERRED = "deferred"
    NO_CHANGE = "no_change"
    RELEASED = "released"
    UNKNOWN_TRANSFER = "unknown_transfer"

    def __str__(self) -> str:
        return str(self.value)
