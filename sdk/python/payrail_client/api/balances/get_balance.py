from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.merchant_balance import MerchantBalance
from ...types import UNSET, Response


def _get_kwargs(
    *,
    currency: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["currency"] = currency

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/balances",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | MerchantBalance | None:
    if response.status_code == 200:
        response_200 = MerchantBalance.from_dict(response.json())

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
) -> Response[ErrorBody | MerchantBalance]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    currency: str,
) -> Response[ErrorBody | MerchantBalance]:
    """Available, held, pending and reserved in one currency.

     Available, held, pending and reserved in one currency (minor units), as one consistent snapshot; in
    GHS also the mobile-money float at each provider.

    Args:
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MerchantBalance]
    """

    kwargs = _get_kwargs(
        currency=currency,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    currency: str,
) -> ErrorBody | MerchantBalance | None:
    """Available, held, pending and reserved in one currency.

     Available, held, pending and reserved in one currency (minor units), as one consistent snapshot; in
    GHS also the mobile-money float at each provider.

    Args:
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MerchantBalance
    """

    return sync_detailed(
        client=client,
        currency=currency,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    currency: str,
) -> Response[ErrorBody | MerchantBalance]:
    """Available, held, pending and reserved in one currency.

     Available, held, pending and reserved in one currency (minor units), as one consistent snapshot; in
    GHS also the mobile-money float at each provider.

    Args:
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MerchantBalance]
    """

    kwargs = _get_kwargs(
        currency=currency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    currency: str,
) -> ErrorBody | MerchantBalance | None:
    """Available, held, pending and reserved in one currency.

     Available, held, pending and reserved in one currency (minor units), as one consistent snapshot; in
    GHS also the mobile-money float at each provider.

    Args:
        currency (str): ISO 4217

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MerchantBalance
    """

    return (
        await asyncio_detailed(
            client=client,
            currency=currency,
        )
    ).parsed
