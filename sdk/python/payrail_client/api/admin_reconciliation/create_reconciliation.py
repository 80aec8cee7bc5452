from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.reconciliation_in import ReconciliationIn
from ...models.reconciliation_run import ReconciliationRun
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ReconciliationIn,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/admin/reconciliations",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ReconciliationRun | None:
    if response.status_code == 202:
        response_202 = ReconciliationRun.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

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
) -> Response[ErrorBody | ReconciliationRun]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ReconciliationIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | ReconciliationRun]:
    """Start a reconciliation of one provider's books against the ledger over a window of UTC days.

     Start a reconciliation of one provider's books against the ledger over a window of UTC days.

    Args:
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant
        body (ReconciliationIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationRun]
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
    body: ReconciliationIn,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | ReconciliationRun | None:
    """Start a reconciliation of one provider's books against the ledger over a window of UTC days.

     Start a reconciliation of one provider's books against the ledger over a window of UTC days.

    Args:
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant
        body (ReconciliationIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationRun
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ReconciliationIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | ReconciliationRun]:
    """Start a reconciliation of one provider's books against the ledger over a window of UTC days.

     Start a reconciliation of one provider's books against the ledger over a window of UTC days.

    Args:
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant
        body (ReconciliationIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationRun]
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
    body: ReconciliationIn,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | ReconciliationRun | None:
    """Start a reconciliation of one provider's books against the ledger over a window of UTC days.

     Start a reconciliation of one provider's books against the ledger over a window of UTC days.

    Args:
        idempotency_key (None | str | Unset): optional; honoured like on payments (a retry with
            the same key and request replays the first answer). A merchant's keys are its own; the
            admin's are scoped by the merchant the request is for (its merchant_id), so the admin may
            use one key once for each merchant
        body (ReconciliationIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationRun
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
