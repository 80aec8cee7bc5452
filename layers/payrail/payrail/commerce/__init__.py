"""payrail.commerce."""
