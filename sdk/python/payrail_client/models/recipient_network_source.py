from enum import StrEnum


class RecipientNetworkSource(StrEnum):
    DETECTED = "detected"
    EXPLICIT = "explicit"

    def __str__(self) -> str:
        return str(self.value)
