from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_data import EventData


T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """
    Attributes:
        api_version (str):
        created_at (str):
        data (EventData):
        event_id (str): also the webhook-id header of every delivery of this event
        object_id (str):
        sequence (int): per object, 1, 2, 3 … in the order of its changes; discard lower ones
        type_ (str):
    """

    api_version: str
    created_at: str
    data: EventData
    event_id: str
    object_id: str
    sequence: int
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_version = self.api_version

        created_at = self.created_at

        data = self.data.to_dict()

        event_id = self.event_id

        object_id = self.object_id

        sequence = self.sequence

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_version": api_version,
                "created_at": created_at,
                "data": data,
                "event_id": event_id,
                "object_id": object_id,
                "sequence": sequence,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_data import EventData

        d = dict(src_dict)
        api_version = d.pop("api_version")

        created_at = d.pop("created_at")

        data = EventData.from_dict(d.pop("data"))

        event_id = d.pop("event_id")

        object_id = d.pop("object_id")

        sequence = d.pop("sequence")

        type_ = d.pop("type")

        event = cls(
            api_version=api_version,
            created_at=created_at,
            data=data,
            event_id=event_id,
            object_id=object_id,
            sequence=sequence,
            type_=type_,
        )

        event.additional_properties = d
        return event

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
