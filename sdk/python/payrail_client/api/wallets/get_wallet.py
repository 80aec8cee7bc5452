from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.wallet_balance import WalletBalance
from ...types import Response


def _get_kwargs(
    customer_id: str,
    currency: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/customers/{customer_id}/wallets/{currency}".format(
            customer_id=quote(str(customer_id), safe=""),
            currency=quote(str(currency), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | WalletBalance | None:
    if response.status_code == 200:
        response_200 = WalletBalance.from_dict(response.json())

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
) -> Response[ErrorBody | WalletBalance]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    customer_id: str,
    currency: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | WalletBalance]:
    """A customer's wallet balance.

     A customer's wallet balance.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WalletBalance]
    """

    kwargs = _get_kwargs(
        customer_id=customer_id,
        currency=currency,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    customer_id: str,
    currency: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | WalletBalance | None:
    """A customer's wallet balance.

     A customer's wallet balance.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WalletBalance
    """

    return sync_detailed(
        customer_id=customer_id,
        currency=currency,
        client=client,
    ).parsed


async def asyncio_detailed(
    customer_id: str,
    currency: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | WalletBalance]:
    """A customer's wallet balance.

     A customer's wallet balance.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WalletBalance]
    """

    kwargs = _get_kwargs(
        customer_id=customer_id,
        currency=currency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    customer_id: str,
    currency: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | WalletBalance | None:
    """A customer's wallet balance.

     A customer's wallet balance.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WalletBalance
    """

    return (
        await asyncio_detailed(
            customer_id=customer_id,
            currency=currency,
            client=client,
        )
    ).parsed
