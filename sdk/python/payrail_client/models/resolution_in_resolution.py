from enum import StrEnum


class ResolutionInResolution(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RECEIVABLE = "receivable"
    REVERSE_CAPTURE = "reverse_capture"
    WRITE_OFF = "write_off"

    def __str__(self) -> str:
        return str(self.value)
