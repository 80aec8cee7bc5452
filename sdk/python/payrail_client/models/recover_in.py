from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RecoverIn")


@_attrs_define
class RecoverIn:
    """
    Attributes:
        since (str): re-send the FAILED deliveries of events created at or after this time (RFC 3339 date or UTC time,
            not in the future)
    """

    since: str

    def to_dict(self) -> dict[str, Any]:
        since = self.since

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        since = d.pop("since")

        recover_in = cls(
            since=since,
        )

        return recover_in
