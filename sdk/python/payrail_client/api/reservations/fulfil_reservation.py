from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.fulfil_in import FulfilIn
from ...models.fulfilment import Fulfilment
from ...types import UNSET, Response, Unset


def _get_kwargs(
    reservation_id: str,
    *,
    body: FulfilIn | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/reservations/{reservation_id}/fulfil".format(
            reservation_id=quote(str(reservation_id), safe=""),
        ),
    }

    if isinstance(body, FulfilIn):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | Fulfilment | None:
    if response.status_code == 200:
        response_200 = Fulfilment.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = Fulfilment.from_dict(response.json())

        return response_202

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
) -> Response[ErrorBody | Fulfilment]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    reservation_id: str,
    *,
    client: AuthenticatedClient,
    body: FulfilIn | None | Unset = UNSET,
) -> Response[ErrorBody | Fulfilment]:
    """Pay the reservation's beneficiary.

     Pay the reservation's beneficiary: 200 with the provider's reference when it answers within
    seconds, 202 while under way; 502 refused or failed (fulfil again), 504 no answer (reconciling);
    400 when amount differs; 409 when released or expired. Duplicates never pay twice.

    Args:
        reservation_id (str): reservation id
        body (FulfilIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Fulfilment]
    """

    kwargs = _get_kwargs(
        reservation_id=reservation_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    reservation_id: str,
    *,
    client: AuthenticatedClient,
    body: FulfilIn | None | Unset = UNSET,
) -> ErrorBody | Fulfilment | None:
    """Pay the reservation's beneficiary.

     Pay the reservation's beneficiary: 200 with the provider's reference when it answers within
    seconds, 202 while under way; 502 refused or failed (fulfil again), 504 no answer (reconciling);
    400 when amount differs; 409 when released or expired. Duplicates never pay twice.

    Args:
        reservation_id (str): reservation id
        body (FulfilIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Fulfilment
    """

    return sync_detailed(
        reservation_id=reservation_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    reservation_id: str,
    *,
    client: AuthenticatedClient,
    body: FulfilIn | None | Unset = UNSET,
) -> Response[ErrorBody | Fulfilment]:
    """Pay the reservation's beneficiary.

     Pay the reservation's beneficiary: 200 with the provider's reference when it answers within
    seconds, 202 while under way; 502 refused or failed (fulfil again), 504 no answer (reconciling);
    400 when amount differs; 409 when released or expired. Duplicates never pay twice.

    Args:
        reservation_id (str): reservation id
        body (FulfilIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Fulfilment]
    """

    kwargs = _get_kwargs(
        reservation_id=reservation_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    reservation_id: str,
    *,
    client: AuthenticatedClient,
    body: FulfilIn | None | Unset = UNSET,
) -> ErrorBody | Fulfilment | None:
    """Pay the reservation's beneficiary.

     Pay the reservation's beneficiary: 200 with the provider's reference when it answers within
    seconds, 202 while under way; 502 refused or failed (fulfil again), 504 no answer (reconciling);
    400 when amount differs; 409 when released or expired. Duplicates never pay twice.

    Args:
        reservation_id (str): reservation id
        body (FulfilIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Fulfilment
    """

    return (
        await asyncio_detailed(
            reservation_id=reservation_id,
            client=client,
            body=body,
        )
    ).parsed
