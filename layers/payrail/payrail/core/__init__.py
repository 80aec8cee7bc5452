"""payrail.core."""
