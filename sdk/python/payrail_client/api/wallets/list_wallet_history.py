from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.posting_page import PostingPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    customer_id: str,
    currency: str,
    *,
    limit: int | Unset = 10,
    starting_after: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: int | None | Unset
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/customers/{customer_id}/wallets/{currency}/history".format(
            customer_id=quote(str(customer_id), safe=""),
            currency=quote(str(currency), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PostingPage | None:
    if response.status_code == 200:
        response_200 = PostingPage.from_dict(response.json())

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
) -> Response[ErrorBody | PostingPage]:
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
    limit: int | Unset = 10,
    starting_after: int | None | Unset = UNSET,
) -> Response[ErrorBody | PostingPage]:
    """Postings of a wallet, newest first, with balance before and after.

     Postings of a wallet, newest first, with balance before and after.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (int | None | Unset): cursor: the `seq` of the last posting seen

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PostingPage]
    """

    kwargs = _get_kwargs(
        customer_id=customer_id,
        currency=currency,
        limit=limit,
        starting_after=starting_after,
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
    limit: int | Unset = 10,
    starting_after: int | None | Unset = UNSET,
) -> ErrorBody | PostingPage | None:
    """Postings of a wallet, newest first, with balance before and after.

     Postings of a wallet, newest first, with balance before and after.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (int | None | Unset): cursor: the `seq` of the last posting seen

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PostingPage
    """

    return sync_detailed(
        customer_id=customer_id,
        currency=currency,
        client=client,
        limit=limit,
        starting_after=starting_after,
    ).parsed


async def asyncio_detailed(
    customer_id: str,
    currency: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: int | None | Unset = UNSET,
) -> Response[ErrorBody | PostingPage]:
    """Postings of a wallet, newest first, with balance before and after.

     Postings of a wallet, newest first, with balance before and after.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (int | None | Unset): cursor: the `seq` of the last posting seen

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PostingPage]
    """

    kwargs = _get_kwargs(
        customer_id=customer_id,
        currency=currency,
        limit=limit,
        starting_after=starting_after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    customer_id: str,
    currency: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: int | None | Unset = UNSET,
) -> ErrorBody | PostingPage | None:
    """Postings of a wallet, newest first, with balance before and after.

     Postings of a wallet, newest first, with balance before and after.

    Args:
        customer_id (str): the merchant's customer id
        currency (str): ISO 4217
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (int | None | Unset): cursor: the `seq` of the last posting seen

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PostingPage
    """

    return (
        await asyncio_detailed(
            customer_id=customer_id,
            currency=currency,
            client=client,
            limit=limit,
            starting_after=starting_after,
        )
    ).parsed
