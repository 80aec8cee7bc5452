"""AirtelTigo Money connector (Ghana, GHS; Airtel Africa Open API shape). See :mod:`.connector`."""
from payrail.providers.connectors.airteltigo.connector import CAPABILITIES, AirtelTigoConnector, AirtelTigoSettings

__all__ = ["AirtelTigoConnector", "AirtelTigoSettings", "CAPABILITIES"]
