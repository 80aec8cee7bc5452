"""MTN MoMo Open API Disbursement connector (Ghana, GHS). See :mod:`.connector`."""
from payrail.providers.connectors.mtn_momo.connector import CAPABILITIES, MtnMomoConnector, MtnMomoSettings

__all__ = ["CAPABILITIES", "MtnMomoConnector", "MtnMomoSettings"]
