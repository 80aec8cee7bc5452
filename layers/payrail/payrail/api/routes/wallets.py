"""Customer wallets: admin credit and debit; balances and history for the merchant."""

from payrail.api import models
from payrail.api.edge import ADMIN, IN_TRANSACTION, MERCHANT, Routes, call, replayed
from payrail.api.params import CurrencyPath, CustomerIdPath, IdempotencyKey, Limit, StartingAfter

routes = Routes("wallets")


def _move(direction: str, body: models.WalletMoveIn, key: str) -> dict:
    movement, created = call().platform.wallets.move(body.merchant_id, body.customer_id, body.currency, body.amount,
                                                     direction, key, fingerprint=call().fingerprint)
    if not created:
        replayed()
    return movement.public()


@routes.post("/v1/admin/wallets/credit", operation_id="creditWallet",
             auth=ADMIN, response=models.WalletMovement, errors=(404,),
             idempotency=IN_TRANSACTION)
def credit_wallet(body: models.WalletMoveIn, idempotency_key: IdempotencyKey) -> dict:
    """Credit a customer's wallet (the customer is made on the first credit; once per merchant and key)."""
    return _move("credit", body, idempotency_key)


@routes.post("/v1/admin/wallets/debit", operation_id="debitWallet",
             auth=ADMIN, response=models.WalletMovement, errors=(402, 404),
             idempotency=IN_TRANSACTION)
def debit_wallet(body: models.WalletMoveIn, idempotency_key: IdempotencyKey) -> dict:
    """Debit a customer's wallet (402 when it holds less; once per merchant and key)."""
    return _move("debit", body, idempotency_key)


@routes.get("/v1/customers/<customer_id>/wallets/<currency>", operation_id="getWallet",
            auth=MERCHANT, response=models.WalletBalance)
def wallet_balance(customer_id: CustomerIdPath, currency: CurrencyPath) -> dict:
    """A customer's wallet balance."""
    return call().platform.wallets.wallet_balance(call().merchant_id, customer_id, currency).public()


@routes.get("/v1/customers/<customer_id>/wallets/<currency>/history", operation_id="listWalletHistory",
            auth=MERCHANT, response=models.PostingPage)
def wallet_history(customer_id: CustomerIdPath, currency: CurrencyPath, limit: Limit = 10,
                   starting_after: StartingAfter = None) -> dict:
    """Postings of a wallet, newest first, with balance before and after."""
    return call().platform.wallets.wallet_history(call().merchant_id, customer_id, currency, limit,
                                                  starting_after).public()
