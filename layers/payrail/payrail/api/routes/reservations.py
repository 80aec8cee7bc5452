"""Reservations and seller payouts: reserve, fulfil (exactly one transfer per
reservation, bounded per provider), release; expired ones are swept by a schedule."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import MERCHANT, Routes, call
from payrail.api.params import IdempotencyKey, Limit, ReservationCursor, ReservationIdPath

routes = Routes("reservations")


@routes.post("/v1/reservations", operation_id="createReservation",
             auth=MERCHANT, status=201, response=models.Reservation, errors=(402, 404),
             idempotency="required")
def reserve(body: models.ReservationIn, idempotency_key: IdempotencyKey) -> dict:
    """Reserve part of the available balance for an order's seller payout, until it expires (402 when short)."""
    c = call()
    ttl = body.expires_in_seconds or c.platform.settings.reservation_ttl_seconds
    return c.platform.reservations.reserve(
        c.platform.merchants.get(c.merchant_id, fresh=True), body.amount, body.currency, ttl, idempotency_key,
        beneficiary=body.beneficiary, beneficiary_id=body.beneficiary_id, order_reference=body.order_reference,
        fingerprint=c.fingerprint).public()


@routes.get("/v1/reservations", operation_id="listReservations", auth=MERCHANT, response=models.ReservationPage)
def list_reservations(limit: Limit = 10, starting_after: ReservationCursor = None,
                      status: Annotated[models.ReservationStatusName | None, Query()] = None) -> dict:
    """The merchant's reservations, newest first."""
    return call().platform.reservations.page(call().merchant_id, limit, starting_after, status).public()


@routes.get("/v1/reservations/<reservation_id>", operation_id="getReservation",
            auth=MERCHANT, response=models.Reservation)
def get_reservation(reservation_id: ReservationIdPath) -> dict:
    """A reservation with its status history and latest payout."""
    return call().platform.reservations.get(call().merchant_id, reservation_id).public()


@routes.post("/v1/reservations/<reservation_id>/fulfil", operation_id="fulfilReservation",
             auth=MERCHANT, response=models.Fulfilment,
             errors=(409, 502, 504), also=((202, models.Fulfilment),))
def fulfil(reservation_id: ReservationIdPath, body: models.FulfilIn | None = None) -> Response[dict]:
    """Pay the reservation's beneficiary: 200 with the provider's reference when it answers within
    seconds, 202 while under way; 502 refused or failed (fulfil again), 504 no answer (reconciling);
    400 when amount differs; 409 when released or expired. Duplicates never pay twice."""
    c = call()
    status, answer = c.platform.reservations.fulfil(c.platform.merchants.get(c.merchant_id, fresh=True),
                                                    reservation_id, body.amount if body else None)
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=answer.public())


@routes.post("/v1/reservations/<reservation_id>/release", operation_id="releaseReservation",
             auth=MERCHANT, response=models.Reservation, errors=(409,))
def release(reservation_id: ReservationIdPath) -> dict:
    """Give the reserved amount back to the available balance (409 unless RESERVED)."""
    return call().platform.reservations.release(call().merchant_id, reservation_id).public()
