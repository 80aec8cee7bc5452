from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recipient_network_source import RecipientNetworkSource
from ..types import UNSET, Unset

T = TypeVar("T", bound="Recipient")


@_attrs_define
class Recipient:
    """
    Attributes:
        network (str):
        network_source (RecipientNetworkSource):
        phone (str):
        ported (bool):
        detected_network (None | str | Unset):
        name (None | str | Unset):
    """

    network: str
    network_source: RecipientNetworkSource
    phone: str
    ported: bool
    detected_network: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        network = self.network

        network_source = self.network_source.value

        phone = self.phone

        ported = self.ported

        detected_network: None | str | Unset
        if isinstance(self.detected_network, Unset):
            detected_network = UNSET
        else:
            detected_network = self.detected_network

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "network": network,
                "network_source": network_source,
                "phone": phone,
                "ported": ported,
            }
        )
        if detected_network is not UNSET:
            field_dict["detected_network"] = detected_network
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        network = d.pop("network")

        network_source = RecipientNetworkSource(d.pop("network_source"))

        phone = d.pop("phone")

        ported = d.pop("ported")

        def _parse_detected_network(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detected_network = _parse_detected_network(d.pop("detected_network", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        recipient = cls(
            network=network,
            network_source=network_source,
            phone=phone,
            ported=ported,
            detected_network=detected_network,
            name=name,
        )

        recipient.additional_properties = d
        return recipient

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
