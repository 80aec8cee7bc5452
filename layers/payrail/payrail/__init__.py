"""payrail domain package, one folder per product: ``core`` (money, the ledger, the outbox, the
edge's stores), ``providers`` (connectors), ``payouts``, ``payments``, ``commerce`` (orders,
wallets), ``settlement``, ``webhooks`` and ``api``.

Shipped to Lambda as a layer (``layers/payrail``) and installed in development with
``pip install -e .``. Nothing here reads ``os.environ`` or Lambda event shapes: handlers
build a :class:`payrail.core.settings.Settings` and pass plain arguments.
"""

#: the version of the package and of the API document (pyproject reads it from here)
__version__ = "0.1.0"
