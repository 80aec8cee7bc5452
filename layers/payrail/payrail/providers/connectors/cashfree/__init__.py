"""Cashfree Payouts V2 connector (India: INR bank transfers and UPI). See :mod:`.connector`."""
from payrail.providers.connectors.cashfree.connector import CAPABILITIES, DIRECTORY, CashfreeConnector, CashfreeSettings

__all__ = ["CAPABILITIES", "DIRECTORY", "CashfreeConnector", "CashfreeSettings"]
