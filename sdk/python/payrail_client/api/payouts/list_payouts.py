from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.list_payouts_status_type_0 import ListPayoutsStatusType0
from ...models.payout_page import PayoutPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    status: ListPayoutsStatusType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
    merchant_reference: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: None | str | Unset
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ListPayoutsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_created_from: None | str | Unset
    if isinstance(created_from, Unset):
        json_created_from = UNSET
    else:
        json_created_from = created_from
    params["created_from"] = json_created_from

    json_created_to: None | str | Unset
    if isinstance(created_to, Unset):
        json_created_to = UNSET
    else:
        json_created_to = created_to
    params["created_to"] = json_created_to

    json_merchant_reference: None | str | Unset
    if isinstance(merchant_reference, Unset):
        json_merchant_reference = UNSET
    else:
        json_merchant_reference = merchant_reference
    params["merchant_reference"] = json_merchant_reference

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/payouts",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PayoutPage | None:
    if response.status_code == 200:
        response_200 = PayoutPage.from_dict(response.json())

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
) -> Response[ErrorBody | PayoutPage]:
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
    status: ListPayoutsStatusType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
    merchant_reference: None | str | Unset = UNSET,
) -> Response[ErrorBody | PayoutPage]:
    """The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

     The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payout of the previous
            page
        status (ListPayoutsStatusType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        merchant_reference (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PayoutPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        status=status,
        created_from=created_from,
        created_to=created_to,
        merchant_reference=merchant_reference,
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
    status: ListPayoutsStatusType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
    merchant_reference: None | str | Unset = UNSET,
) -> ErrorBody | PayoutPage | None:
    """The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

     The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payout of the previous
            page
        status (ListPayoutsStatusType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        merchant_reference (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PayoutPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        status=status,
        created_from=created_from,
        created_to=created_to,
        merchant_reference=merchant_reference,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    status: ListPayoutsStatusType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
    merchant_reference: None | str | Unset = UNSET,
) -> Response[ErrorBody | PayoutPage]:
    """The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

     The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payout of the previous
            page
        status (ListPayoutsStatusType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        merchant_reference (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PayoutPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        status=status,
        created_from=created_from,
        created_to=created_to,
        merchant_reference=merchant_reference,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    status: ListPayoutsStatusType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
    merchant_reference: None | str | Unset = UNSET,
) -> ErrorBody | PayoutPage | None:
    """The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

     The merchant's payouts, newest first, filtered by status, creation time and merchant_reference.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payout of the previous
            page
        status (ListPayoutsStatusType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        merchant_reference (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PayoutPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            status=status,
            created_from=created_from,
            created_to=created_to,
            merchant_reference=merchant_reference,
        )
    ).parsed
