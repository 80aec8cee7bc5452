"""Text stored deflated: a DynamoDB attribute of many repeated words (an event's JSON body)
written as a Binary of about a quarter of its size, and read back as the same text.

DynamoDB bills a write by the KB started (twice in a transaction), so a 2.6 KB event body costs
three times what it would at 1 KB. :func:`pack` deflates the text (raw DEFLATE, RFC 1951, level 9)
with a preset dictionary (:data:`DICTIONARY`: the property names and enum values of the API's
schemas and the event types, what every body repeats) behind a 4-byte tag naming it; :func:`unpack`
inverts it. :mod:`payrail.core.ddb` writes a :class:`Packed` value so and loads any tagged Binary
back as text, so readers of the item see the text they always did.

The dictionary is part of the stored data: never edit it. A new one gets a new tag (``pz2:``) and
:func:`unpack` keeps reading the old.
"""
from __future__ import annotations

import zlib

#: the tag of text packed with :data:`DICTIONARY`
TAG = b"pz1:"
#: the preset dictionary of :data:`TAG` (frozen: items written with it must stay readable)
DICTIONARY = (
    '"account_id":,"account_mismatches":,"account_number":,"account_title":,"accounts":,"amount":,'
    '"api_key":,"api_keys":,"api_version":,"at":,"attempt":,"attempt_id":,"attempts":,"audit_id":,'
    '"available":,"available_after":,"balance":,"balance_after":,"balance_before":,"bank_code":,'
    '"beneficiary":,"beneficiary_id":,"cancel_acknowledged_at":,"cancel_reason":,'
    '"cancel_requested_at":,"candidates":,"checked_at":,"checks":,"class":,"code":,"completed_at":,'
    '"confirmed_at":,"country":,"counts":,"created_at":,"currency":,"customer_id":,"data":,'
    '"decision":,"delayed":,"deleted":,"delivered_at":,"deliveries":,"description":,"detail":,'
    '"details":,"detected_network":,"direction":,"disabled":,"disabled_at":,"disabled_reason":,'
    '"dlq":,"download_url":,"drift":,"eligible":,"enabled_events":,"endpoint_id":,"endpoint_ids":,'
    '"error":,"estimated_completion_at":,"event_id":,"evidence":,"exception_id":,"execution_arn":,'
    '"expires_at":,"expires_in_seconds":,"expiry_reason":,"explored":,"failing_since":,"failover":,'
    '"failovers":,"failure_kind":,"failure_reason":,"failures":,"fee":,"fee_bps":,"float":,'
    '"float_available":,"floats":,"from":,"from_provider":,"fulfilled_amount":,"fulfilled_at":,'
    '"fulfilment_attempts":,"fulfilment_deadline":,"fulfilment_id":,"fulfilment_uncertain":,'
    '"fulfilments":,"gross":,"has_more":,"healthy":,"held":,"hold_reason":,"iban":,"iban_code":,'
    '"in_flight":,"institution_name":,"job_id":,"journal_id":,"journals":,"kind":,"last_attempt_at":,'
    '"last_checked_at":,"last_error":,"last_failure":,"last_status_code":,"late_fulfilment":,'
    '"late_provider_status":,"late_provider_status_at":,"latency_ms":,"ledger":,"looks":,'
    '"max_per_second":,"merchant":,"merchant_id":,"merchant_reference":,"message":,"messages":,'
    '"metadata":,"ms":,"msisdn":,"name":,"net":,"network":,"network_source":,"next_attempt_at":,'
    '"next_check_at":,"nickname":,"note":,"number":,"object":,"object_id":,"object_type":,"ok":,'
    '"older_than_seconds":,"oldest_age_seconds":,"on_net":,"order_id":,"order_reference":,'
    '"orphan_postings":,"outcome":,"overlap_seconds":,"param":,"payment_id":,"payout_currencies":,'
    '"payout_id":,"payout_review_threshold":,"payout_status":,"pending":,"phone":,"ported":,'
    '"postings":,"prefix":,"previous_secret_expires_at":,"price":,"product_id":,"progress":,'
    '"provider":,"provider_balance":,"provider_key":,"provider_reference":,"provider_status":,'
    '"providers":,"quantity":,"queue":,"rail":,"rank":,"rate_limit_per_minute":,"reason":,"reasons":,'
    '"received":,"recipient":,"recovery_id":,"reference":,"reference_id":,"refund":,"released_by":,'
    '"reliability_pct":,"report_key":,"resent":,"reservation_id":,"reserved":,"resolution":,'
    '"resolved_by":,"response_excerpt":,"result":,"reversal_id":,"review_decision":,"review_reason":,'
    '"risk":,"route":,"route_index":,"route_order":,"route_submissions":,"rows":,"rule":,"run":,'
    '"run_id":,"scope":,"score":,"secret":,"seq":,"sequence":,"settled_by":,"shards":,"shards_done":,'
    '"shards_total":,"since":,"skipped":,"slices_done":,"slices_total":,"source":,"status":,'
    '"status_code":,"status_history":,"stock":,"submissions":,"successes":,"task_handle":,"to":,'
    '"to_provider":,"total":,"total_by_currency":,"totals":,"transfer_id":,"trigger":,"txn_count":,'
    '"type":,"unbalanced_journals":,"updated_at":,"url":,"valid":,"verification":,"vpa":,'
    '"wallet_code":,"why":,"ACTIVE","AT","CANCELLED","CANCELLING","COMPLETED","CONFIRMED","DISABLED",'
    '"EXPIRED","FAILED","FULFILLED","FULFILLING","FULFILMENT_PENDING","FULFILMENT_UNKNOWN",'
    '"INITIATED","IN_REVIEW","MTN","NOT_SUPPORTED","ON_HOLD","OPEN","PAID","PENDING","PROCESSING",'
    '"QUEUED","REFUNDED","RELEASED","RESERVED","RESOLVED","RUNNING","SUCCEEDED","SUSPENDED",'
    '"TELECEL","UNVERIFIED","VALIDATING","VERIFIED","accept","acknowledge","airteltigo",'
    '"amount_mismatch","bank","bank_account","captured","credit","currency_mismatch","debit",'
    '"decline","deferred","delivered","detected","disabled","enabled","explicit","failed",'
    '"float_drift","matched","missing_at_provider","mobile_wallet","mtn_momo","no_change",'
    '"not_received","ok","operator","paid_after_release","pending","rail","receivable","refused",'
    '"released","reverse_capture","status_mismatch","telecel","unavailable","unknown_to_payrail",'
    '"unknown_transfer","upi","wallet","write_off","type":"order.created",'
    '"type":"order.fulfilment_pending","type":"order.fulfilled","type":"order.fulfilment_unknown",'
    '"type":"order.failed","type":"order.late_fulfilment","type":"payout.created",'
    '"type":"payout.in_review","type":"payout.pending","type":"payout.processing",'
    '"type":"payout.on_hold","type":"payout.succeeded","type":"payout.failed",'
    '"type":"payout.cancelled","type":"reservation.created","type":"reservation.fulfilling",'
    '"type":"reservation.fulfilled","type":"reservation.payout_failed","type":"reservation.released",'
    '"type":"reservation.expired","type":"settlement.created","type":"settlement.running",'
    '"type":"settlement.completed","type":"settlement.failed","type":"settlement.cancel_requested",'
    '"type":"settlement.cancelled","type":"payment.initiated","type":"payment.validating",'
    '"type":"payment.pending","type":"payment.processing","type":"payment.confirmed",'
    '"type":"payment.failed","type":"payment.expired","type":"payment.cancelled",'
    '"type":"payment.refunded","type":"reconciliation.completed","type":"reconciliation.exception",'
    '"type":"reconciliation.exception_resolved"{"api_version":"2026-11-01",'
    '"created_at":"2026-12-01T00:00:00.000000Z","data":{"object":{"merchant_id":"m_",'
    '"status_history":[{"at":"2026-12-01T00:00:00.000000Z","status":"PENDING"},'
    '{"at":"2026-12-01T00:00:00.000000Z","detail":"sent to ","status":"PROCESSING"},'
    '{"at":"2026-12-01T00:00:00.000000Z","detail":"paid by ","status":"SUCCEEDED"}],'
    '"updated_at":"2026-12-01T00:00:00.000000Z"}},"event_id":"evt_","object_id":"","sequence":1,'
    '"type":"'
).encode()


class Packed(str):
    """Text that :func:`payrail.core.ddb.dump` stores packed (a Binary attribute); it is a ``str``
    in every other respect."""


def pack(text: str) -> bytes:
    """``text`` (UTF-8) deflated with :data:`DICTIONARY`, behind :data:`TAG`."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
    return TAG + z.compress(text.encode()) + z.flush()


def is_packed(data: bytes) -> bool:
    """Whether ``data`` is :func:`pack`'s output (it starts with a known tag)."""
    return data[:len(TAG)] == TAG


def unpack(data: bytes) -> str:
    """The text :func:`pack` packed into ``data``.

    Raises:
        ValueError: ``data`` has no known tag, or is not a DEFLATE stream of it.
    """
    if not is_packed(data):
        raise ValueError("not packed text")
    z = zlib.decompressobj(-15, DICTIONARY)
    try:
        return (z.decompress(data[len(TAG):]) + z.flush()).decode()
    except zlib.error as e:
        raise ValueError(f"packed text is damaged: {e}") from e
