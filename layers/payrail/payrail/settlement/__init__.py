"""payrail.settlement.service."""
