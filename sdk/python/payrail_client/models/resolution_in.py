from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.resolution_in_resolution import ResolutionInResolution

T = TypeVar("T", bound="ResolutionIn")


@_attrs_define
class ResolutionIn:
    """
    Attributes:
        reason (str): why, for the audit trail
        resolution (ResolutionInResolution): receivable or write_off (paid_after_release), reverse_capture
            (missing_at_provider), acknowledge (any class: no money moves)
    """

    reason: str
    resolution: ResolutionInResolution

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        resolution = self.resolution.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "resolution": resolution,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reason = d.pop("reason")

        resolution = ResolutionInResolution(d.pop("resolution"))

        resolution_in = cls(
            reason=reason,
            resolution=resolution,
        )

        return resolution_in
