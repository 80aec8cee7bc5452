"""Domain errors. Each carries an HTTP status and a stable machine-readable ``code``.

Handlers map them to the one JSON error shape
``{"error": {"type", "code", "message", "param"}}``.
"""
from __future__ import annotations


class PayrailError(Exception):
    """Base of every domain error.

    Attributes:
        status: HTTP status the API answers with.
        type: error family (``invalid_request_error``, ``api_error`` ...).
        code: stable code clients can switch on.
        param: the offending request field, when one is to blame.
    """

    status = 500
    type = "api_error"
    code = "internal_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.headers = headers or {}
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"error": {"type": self.type, "code": self.code, "message": self.message, "param": self.param}}


class ValidationFailed(PayrailError):
    status, type, code = 400, "invalid_request_error", "validation_failed"


class Unauthorized(PayrailError):
    status, type, code = 401, "authentication_error", "unauthorized"


class Forbidden(PayrailError):
    """Valid credentials that may not do this (a suspended merchant, a merchant key on an admin route).

    Attributes:
        merchant: the merchant whose valid key was refused, when it is one (its requests then count
            against its own rate limit, not its address's failed-authentication quota).
    """

    status, type, code = 403, "authentication_error", "forbidden"

    def __init__(self, message: str, *, merchant: dict | None = None, **kw):
        super().__init__(message, **kw)
        self.merchant = merchant


class NotFound(PayrailError):
    status, type, code = 404, "invalid_request_error", "not_found"


class MethodNotAllowed(PayrailError):
    status, type, code = 405, "invalid_request_error", "method_not_allowed"


class PayloadTooLarge(PayrailError):
    status, type, code = 413, "invalid_request_error", "request_too_large"


class UnsupportedMediaType(PayrailError):
    status, type, code = 415, "invalid_request_error", "unsupported_media_type"


class RateLimited(PayrailError):
    status, type, code = 429, "rate_limit_error", "rate_limited"


class Conflict(PayrailError):
    status, type, code = 409, "invalid_request_error", "conflict"


class OutOfStock(Conflict):
    code = "out_of_stock"


class InsufficientFunds(PayrailError):
    status, type, code = 402, "invalid_request_error", "insufficient_funds"


class IdempotencyMismatch(PayrailError):
    status, type, code = 422, "idempotency_error", "idempotency_key_reused"


class IdempotencyInProgress(PayrailError):
    status, type, code = 409, "idempotency_error", "idempotency_request_in_progress"


class ConcurrencyExhausted(PayrailError):
    """Optimistic-lock retries ran out on a hot account; the caller may retry safely."""

    status, type, code = 409, "api_error", "concurrent_update"


class ProviderFailed(PayrailError):
    """The payout provider refused or failed the transfer (502). ``provider`` carries its details."""

    status, type, code = 502, "provider_error", "provider_failed"

    def __init__(self, message: str, *, provider: dict | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.provider = provider or {}

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["error"]["provider"] = self.provider
        return out


class ProviderTimeout(ProviderFailed):
    """The provider gave no answer: the outcome is unknown and is reconciled later (504)."""

    status, code = 504, "provider_timeout"


class ProviderUnavailable(PayrailError):
    """The provider could not be asked now (503); nothing changed."""

    status, type, code = 503, "provider_error", "provider_unavailable"


class ServiceUnavailable(PayrailError):
    """A dependency of the request (DynamoDB, SQS, Step Functions, S3) could not be reached or did
    not answer within the request's deadline (503, with ``Retry-After`` in seconds). Its effect is
    unknown to the caller: a retry with the same ``Idempotency-Key`` resolves it, to the object
    the first attempt may have made or to a new one, never to two."""

    status, type, code = 503, "api_error", "service_unavailable"
    #: seconds a caller is asked to wait before retrying
    retry_after = 5

    def __init__(self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message, code=code, headers={"Retry-After": str(self.retry_after), **(headers or {})})
