"""payrail.payouts.service."""
