"""payrail domain package: ledger, wallets, orders, payouts and settlement.

Shipped to Lambda as a layer (``layers/payrail``) and installed in development with
``pip install -e .``. Nothing here reads ``os.environ`` or Lambda event shapes: handlers
build a :class:`payrail.settings.Settings` and pass plain arguments.
"""
