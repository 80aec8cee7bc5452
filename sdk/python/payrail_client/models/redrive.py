from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Redrive")


@_attrs_define
class Redrive:
    """
    Attributes:
        messages (int): messages in the DLQ when the move started (approximate)
        queue (str):
        task_handle (str): the SQS message move task (StartMessageMoveTask)
    """

    messages: int
    queue: str
    task_handle: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        messages = self.messages

        queue = self.queue

        task_handle = self.task_handle

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "messages": messages,
                "queue": queue,
                "task_handle": task_handle,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        messages = d.pop("messages")

        queue = d.pop("queue")

        task_handle = d.pop("task_handle")

        redrive = cls(
            messages=messages,
            queue=queue,
            task_handle=task_handle,
        )

        redrive.additional_properties = d
        return redrive

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
