"""One module per resource; ``ALL`` is what the ``api`` function serves."""
from payrail.api.routes import (balances, beneficiaries, callbacks, directory, health, merchants, operations, orders,
                                payments, payouts, reconciliations, reservations, settlements, wallets,
                                webhooks)

ALL = [health.routes, merchants.routes, wallets.routes, balances.routes, orders.routes, payouts.routes,
       beneficiaries.routes, directory.routes, reservations.routes, settlements.routes, webhooks.routes,
       callbacks.routes, payments.routes, operations.routes, reconciliations.routes]
