from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderFulfilIn")


@_attrs_define
class OrderFulfilIn:
    """
    Attributes:
        fulfilment_id (None | str | Unset): the fulfilment service's id, when the operator knows it
        note (None | str | Unset):
    """

    fulfilment_id: None | str | Unset = UNSET
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        fulfilment_id: None | str | Unset
        if isinstance(self.fulfilment_id, Unset):
            fulfilment_id = UNSET
        else:
            fulfilment_id = self.fulfilment_id

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if fulfilment_id is not UNSET:
            field_dict["fulfilment_id"] = fulfilment_id
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_fulfilment_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fulfilment_id = _parse_fulfilment_id(d.pop("fulfilment_id", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        order_fulfil_in = cls(
            fulfilment_id=fulfilment_id,
            note=note,
        )

        return order_fulfil_in
