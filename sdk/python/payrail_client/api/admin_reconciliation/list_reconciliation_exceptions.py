from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.list_reconciliation_exceptions_class_type_0 import (
    ListReconciliationExceptionsClassType0,
)
from ...models.list_reconciliation_exceptions_status_type_0 import (
    ListReconciliationExceptionsStatusType0,
)
from ...models.reconciliation_exception_page import ReconciliationExceptionPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    class_: ListReconciliationExceptionsClassType0 | None | Unset = UNSET,
    provider: None | str | Unset = UNSET,
    status: ListReconciliationExceptionsStatusType0 | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: None | str | Unset
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    json_class_: None | str | Unset
    if isinstance(class_, Unset):
        json_class_ = UNSET
    elif isinstance(class_, ListReconciliationExceptionsClassType0):
        json_class_ = class_.value
    else:
        json_class_ = class_
    params["class"] = json_class_

    json_provider: None | str | Unset
    if isinstance(provider, Unset):
        json_provider = UNSET
    else:
        json_provider = provider
    params["provider"] = json_provider

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ListReconciliationExceptionsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/admin/reconciliation_exceptions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ReconciliationExceptionPage | None:
    if response.status_code == 200:
        response_200 = ReconciliationExceptionPage.from_dict(response.json())

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
) -> Response[ErrorBody | ReconciliationExceptionPage]:
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
    class_: ListReconciliationExceptionsClassType0 | None | Unset = UNSET,
    provider: None | str | Unset = UNSET,
    status: ListReconciliationExceptionsStatusType0 | None | Unset = UNSET,
) -> Response[ErrorBody | ReconciliationExceptionPage]:
    """List the breaks reconciliation runs found, newest first, by class, provider and status.

     List the breaks reconciliation runs found, newest first, by class, provider and status.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last exception of the previous
            page
        class_ (ListReconciliationExceptionsClassType0 | None | Unset):
        provider (None | str | Unset): only this provider's
        status (ListReconciliationExceptionsStatusType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationExceptionPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        class_=class_,
        provider=provider,
        status=status,
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
    class_: ListReconciliationExceptionsClassType0 | None | Unset = UNSET,
    provider: None | str | Unset = UNSET,
    status: ListReconciliationExceptionsStatusType0 | None | Unset = UNSET,
) -> ErrorBody | ReconciliationExceptionPage | None:
    """List the breaks reconciliation runs found, newest first, by class, provider and status.

     List the breaks reconciliation runs found, newest first, by class, provider and status.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last exception of the previous
            page
        class_ (ListReconciliationExceptionsClassType0 | None | Unset):
        provider (None | str | Unset): only this provider's
        status (ListReconciliationExceptionsStatusType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationExceptionPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        class_=class_,
        provider=provider,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    class_: ListReconciliationExceptionsClassType0 | None | Unset = UNSET,
    provider: None | str | Unset = UNSET,
    status: ListReconciliationExceptionsStatusType0 | None | Unset = UNSET,
) -> Response[ErrorBody | ReconciliationExceptionPage]:
    """List the breaks reconciliation runs found, newest first, by class, provider and status.

     List the breaks reconciliation runs found, newest first, by class, provider and status.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last exception of the previous
            page
        class_ (ListReconciliationExceptionsClassType0 | None | Unset):
        provider (None | str | Unset): only this provider's
        status (ListReconciliationExceptionsStatusType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReconciliationExceptionPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        class_=class_,
        provider=provider,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    starting_after: None | str | Unset = UNSET,
    class_: ListReconciliationExceptionsClassType0 | None | Unset = UNSET,
    provider: None | str | Unset = UNSET,
    status: ListReconciliationExceptionsStatusType0 | None | Unset = UNSET,
) -> ErrorBody | ReconciliationExceptionPage | None:
    """List the breaks reconciliation runs found, newest first, by class, provider and status.

     List the breaks reconciliation runs found, newest first, by class, provider and status.

    Args:
        limit (int | Unset): page size, 1..100 Default: 10.
        starting_after (None | str | Unset): cursor: the id of the last exception of the previous
            page
        class_ (ListReconciliationExceptionsClassType0 | None | Unset):
        provider (None | str | Unset): only this provider's
        status (ListReconciliationExceptionsStatusType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReconciliationExceptionPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            class_=class_,
            provider=provider,
            status=status,
        )
    ).parsed
