"""Telecel Cash connector (Ghana, GHS; an assumed, documented shape). See :mod:`.connector`."""
from payrail.providers.connectors.telecel.connector import CAPABILITIES, TelecelConnector, TelecelSettings

__all__ = ["CAPABILITIES", "TelecelConnector", "TelecelSettings"]
