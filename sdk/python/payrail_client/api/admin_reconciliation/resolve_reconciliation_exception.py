from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.reconciliation_exception import ReconciliationException
from ...models.resolution_in import ResolutionIn
from ...types import Response


def _get_kwargs(
    exception_id: str,
    *,
    body: ResolutionIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/admin/reconciliation_exceptions/{exception_id}/resolve".format(
            exception_id=quote(str(exception_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ReconciliationException | None:
    if response.status_code == 200:
        response_200 = ReconciliationException.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

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
) -> Response[ErrorBody | ReconciliationException]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    exception_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolutionIn,
) -> Response[ErrorBody | ReconciliationException]:
    """Resolve a reconciliation exception with a reason, posting its journal where money must move.

     Resolve a reconciliation exception with a reason, posting its journal where money must move.

    Args:
        exception_id (str): reconciliation exception id
        body (ResolutionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationException]
    """

    kwargs = _get_kwargs(
        exception_id=exception_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    exception_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolutionIn,
) -> ErrorBody | ReconciliationException | None:
    """Resolve a reconciliation exception with a reason, posting its journal where money must move.

     Resolve a reconciliation exception with a reason, posting its journal where money must move.

    Args:
        exception_id (str): reconciliation exception id
        body (ResolutionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationException
    """

    return sync_detailed(
        exception_id=exception_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    exception_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolutionIn,
) -> Response[ErrorBody | ReconciliationException]:
    """Resolve a reconciliation exception with a reason, posting its journal where money must move.

     Resolve a reconciliation exception with a reason, posting its journal where money must move.

    Args:
        exception_id (str): reconciliation exception id
        body (ResolutionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationException]
    """

    kwargs = _get_kwargs(
        exception_id=exception_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    exception_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolutionIn,
) -> ErrorBody | ReconciliationException | None:
    """Resolve a reconciliation exception with a reason, posting its journal where money must move.

     Resolve a reconciliation exception with a reason, posting its journal where money must move.

    Args:
        exception_id (str): reconciliation exception id
        body (ResolutionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationException
    """

    return (
        await asyncio_detailed(
            exception_id=exception_id,
            client=client,
            body=body,
        )
    ).parsed
