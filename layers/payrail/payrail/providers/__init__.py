"""payrail.providers.slots."""
