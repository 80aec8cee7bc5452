"""The merchant's balances: available, held, pending and reserved, read as one snapshot; account
history; the admin's top-up of a merchant's available balance."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import ADMIN, MERCHANT, Routes, call
from payrail.api.params import CurrencyQuery, IdempotencyKey, Limit, StartingAfter

routes = Routes("balances")


@routes.get("/v1/balances", operation_id="getBalance", auth=MERCHANT, response=models.MerchantBalance)
def balances(currency: CurrencyQuery) -> dict:
    """Available, held, pending and reserved in one currency (minor units), as one consistent snapshot; in
    GHS also the mobile-money float at each provider."""
    c = call()
    out = c.platform.wallets.merchant_balances(c.merchant_id, currency)
    if currency == "GHS":
        out = out.model_copy(update={"floats": c.platform.payments.floats(c.merchant_id, currency)})
    return out.public()


@routes.get("/v1/balances/history", operation_id="listBalanceHistory", auth=MERCHANT, response=models.PostingPage)
def balance_history(currency: CurrencyQuery,
                    account: Annotated[Literal["available", "held", "reserved"], Query()] = "available",
                    limit: Limit = 10, starting_after: StartingAfter = None) -> dict:
    """Postings of the merchant's available, held or reserved account, newest first."""
    return call().platform.wallets.merchant_history(call().merchant_id, account, currency, limit,
                                                    starting_after).public()


@routes.post("/v1/admin/balances/top_up", operation_id="topUpBalance",
             auth=ADMIN, status=201, response=models.TopUp, errors=(404,),
             idempotency="required")
def top_up(body: models.TopUpIn, idempotency_key: IdempotencyKey) -> dict:
    """Fund a merchant's available balance (a funding journal; once per merchant and Idempotency-Key)."""
    c = call()
    c.platform.merchants.require(body.merchant_id)
    return c.platform.wallets.top_up(body.merchant_id, body.currency, body.amount, idempotency_key,
                                     body.reference, fingerprint=c.fingerprint).public()
