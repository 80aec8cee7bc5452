from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.event_page import EventPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    delivery_success: bool | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: None | str | Unset
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    json_type_: None | str | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    else:
        json_type_ = type_
    params["type"] = json_type_

    json_delivery_success: bool | None | Unset
    if isinstance(delivery_success, Unset):
        json_delivery_success = UNSET
    else:
        json_delivery_success = delivery_success
    params["delivery_success"] = json_delivery_success

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | EventPage | None:
    if response.status_code == 200:
        response_200 = EventPage.from_dict(response.json())

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

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | EventPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    delivery_success: bool | None | Unset = UNSET,
) -> Response[ErrorBody | EventPage]:
    """The merchant's events, newest first.

     The merchant's events, newest first (kept 30 days), optionally of one type or by delivery success.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last event of the previous page
        type_ (None | str | Unset): only events of this type
        delivery_success (bool | None | Unset): true: only events delivered to every endpoint;
            false: only events whose latest attempt to some endpoint failed with no success since
            (still retrying, or failed)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        type_=type_,
        delivery_success=delivery_success,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    delivery_success: bool | None | Unset = UNSET,
) -> ErrorBody | EventPage | None:
    """The merchant's events, newest first.

     The merchant's events, newest first (kept 30 days), optionally of one type or by delivery success.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last event of the previous page
        type_ (None | str | Unset): only events of this type
        delivery_success (bool | None | Unset): true: only events delivered to every endpoint;
            false: only events whose latest attempt to some endpoint failed with no success since
            (still retrying, or failed)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        type_=type_,
        delivery_success=delivery_success,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    delivery_success: bool | None | Unset = UNSET,
) -> Response[ErrorBody | EventPage]:
    """The merchant's events, newest first.

     The merchant's events, newest first (kept 30 days), optionally of one type or by delivery success.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last event of the previous page
        type_ (None | str | Unset): only events of this type
        delivery_success (bool | None | Unset): true: only events delivered to every endpoint;
            false: only events whose latest attempt to some endpoint failed with no success since
            (still retrying, or failed)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        type_=type_,
        delivery_success=delivery_success,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    delivery_success: bool | None | Unset = UNSET,
) -> ErrorBody | EventPage | None:
    """The merchant's events, newest first.

     The merchant's events, newest first (kept 30 days), optionally of one type or by delivery success.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last event of the previous page
        type_ (None | str | Unset): only events of this type
        delivery_success (bool | None | Unset): true: only events delivered to every endpoint;
            false: only events whose latest attempt to some endpoint failed with no success since
            (still retrying, or failed)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            type_=type_,
            delivery_success=delivery_success,
        )
    ).parsed
