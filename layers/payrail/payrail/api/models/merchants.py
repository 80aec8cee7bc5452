"""Merchants and their API keys: what the admin creates and changes, and the merchant as the API shows it
(the public view of :class:`payrail.core.merchants.Merchant`)."""
from typing import Annotated

from pydantic import Field

from payrail.api.models.common import Currency, Model, StatusChange, Strict, of_enum, examples
from payrail.core import merchants

__all__ = ['ReviewThreshold', 'MerchantIn', 'PayoutSettingsIn', 'ApiKeyInfo', 'Merchant', 'MerchantWithKey', 'RotateIn', 'StatusReasonIn']


ReviewThreshold = Annotated[int, Field(strict=True, ge=1, le=10**12,
                                        description="payouts of at least this many MAJOR units of their currency "
                                                    "wait IN_REVIEW for an admin (100000 = 100,000.00)")]


class MerchantIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    fee_bps: int | None = Field(default=None, ge=0, le=10_000, description="platform fee in basis points")
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000,
                                              description="requests per minute (default: the platform's)")
    payout_currencies: list[Currency] | None = Field(default=None, max_length=8,
                                                     description="currencies it may pay out (default: the platform's)")
    payout_review_threshold: ReviewThreshold | None = None

    model_config = examples(
        {"name": "Acme Traders", "fee_bps": 150, "payout_currencies": ["PKR", "INR"]},
    )


class PayoutSettingsIn(Strict):
    payout_currencies: list[Currency] | None = Field(default=None, max_length=8)
    payout_review_threshold: ReviewThreshold | None = None

    model_config = examples(
        {"payout_currencies": ["INR", "PKR"], "payout_review_threshold": 100000},
    )


# the public views of payrail.core.merchants' entities: their fields, with the API's types
class ApiKeyInfo(merchants.ApiKey, Model):
    pass


class Merchant(merchants.Merchant, Model):
    """A merchant: its fee, rate limit, payout settings, API keys (prefixes and expiry) and status."""

    status: of_enum(merchants.MerchantStatus)
    api_keys: list[ApiKeyInfo]
    status_history: list[StatusChange] = []


class MerchantWithKey(Model):
    merchant: Merchant
    api_key: str = Field(description="shown only in this answer; stored as a SHA-256 hash")


class RotateIn(Strict):
    overlap_seconds: int | None = Field(default=None, ge=0, le=7 * 86_400,
                                        description="how long the current keys stay valid (default: platform's)")

    model_config = examples(
        {"overlap_seconds": 3600},
    )


class StatusReasonIn(Strict):
    reason: str | None = Field(default=None, max_length=500)

    model_config = examples(
        {"reason": "chargebacks under review"},
    )


