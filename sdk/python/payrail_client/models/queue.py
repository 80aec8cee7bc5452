from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.queue_depth import QueueDepth


T = TypeVar("T", bound="Queue")


@_attrs_define
class Queue:
    """
    Attributes:
        delayed (int): ApproximateNumberOfMessagesDelayed
        dlq (None | QueueDepth): its dead-letter queue
        in_flight (int): ApproximateNumberOfMessagesNotVisible: received, not yet deleted
        messages (int): ApproximateNumberOfMessages: visible, waiting for a consumer
        queue (str): the queue's name in the catalog: fulfilment, payouts, payments, webhooks
        url (str):
    """

    delayed: int
    dlq: None | QueueDepth
    in_flight: int
    messages: int
    queue: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.queue_depth import QueueDepth

        delayed = self.delayed

        dlq: dict[str, Any] | None
        if isinstance(self.dlq, QueueDepth):
            dlq = self.dlq.to_dict()
        else:
            dlq = self.dlq

        in_flight = self.in_flight

        messages = self.messages

        queue = self.queue

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "delayed": delayed,
                "dlq": dlq,
                "in_flight": in_flight,
                "messages": messages,
                "queue": queue,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.queue_depth import QueueDepth

        d = dict(src_dict)
        delayed = d.pop("delayed")

        def _parse_dlq(data: object) -> None | QueueDepth:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dlq_type_0 = QueueDepth.from_dict(data)

                return dlq_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QueueDepth, data)

        dlq = _parse_dlq(d.pop("dlq"))

        in_flight = d.pop("in_flight")

        messages = d.pop("messages")

        queue = d.pop("queue")

        url = d.pop("url")

        queue = cls(
            delayed=delayed,
            dlq=dlq,
            in_flight=in_flight,
            messages=messages,
            queue=queue,
            url=url,
        )

        queue.additional_properties = d
        return queue

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
