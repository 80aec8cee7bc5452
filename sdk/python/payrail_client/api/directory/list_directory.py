from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.directory_page import DirectoryPage
from ...models.error_body import ErrorBody
from ...models.list_directory_kind_type_0 import ListDirectoryKindType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 100,
    starting_after: None | str | Unset = UNSET,
    kind: ListDirectoryKindType0 | None | Unset = UNSET,
    country: None | str | Unset = UNSET,
    currency: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: None | str | Unset
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, ListDirectoryKindType0):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_country: None | str | Unset
    if isinstance(country, Unset):
        json_country = UNSET
    else:
        json_country = country
    params["country"] = json_country

    json_currency: None | str | Unset
    if isinstance(currency, Unset):
        json_currency = UNSET
    else:
        json_currency = currency
    params["currency"] = json_currency

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/directory",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DirectoryPage | ErrorBody | None:
    if response.status_code == 200:
        response_200 = DirectoryPage.from_dict(response.json())

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
) -> Response[DirectoryPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    starting_after: None | str | Unset = UNSET,
    kind: ListDirectoryKindType0 | None | Unset = UNSET,
    country: None | str | Unset = UNSET,
    currency: None | str | Unset = UNSET,
) -> Response[DirectoryPage | ErrorBody]:
    """List the banks, wallets and rails payouts can reach.

     Banks (name, short code, IBAN bank code), wallets and rails payouts can reach, by provider.

    Args:
        limit (int | Unset): page size, 1..100 Default: 100.
        starting_after (None | str | Unset):
        kind (ListDirectoryKindType0 | None | Unset):
        country (None | str | Unset):
        currency (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DirectoryPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        kind=kind,
        country=country,
        currency=currency,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    starting_after: None | str | Unset = UNSET,
    kind: ListDirectoryKindType0 | None | Unset = UNSET,
    country: None | str | Unset = UNSET,
    currency: None | str | Unset = UNSET,
) -> DirectoryPage | ErrorBody | None:
    """List the banks, wallets and rails payouts can reach.

     Banks (name, short code, IBAN bank code), wallets and rails payouts can reach, by provider.

    Args:
        limit (int | Unset): page size, 1..100 Default: 100.
        starting_after (None | str | Unset):
        kind (ListDirectoryKindType0 | None | Unset):
        country (None | str | Unset):
        currency (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DirectoryPage | ErrorBody
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        kind=kind,
        country=country,
        currency=currency,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    starting_after: None | str | Unset = UNSET,
    kind: ListDirectoryKindType0 | None | Unset = UNSET,
    country: None | str | Unset = UNSET,
    currency: None | str | Unset = UNSET,
) -> Response[DirectoryPage | ErrorBody]:
    """List the banks, wallets and rails payouts can reach.

     Banks (name, short code, IBAN bank code), wallets and rails payouts can reach, by provider.

    Args:
        limit (int | Unset): page size, 1..100 Default: 100.
        starting_after (None | str | Unset):
        kind (ListDirectoryKindType0 | None | Unset):
        country (None | str | Unset):
        currency (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DirectoryPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        kind=kind,
        country=country,
        currency=currency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    starting_after: None | str | Unset = UNSET,
    kind: ListDirectoryKindType0 | None | Unset = UNSET,
    country: None | str | Unset = UNSET,
    currency: None | str | Unset = UNSET,
) -> DirectoryPage | ErrorBody | None:
    """List the banks, wallets and rails payouts can reach.

     Banks (name, short code, IBAN bank code), wallets and rails payouts can reach, by provider.

    Args:
        limit (int | Unset): page size, 1..100 Default: 100.
        starting_after (None | str | Unset):
        kind (ListDirectoryKindType0 | None | Unset):
        country (None | str | Unset):
        currency (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DirectoryPage | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            kind=kind,
            country=country,
            currency=currency,
        )
    ).parsed
