"""The merchant's balances: available, held and pending, read as one snapshot; account history."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import MERCHANT, Routes, call
from payrail.api.params import CurrencyQuery, Limit, StartingAfter

routes = Routes("balances")


@routes.get("/v1/balances", auth=MERCHANT, response=models.MerchantBalance)
def balances(currency: CurrencyQuery) -> dict:
    """Available, held and pending in one currency (minor units), as one consistent snapshot."""
    return call().platform.wallets.merchant_balances(call().merchant_id, currency)


@routes.get("/v1/balances/history", auth=MERCHANT, response=models.PostingPage)
def balance_history(currency: CurrencyQuery,
                    account: Annotated[Literal["available", "held"], Query()] = "available",
                    limit: Limit = 10, starting_after: StartingAfter = None) -> dict:
    """Postings of the merchant's available or held account, newest first."""
    return call().platform.wallets.merchant_history(call().merchant_id, account, currency, limit, starting_after)
