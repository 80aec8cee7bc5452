"""Saved beneficiaries: created (verified through their connector when it can), listed, read, disabled."""

from payrail.api import models
from payrail.api.edge import MERCHANT, Routes, call
from payrail.api.params import BeneficiaryCursor, BeneficiaryIdPath, Limit, OptionalIdempotencyKey

routes = Routes("beneficiaries")


@routes.post("/v1/beneficiaries", operation_id="createBeneficiary",
             auth=MERCHANT, status=201, response=models.SavedBeneficiary, errors=(503,),
             idempotency="optional")
def create_beneficiary(body: models.SavedBeneficiaryIn, idempotency_key: OptionalIdempotencyKey = None) -> dict:
    """Save a beneficiary; verified first where its connector can (400 account_invalid when the
    provider says the account is not valid: nothing saved)."""
    c = call()
    return c.platform.beneficiaries.create(c.merchant_id, body.beneficiary, body.nickname, idempotency_key,
                                           fingerprint=c.fingerprint).public()


@routes.get("/v1/beneficiaries", operation_id="listBeneficiaries", auth=MERCHANT, response=models.SavedBeneficiaryPage)
def list_beneficiaries(limit: Limit = 10, starting_after: BeneficiaryCursor = None) -> dict:
    """The merchant's saved beneficiaries, newest first."""
    return call().platform.beneficiaries.page(call().merchant_id, limit, starting_after).public()


@routes.get("/v1/beneficiaries/<beneficiary_id>", operation_id="getBeneficiary",
            auth=MERCHANT, response=models.SavedBeneficiary)
def get_beneficiary(beneficiary_id: BeneficiaryIdPath) -> dict:
    """A saved beneficiary with its verification."""
    return call().platform.beneficiaries.get(call().merchant_id, beneficiary_id).public()


@routes.post("/v1/beneficiaries/<beneficiary_id>/disable", operation_id="disableBeneficiary",
             auth=MERCHANT, response=models.SavedBeneficiary,
             errors=(409,))
def disable_beneficiary(beneficiary_id: BeneficiaryIdPath) -> dict:
    """Disable a saved beneficiary: payouts can no longer use it (409 if already disabled)."""
    return call().platform.beneficiaries.disable(call().merchant_id, beneficiary_id).public()
