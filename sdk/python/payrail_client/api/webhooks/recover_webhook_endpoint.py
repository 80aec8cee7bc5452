from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.recover_in import RecoverIn
from ...models.recovery import Recovery
from ...types import UNSET, Response, Unset


def _get_kwargs(
    endpoint_id: str,
    *,
    body: RecoverIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook_endpoints/{endpoint_id}/recover".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | Recovery | None:
    if response.status_code == 202:
        response_202 = Recovery.from_dict(response.json())

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
) -> Response[ErrorBody | Recovery]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: RecoverIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Recovery]:
    """Re-send every failed delivery to the endpoint since a time, as one background job.

     Each FAILED delivery of an event created since `since` is sent once more through the usual
    delivery path (signed, logged in the attempts, not retried if it fails again); GET the job for
    its progress. While a recovery of the endpoint is queued or running, that one is answered (409
    when the endpoint is disabled).

    Args:
        endpoint_id (str): webhook endpoint id
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (RecoverIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Recovery]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: RecoverIn,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Recovery | None:
    """Re-send every failed delivery to the endpoint since a time, as one background job.

     Each FAILED delivery of an event created since `since` is sent once more through the usual
    delivery path (signed, logged in the attempts, not retried if it fails again); GET the job for
    its progress. While a recovery of the endpoint is queued or running, that one is answered (409
    when the endpoint is disabled).

    Args:
        endpoint_id (str): webhook endpoint id
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (RecoverIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Recovery
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: RecoverIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Recovery]:
    """Re-send every failed delivery to the endpoint since a time, as one background job.

     Each FAILED delivery of an event created since `since` is sent once more through the usual
    delivery path (signed, logged in the attempts, not retried if it fails again); GET the job for
    its progress. While a recovery of the endpoint is queued or running, that one is answered (409
    when the endpoint is disabled).

    Args:
        endpoint_id (str): webhook endpoint id
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (RecoverIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Recovery]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: RecoverIn,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Recovery | None:
    """Re-send every failed delivery to the endpoint since a time, as one background job.

     Each FAILED delivery of an event created since `since` is sent once more through the usual
    delivery path (signed, logged in the attempts, not retried if it fails again); GET the job for
    its progress. While a recovery of the endpoint is queued or running, that one is answered (409
    when the endpoint is disabled).

    Args:
        endpoint_id (str): webhook endpoint id
        idempotency_key (str | Unset): client-chosen key (≤ 255 characters); a retry with the same
            key and request replays the first answer; the same key with another request answers 422. A
            merchant's keys are its own; the admin's are scoped by the merchant the request is for
            (its merchant_id), so the admin may use one key once for each merchant
        body (RecoverIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Recovery
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
