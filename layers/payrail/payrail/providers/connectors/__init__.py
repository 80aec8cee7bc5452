"""Payout connectors behind one seam (:mod:`.base`), found by name in :mod:`.registry`.

Each connector lives in its own folder (``cashfree/``, ``safepay/``), speaks its provider's real
API and names in its module docstring the documents it follows and what it assumes. Money
crosses the seam as int minor units; :mod:`.amounts` converts exactly where a provider wants
decimal major units.
"""
