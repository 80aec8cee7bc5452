from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.reconciliation_run_page import ReconciliationRunPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    provider: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: None | str | Unset
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    json_provider: None | str | Unset
    if isinstance(provider, Unset):
        json_provider = UNSET
    else:
        json_provider = provider
    params["provider"] = json_provider

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/admin/reconciliations",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ReconciliationRunPage | None:
    if response.status_code == 200:
        response_200 = ReconciliationRunPage.from_dict(response.json())

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
) -> Response[ErrorBody | ReconciliationRunPage]:
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
    provider: None | str | Unset = UNSET,
) -> Response[ErrorBody | ReconciliationRunPage]:
    """List reconciliation runs, newest first, with their counts per class.

     List reconciliation runs, newest first, with their counts per class.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last run of the previous page
        provider (None | str | Unset): only this provider's

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationRunPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        provider=provider,
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
    provider: None | str | Unset = UNSET,
) -> ErrorBody | ReconciliationRunPage | None:
    """List reconciliation runs, newest first, with their counts per class.

     List reconciliation runs, newest first, with their counts per class.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last run of the previous page
        provider (None | str | Unset): only this provider's

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationRunPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        provider=provider,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    provider: None | str | Unset = UNSET,
) -> Response[ErrorBody | ReconciliationRunPage]:
    """List reconciliation runs, newest first, with their counts per class.

     List reconciliation runs, newest first, with their counts per class.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last run of the previous page
        provider (None | str | Unset): only this provider's

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationRunPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        provider=provider,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    provider: None | str | Unset = UNSET,
) -> ErrorBody | ReconciliationRunPage | None:
    """List reconciliation runs, newest first, with their counts per class.

     List reconciliation runs, newest first, with their counts per class.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last run of the previous page
        provider (None | str | Unset): only this provider's

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationRunPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            provider=provider,
        )
    ).parsed
