from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_endpoint_with_secret_status import WebhookEndpointWithSecretStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointWithSecret")


@_attrs_define
class WebhookEndpointWithSecret:
    """
    Attributes:
        created_at (str):
        enabled_events (list[str]):
        endpoint_id (str):
        secret (str): the signing secret (whsec_…), shown only in this answer
        status (WebhookEndpointWithSecretStatus):
        updated_at (str):
        url (str):
        description (None | str | Unset):
        disabled_at (None | str | Unset):
        disabled_reason (None | str | Unset): why it is disabled (410 Gone, failing for days, or the merchant)
        failing_since (None | str | Unset): first failed attempt since the last success
        last_failure (None | str | Unset):
        previous_secret_expires_at (None | str | Unset): while a rotated-out secret still signs
    """

    created_at: str
    enabled_events: list[str]
    endpoint_id: str
    secret: str
    status: WebhookEndpointWithSecretStatus
    updated_at: str
    url: str
    description: None | str | Unset = UNSET
    disabled_at: None | str | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    failing_since: None | str | Unset = UNSET
    last_failure: None | str | Unset = UNSET
    previous_secret_expires_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        enabled_events = self.enabled_events

        endpoint_id = self.endpoint_id

        secret = self.secret

        status = self.status.value

        updated_at = self.updated_at

        url = self.url

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        disabled_at: None | str | Unset
        if isinstance(self.disabled_at, Unset):
            disabled_at = UNSET
        else:
            disabled_at = self.disabled_at

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        failing_since: None | str | Unset
        if isinstance(self.failing_since, Unset):
            failing_since = UNSET
        else:
            failing_since = self.failing_since

        last_failure: None | str | Unset
        if isinstance(self.last_failure, Unset):
            last_failure = UNSET
        else:
            last_failure = self.last_failure

        previous_secret_expires_at: None | str | Unset
        if isinstance(self.previous_secret_expires_at, Unset):
            previous_secret_expires_at = UNSET
        else:
            previous_secret_expires_at = self.previous_secret_expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "enabled_events": enabled_events,
                "endpoint_id": endpoint_id,
                "secret": secret,
                "status": status,
                "updated_at": updated_at,
                "url": url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if disabled_at is not UNSET:
            field_dict["disabled_at"] = disabled_at
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if failing_since is not UNSET:
            field_dict["failing_since"] = failing_since
        if last_failure is not UNSET:
            field_dict["last_failure"] = last_failure
        if previous_secret_expires_at is not UNSET:
            field_dict["previous_secret_expires_at"] = previous_secret_expires_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        enabled_events = cast(list[str], d.pop("enabled_events"))

        endpoint_id = d.pop("endpoint_id")

        secret = d.pop("secret")

        status = WebhookEndpointWithSecretStatus(d.pop("status"))

        updated_at = d.pop("updated_at")

        url = d.pop("url")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_disabled_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_at = _parse_disabled_at(d.pop("disabled_at", UNSET))

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

        def _parse_failing_since(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failing_since = _parse_failing_since(d.pop("failing_since", UNSET))

        def _parse_last_failure(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_failure = _parse_last_failure(d.pop("last_failure", UNSET))

        def _parse_previous_secret_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_secret_expires_at = _parse_previous_secret_expires_at(
            d.pop("previous_secret_expires_at", UNSET)
        )

        webhook_endpoint_with_secret = cls(
            created_at=created_at,
            enabled_events=enabled_events,
            endpoint_id=endpoint_id,
            secret=secret,
            status=status,
            updated_at=updated_at,
            url=url,
            description=description,
            disabled_at=disabled_at,
            disabled_reason=disabled_reason,
            failing_since=failing_since,
            last_failure=last_failure,
            previous_secret_expires_at=previous_secret_expires_at,
        )

        webhook_endpoint_with_secret.additional_properties = d
        return webhook_endpoint_with_secret

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
