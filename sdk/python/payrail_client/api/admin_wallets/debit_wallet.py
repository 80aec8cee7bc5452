from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.wallet_move_in import WalletMoveIn
from ...models.wallet_movement import WalletMovement
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: WalletMoveIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/admin/wallets/debit",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | WalletMovement | None:
    if response.status_code == 200:
        response_200 = WalletMovement.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = ErrorBody.from_dict(response.json())

        return response_402

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

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

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
) -> Response[ErrorBody | WalletMovement]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: WalletMoveIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | WalletMovement]:
    """Debit a customer's wallet.

     Debit a customer's wallet (402 when it holds less; once per merchant and key).

    Args:
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (WalletMoveIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WalletMovement]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: WalletMoveIn,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | WalletMovement | None:
    """Debit a customer's wallet.

     Debit a customer's wallet (402 when it holds less; once per merchant and key).

    Args:
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (WalletMoveIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WalletMovement
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: WalletMoveIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | WalletMovement]:
    """Debit a customer's wallet.

     Debit a customer's wallet (402 when it holds less; once per merchant and key).

    Args:
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (WalletMoveIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WalletMovement]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: WalletMoveIn,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | WalletMovement | None:
    """Debit a customer's wallet.

     Debit a customer's wallet (402 when it holds less; once per merchant and key).

    Args:
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (WalletMoveIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WalletMovement
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
