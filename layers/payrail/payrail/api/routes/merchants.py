"""Merchants: created, suspended and reactivated by the admin; API keys rotated by either."""

from payrail.api import models
from payrail.api.edge import ADMIN, MERCHANT, Routes, call
from payrail.api.params import MerchantIdPath
from payrail.core.merchants import ACTIVE, SUSPENDED, Merchant
from payrail.core.money import check_currency

routes = Routes("merchants")


@routes.post("/v1/admin/merchants", operation_id="createMerchant",
             auth=ADMIN, status=201, response=models.MerchantWithKey)
def create_merchant(body: models.MerchantIn) -> dict:
    """Create a merchant; its API key is returned once."""
    c = call()
    s = c.platform.settings
    fee = s.default_fee_bps if body.fee_bps is None else body.fee_bps
    currencies = s.enabled_payout_currencies() if body.payout_currencies is None else body.payout_currencies
    for cur in currencies:
        check_currency(cur, param="payout_currencies")
    merchant, api_key = c.platform.merchants.create(body.name, fee, body.rate_limit_per_minute, sorted(set(currencies)),
                                                    body.payout_review_threshold or s.payout_review_threshold)
    return _with_key(merchant, api_key)


@routes.post("/v1/admin/merchants/<merchant_id>/payout_settings", operation_id="updatePayoutSettings",
             auth=ADMIN, response=models.Merchant)
def payout_settings(merchant_id: MerchantIdPath, body: models.PayoutSettingsIn) -> dict:
    """Change the currencies a merchant may pay out in and its payout review threshold (major units)."""
    return call().platform.merchants.set_payout_settings(merchant_id, body.payout_currencies,
                                                         body.payout_review_threshold).public()


@routes.get("/v1/admin/merchants/<merchant_id>", operation_id="getMerchant", auth=ADMIN, response=models.Merchant)
def get_merchant(merchant_id: MerchantIdPath) -> dict:
    """A merchant with its keys' prefixes and expiry."""
    return call().platform.merchants.require(merchant_id, fresh=True).public()


@routes.post("/v1/admin/merchants/<merchant_id>/suspend", operation_id="suspendMerchant",
             auth=ADMIN, response=models.Merchant, errors=(409,))
def suspend_merchant(merchant_id: MerchantIdPath, body: models.StatusReasonIn | None = None) -> dict:
    """Suspend a merchant: its keys are refused (403) everywhere within seconds."""
    return call().platform.merchants.set_status(merchant_id, SUSPENDED, body.reason if body else None).public()


@routes.post("/v1/admin/merchants/<merchant_id>/reactivate", operation_id="reactivateMerchant",
             auth=ADMIN, response=models.Merchant, errors=(409,))
def reactivate_merchant(merchant_id: MerchantIdPath, body: models.StatusReasonIn | None = None) -> dict:
    """Reactivate a suspended merchant."""
    return call().platform.merchants.set_status(merchant_id, ACTIVE, body.reason if body else None).public()


@routes.post("/v1/admin/merchants/<merchant_id>/api_keys/rotate", operation_id="rotateMerchantApiKey",
             auth=ADMIN, status=201,
             response=models.MerchantWithKey, errors=(409,))
def admin_rotate_key(merchant_id: MerchantIdPath, body: models.RotateIn | None = None) -> dict:
    """Issue a new key for a merchant; the current keys expire after the overlap."""
    return _rotate(merchant_id, body)


@routes.post("/v1/api_keys/rotate", operation_id="rotateApiKey",
             auth=MERCHANT, status=201, response=models.MerchantWithKey, errors=(409,))
def rotate_key(body: models.RotateIn | None = None) -> dict:
    """Issue a new key for the calling merchant; the current keys expire after the overlap."""
    return _rotate(call().merchant_id, body)


def _with_key(merchant: Merchant, api_key: str) -> dict:
    return {"merchant": merchant.public(), "api_key": api_key}


def _rotate(merchant_id: str, body: models.RotateIn | None) -> dict:
    c = call()
    overlap = body.overlap_seconds if body and body.overlap_seconds is not None else c.platform.settings.api_key_overlap_seconds
    return _with_key(*c.platform.merchants.rotate_key(merchant_id, overlap))
