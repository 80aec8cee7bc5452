"""Contains methods for accessing the API"""

#: ``(METHOD, path template)`` of every operation that takes an ``idempotency-key`` header: the SDK gives
#: each such request a key when the caller passes none, and may resend it after an unknown outcome
IDEMPOTENT_OPERATIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/v1/admin/balances/top_up"),
        ("POST", "/v1/admin/floats/top_up"),
        ("POST", "/v1/admin/reconciliations"),
        ("POST", "/v1/admin/settlements"),
        ("POST", "/v1/admin/wallets/credit"),
        ("POST", "/v1/admin/wallets/debit"),
        ("POST", "/v1/beneficiaries"),
        ("POST", "/v1/webhook_endpoints/{endpoint_id}/recover"),
        ("POST", "/v1/orders"),
        ("POST", "/v1/payments"),
        ("POST", "/v1/payments/{payment_id}/refund"),
        ("POST", "/v1/payouts"),
        ("POST", "/v1/payouts/{payout_id}/reinitiate"),
        ("POST", "/v1/reservations"),
        ("POST", "/v1/settlements"),
    }
)
