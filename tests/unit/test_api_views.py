"""The API's merchant and operations models are views of the domain's: the same fields, the
domain's status vocabulary, and the domain's entities dumped through them unchanged."""
from typing import get_args

from payrail import operations
from payrail.api import models
from payrail.core.merchants import Merchant, MerchantRecords, MerchantStatus

ITEM = {"type": "merchant", "merchant_id": "m_0123456789abcdef", "name": "Shop", "fee_bps": 250, "status": "SUSPENDED",
        "key_version": 3, "api_keys": [{"prefix": "sk_abcdefg", "created_at": "2026-03-01T00:00:00Z", "hash": "ff" * 32,
                                        "expires_at": "2026-03-02T00:00:00Z"}],
        "created_at": "2026-03-01T00:00:00Z", "updated_at": "2026-03-01T01:00:00Z",
        "status_history": [{"status": "ACTIVE", "at": "2026-03-01T00:00:00Z"},
                           {"status": "SUSPENDED", "at": "2026-03-01T01:00:00Z", "detail": "fraud review"}]}


def test_merchant_view_has_the_entity_fields_and_statuses():
    assert list(models.Merchant.model_fields) == list(Merchant.model_fields)
    assert set(get_args(models.Merchant.model_fields["status"].annotation)) == {s.value for s in MerchantStatus}


def test_a_stored_merchant_loads_without_its_key_hashes_and_validates_as_the_api_view():
    merchant = MerchantRecords.load(ITEM)
    assert merchant.status is MerchantStatus.SUSPENDED and merchant["merchant_id"] == ITEM["merchant_id"]
    assert merchant.get("rate_limit_per_minute", 60) == 60 and merchant.get("fee_bps") == 250
    public = merchant.public()
    assert "hash" not in public["api_keys"][0] and "key_version" not in public and "type" not in public
    assert models.Merchant.model_validate(public).model_dump(mode="json") == public
    assert public["status_history"][1]["detail"] == "fraud review"


def test_operations_views_dump_the_domain_models_unchanged():
    depth = operations.QueueDepth(url="http://q/dlq", messages=2, in_flight=0, delayed=1)
    queue = operations.Queue(queue="payouts", url="http://q/p", messages=5, in_flight=1, delayed=0, dlq=depth)
    assert models.Queue.model_validate(queue.model_dump()).model_dump() == queue.model_dump()
    assert list(models.Queue.model_fields) == list(operations.Queue.model_fields)
    redrive = operations.Redrive(queue="payouts", task_handle="h", messages=2)
    assert models.Redrive.model_validate(redrive.model_dump()).model_dump() == redrive.model_dump()
