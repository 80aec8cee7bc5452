"""Safepay Raast payouts connector (Pakistan: PKR to the directory's banks and wallets). See
:mod:`.connector` for the documents it follows and :mod:`.directory` for the institutions."""
from payrail.providers.connectors.safepay.connector import CAPABILITIES, SafepayConnector, SafepaySettings
from payrail.providers.connectors.safepay.directory import BANKS, BY_CODE, DIRECTORY, WALLETS, Institution

__all__ = ["BANKS", "BY_CODE", "CAPABILITIES", "DIRECTORY", "Institution", "SafepayConnector", "SafepaySettings", "WALLETS"]
