"""What a merchant can pay: the connectors' directory (14 Pakistani banks, 4 wallets;
the INR rails), and account verification through the connector that would pay the account."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import MERCHANT, Routes, call
from payrail.api.params import Limit

routes = Routes("directory")


@routes.get("/v1/directory", operation_id="listDirectory",
            summary="List the banks, wallets and rails payouts can reach.",
            auth=MERCHANT, response=models.DirectoryPage)
def directory(limit: Limit = 100, starting_after: Annotated[str | None, Query(pattern=r"^[A-Z0-9_]{2,20}$")] = None,
              kind: Annotated[Literal["bank", "wallet", "rail"] | None, Query()] = None,
              country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
              currency: Annotated[str | None, Query(pattern=models.CURRENCY)] = None) -> dict:
    """Banks (name, short code, IBAN bank code), wallets and rails payouts can reach, by provider."""
    return call().platform.providers.directory(limit=limit, starting_after=starting_after, kind=kind,
                                               country=country, currency=currency).public()


@routes.post("/v1/account_verifications", operation_id="verifyAccount",
             auth=MERCHANT, response=models.VerificationResult, errors=(503,))
def verify_account(body: models.VerifyIn) -> dict:
    """Verify a bank account, wallet or UPI address through the connector that would pay it:
    {valid: true, account_title} or {valid: false, reason} (503 when the provider cannot be asked)."""
    return call().platform.beneficiaries.verify(body.beneficiary).model_dump()
