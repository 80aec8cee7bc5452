from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.recovery import Recovery
from ...types import Response


def _get_kwargs(
    endpoint_id: str,
    recovery_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/webhook_endpoints/{endpoint_id}/recoveries/{recovery_id}".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
            recovery_id=quote(str(recovery_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | Recovery | None:
    if response.status_code == 200:
        response_200 = Recovery.from_dict(response.json())

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
) -> Response[ErrorBody | Recovery]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | Recovery]:
    """Show a recovery of the endpoint's failed deliveries with its progress.

     A recovery job: QUEUED, RUNNING (resent of total so far), COMPLETED or FAILED.

    Args:
        endpoint_id (str): webhook endpoint id
        recovery_id (str): recovery id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Recovery]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        recovery_id=recovery_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | Recovery | None:
    """Show a recovery of the endpoint's failed deliveries with its progress.

     A recovery job: QUEUED, RUNNING (resent of total so far), COMPLETED or FAILED.

    Args:
        endpoint_id (str): webhook endpoint id
        recovery_id (str): recovery id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Recovery
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        recovery_id=recovery_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    endpoint_id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | Recovery]:
    """Show a recovery of the endpoint's failed deliveries with its progress.

     A recovery job: QUEUED, RUNNING (resent of total so far), COMPLETED or FAILED.

    Args:
        endpoint_id (str): webhook endpoint id
        recovery_id (str): recovery id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Recovery]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        recovery_id=recovery_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | Recovery | None:
    """Show a recovery of the endpoint's failed deliveries with its progress.

     A recovery job: QUEUED, RUNNING (resent of total so far), COMPLETED or FAILED.

    Args:
        endpoint_id (str): webhook endpoint id
        recovery_id (str): recovery id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Recovery
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            recovery_id=recovery_id,
            client=client,
        )
    ).parsed
