"""Parameter types shared by route modules (headers, pagination, path ids)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from pydantic import AfterValidator, Field

from payrail.api import models

#: whose keys an Idempotency-Key is one of (``payrail.api.edge.idempotency_scope``), said on every keyed route
KEY_SCOPE = ("a merchant's keys are its own; the admin's are scoped by the merchant the request is for (its "
             "merchant_id), so the admin may use one key once for each merchant")
IdempotencyKey = Annotated[str, Header(alias="idempotency-key", min_length=1, max_length=255,
                                       description="client-chosen key (≤ 255 characters); a retry with the same "
                                                   "key and request replays the first answer; the same key with "
                                                   f"another request answers 422. {KEY_SCOPE[0].upper()}"
                                                   f"{KEY_SCOPE[1:]}")]
OptionalIdempotencyKey = Annotated[str | None, Header(alias="idempotency-key", min_length=1, max_length=255,
                                                      description="optional; honoured like on payments (a retry "
                                                                  "with the same key and request replays the first "
                                                                  f"answer). {KEY_SCOPE[0].upper()}{KEY_SCOPE[1:]}")]
Limit = Annotated[int, Query(ge=1, le=100, description="page size, 1..100")]
StartingAfter = Annotated[int | None, Query(ge=0, le=10**12, description="cursor: the `seq` of the last posting seen")]
CurrencyQuery = Annotated[str, Query(pattern=models.CURRENCY, min_length=3, max_length=3, description="ISO 4217")]


def path_id(pattern: str, max_length: int, what: str):
    """A path parameter type for an id of ``pattern``."""
    return Annotated[str, Path(pattern=pattern, max_length=max_length, description=what)]


def cursor(pattern: str, max_length: int, what: str):
    """A ``starting_after`` query parameter naming the last object of the previous page."""
    return Annotated[str | None, Query(pattern=pattern, max_length=max_length,
                                       description=f"cursor: the id of the last {what} of the previous page")]


#: ``TIME_BOUND`` text that names a real instant (``models.time_bound``)
_TimeText = Annotated[str, Field(pattern=models.TIME_BOUND, max_length=27), AfterValidator(models.time_bound)]
TimeBound = Annotated[_TimeText | None, Query(description="RFC 3339 date or UTC time, inclusive (2026-03-01 or "
                                                          "2026-03-01T12:00:00Z; a shorter time such as "
                                                          "2026-03-01T12 is a prefix); an impossible date or time "
                                                          "is refused")]

MerchantIdPath = path_id(models.MERCHANT_ID, 18, "merchant id")
ProductIdPath = path_id(models.PRODUCT_ID, 29, "product id")
OrderIdPath = path_id(models.ORDER_ID, 28, "order id")
PayoutIdPath = path_id(models.PAYOUT_ID, 27, "payout id")
BeneficiaryIdPath = path_id(models.BENEFICIARY_ID, 28, "saved beneficiary id")
ReservationIdPath = path_id(models.RESERVATION_ID, 28, "reservation id")
PayoutCursor = cursor(models.PAYOUT_ID, 27, "payout")
BeneficiaryCursor = cursor(models.BENEFICIARY_ID, 28, "beneficiary")
ReservationCursor = cursor(models.RESERVATION_ID, 28, "reservation")
JobIdPath = path_id(models.JOB_ID, 68, "settlement job id")
CustomerIdPath = path_id(models.CUSTOMER_ID, 64, "the merchant's customer id")
CurrencyPath = path_id(models.CURRENCY, 3, "ISO 4217")
EventIdPath = path_id(models.EVENT_ID, 28, "event id")
EndpointIdPath = path_id(models.ENDPOINT_ID, 27, "webhook endpoint id")


def cursor(pattern: str, max_length: int, what: str):
    """A ``starting_after`` query parameter holding an id of ``pattern``."""
    return Annotated[str | None, Query(pattern=pattern, max_length=max_length,
                                       description=f"cursor: the id of the last {what} seen")]


EventTypeQuery = Annotated[str | None, Query(alias="type", pattern=models.EVENT_TYPE, max_length=61,
                                             description="only events of this type")]
