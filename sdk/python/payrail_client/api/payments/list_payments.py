from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.list_payments_network_type_0 import ListPaymentsNetworkType0
from ...models.list_payments_provider_type_0 import ListPaymentsProviderType0
from ...models.list_payments_status_type_0 import ListPaymentsStatusType0
from ...models.payment_page import PaymentPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    status: ListPaymentsStatusType0 | None | Unset = UNSET,
    network: ListPaymentsNetworkType0 | None | Unset = UNSET,
    provider: ListPaymentsProviderType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
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
    elif isinstance(status, ListPaymentsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_network: None | str | Unset
    if isinstance(network, Unset):
        json_network = UNSET
    elif isinstance(network, ListPaymentsNetworkType0):
        json_network = network.value
    else:
        json_network = network
    params["network"] = json_network

    json_provider: None | str | Unset
    if isinstance(provider, Unset):
        json_provider = UNSET
    elif isinstance(provider, ListPaymentsProviderType0):
        json_provider = provider.value
    else:
        json_provider = provider
    params["provider"] = json_provider

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

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/payments",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaymentPage | None:
    if response.status_code == 200:
        response_200 = PaymentPage.from_dict(response.json())

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
) -> Response[ErrorBody | PaymentPage]:
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
    status: ListPaymentsStatusType0 | None | Unset = UNSET,
    network: ListPaymentsNetworkType0 | None | Unset = UNSET,
    provider: ListPaymentsProviderType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
) -> Response[ErrorBody | PaymentPage]:
    """The merchant's payments, newest first, filtered by status, network, provider and creation time.

     The merchant's payments, newest first, filtered by status, network, provider and creation time.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payment of the previous
            page
        status (ListPaymentsStatusType0 | None | Unset):
        network (ListPaymentsNetworkType0 | None | Unset):
        provider (ListPaymentsProviderType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaymentPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        status=status,
        network=network,
        provider=provider,
        created_from=created_from,
        created_to=created_to,
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
    status: ListPaymentsStatusType0 | None | Unset = UNSET,
    network: ListPaymentsNetworkType0 | None | Unset = UNSET,
    provider: ListPaymentsProviderType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
) -> ErrorBody | PaymentPage | None:
    """The merchant's payments, newest first, filtered by status, network, provider and creation time.

     The merchant's payments, newest first, filtered by status, network, provider and creation time.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payment of the previous
            page
        status (ListPaymentsStatusType0 | None | Unset):
        network (ListPaymentsNetworkType0 | None | Unset):
        provider (ListPaymentsProviderType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaymentPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        status=status,
        network=network,
        provider=provider,
        created_from=created_from,
        created_to=created_to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    status: ListPaymentsStatusType0 | None | Unset = UNSET,
    network: ListPaymentsNetworkType0 | None | Unset = UNSET,
    provider: ListPaymentsProviderType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
) -> Response[ErrorBody | PaymentPage]:
    """The merchant's payments, newest first, filtered by status, network, provider and creation time.

     The merchant's payments, newest first, filtered by status, network, provider and creation time.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payment of the previous
            page
        status (ListPaymentsStatusType0 | None | Unset):
        network (ListPaymentsNetworkType0 | None | Unset):
        provider (ListPaymentsProviderType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaymentPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        status=status,
        network=network,
        provider=provider,
        created_from=created_from,
        created_to=created_to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    status: ListPaymentsStatusType0 | None | Unset = UNSET,
    network: ListPaymentsNetworkType0 | None | Unset = UNSET,
    provider: ListPaymentsProviderType0 | None | Unset = UNSET,
    created_from: None | str | Unset = UNSET,
    created_to: None | str | Unset = UNSET,
) -> ErrorBody | PaymentPage | None:
    """The merchant's payments, newest first, filtered by status, network, provider and creation time.

     The merchant's payments, newest first, filtered by status, network, provider and creation time.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last payment of the previous
            page
        status (ListPaymentsStatusType0 | None | Unset):
        network (ListPaymentsNetworkType0 | None | Unset):
        provider (ListPaymentsProviderType0 | None | Unset):
        created_from (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused
        created_to (None | str | Unset): RFC 3339 date or UTC time, inclusive (2026-03-01 or
            2026-03-01T12:00:00Z; a shorter time such as 2026-03-01T12 is a prefix); an impossible
            date or time is refused

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaymentPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            status=status,
            network=network,
            provider=provider,
            created_from=created_from,
            created_to=created_to,
        )
    ).parsed
