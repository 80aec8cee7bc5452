"""One module per resource; ``ALL`` is what the ``api`` function serves."""
from payrail.api.routes import balances, health, merchants, orders, payouts, settlements, wallets, webhooks

ALL = [health.routes, merchants.routes, wallets.routes, balances.routes, orders.routes, payouts.routes,
       settlements.routes, webhooks.routes]
