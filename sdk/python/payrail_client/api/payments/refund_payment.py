from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.payment import Payment
from ...types import UNSET, Response, Unset


def _get_kwargs(
    payment_id: str,
    *,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/payments/{payment_id}/refund".format(
            payment_id=quote(str(payment_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | Payment | None:
    if response.status_code == 200:
        response_200 = Payment.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 502:
        response_502 = ErrorBody.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorBody.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | Payment]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    payment_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | Payment]:
    """Refund a CONFIRMED payment through the provider's reversal.

     CONFIRMED → REFUNDED through the provider's reversal (a compensating journal), once: a refund of a
    payment that is refunded or being refunded answers 409 already_refunded, whatever the timing (a
    retry
    with the first request's Idempotency-Key replays its answer); 409 invalid_state from another state,
    refund_refused when the provider refuses; 503 when it cannot be asked; 504 when its answer was lost.

    Args:
        payment_id (str): payment id (a UUID)
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Payment]
    """

    kwargs = _get_kwargs(
        payment_id=payment_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    payment_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | Payment | None:
    """Refund a CONFIRMED payment through the provider's reversal.

     CONFIRMED → REFUNDED through the provider's reversal (a compensating journal), once: a refund of a
    payment that is refunded or being refunded answers 409 already_refunded, whatever the timing (a
    retry
    with the first request's Idempotency-Key replays its answer); 409 invalid_state from another state,
    refund_refused when the provider refuses; 503 when it cannot be asked; 504 when its answer was lost.

    Args:
        payment_id (str): payment id (a UUID)
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Payment
    """

    return sync_detailed(
        payment_id=payment_id,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    payment_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | Payment]:
    """Refund a CONFIRMED payment through the provider's reversal.

     CONFIRMED → REFUNDED through the provider's reversal (a compensating journal), once: a refund of a
    payment that is refunded or being refunded answers 409 already_refunded, whatever the timing (a
    retry
    with the first request's Idempotency-Key replays its answer); 409 invalid_state from another state,
    refund_refused when the provider refuses; 503 when it cannot be asked; 504 when its answer was lost.

    Args:
        payment_id (str): payment id (a UUID)
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Payment]
    """

    kwargs = _get_kwargs(
        payment_id=payment_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    payment_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | Payment | None:
    """Refund a CONFIRMED payment through the provider's reversal.

     CONFIRMED → REFUNDED through the provider's reversal (a compensating journal), once: a refund of a
    payment that is refunded or being refunded answers 409 already_refunded, whatever the timing (a
    retry
    with the first request's Idempotency-Key replays its answer); 409 invalid_state from another state,
    refund_refused when the provider refuses; 503 when it cannot be asked; 504 when its answer was lost.

    Args:
        payment_id (str): payment id (a UUID)
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Payment
    """

    return (
        await asyncio_detailed(
            payment_id=payment_id,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
