from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.holds import Holds
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    older_than_seconds: int | Unset = 3600,
    limit: int | Unset = 10,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["older_than_seconds"] = older_than_seconds

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/admin/holds",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | Holds | None:
    if response.status_code == 200:
        response_200 = Holds.from_dict(response.json())

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
) -> Response[ErrorBody | Holds]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    older_than_seconds: int | Unset = 3600,
    limit: int | Unset = 10,
) -> Response[ErrorBody | Holds]:
    """Payouts still holding money.

     Payouts still holding money (PENDING, IN_REVIEW, PROCESSING, ON_HOLD) held at least
    older_than_seconds (default an hour) since their creation or reinitiation, oldest first.

    Args:
        older_than_seconds (int | Unset): seconds Default: 3600.
        limit (int | Unset): page size, 1..100 Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Holds]
    """

    kwargs = _get_kwargs(
        older_than_seconds=older_than_seconds,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    older_than_seconds: int | Unset = 3600,
    limit: int | Unset = 10,
) -> ErrorBody | Holds | None:
    """Payouts still holding money.

     Payouts still holding money (PENDING, IN_REVIEW, PROCESSING, ON_HOLD) held at least
    older_than_seconds (default an hour) since their creation or reinitiation, oldest first.

    Args:
        older_than_seconds (int | Unset): seconds Default: 3600.
        limit (int | Unset): page size, 1..100 Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Holds
    """

    return sync_detailed(
        client=client,
        older_than_seconds=older_than_seconds,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    older_than_seconds: int | Unset = 3600,
    limit: int | Unset = 10,
) -> Response[ErrorBody | Holds]:
    """Payouts still holding money.

     Payouts still holding money (PENDING, IN_REVIEW, PROCESSING, ON_HOLD) held at least
    older_than_seconds (default an hour) since their creation or reinitiation, oldest first.

    Args:
        older_than_seconds (int | Unset): seconds Default: 3600.
        limit (int | Unset): page size, 1..100 Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Holds]
    """

    kwargs = _get_kwargs(
        older_than_seconds=older_than_seconds,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    older_than_seconds: int | Unset = 3600,
    limit: int | Unset = 10,
) -> ErrorBody | Holds | None:
    """Payouts still holding money.

     Payouts still holding money (PENDING, IN_REVIEW, PROCESSING, ON_HOLD) held at least
    older_than_seconds (default an hour) since their creation or reinitiation, oldest first.

    Args:
        older_than_seconds (int | Unset): seconds Default: 3600.
        limit (int | Unset): page size, 1..100 Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Holds
    """

    return (
        await asyncio_detailed(
            client=client,
            older_than_seconds=older_than_seconds,
            limit=limit,
        )
    ).parsed
