"""Payout providers behind one small interface (:class:`payrail.providers.base.PayoutProvider`)."""
