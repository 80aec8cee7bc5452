from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.detailed_health_status import DetailedHealthStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.detailed_health_checks import DetailedHealthChecks
    from ..models.detailed_health_providers import DetailedHealthProviders


T = TypeVar("T", bound="DetailedHealth")


@_attrs_define
class DetailedHealth:
    """
    Attributes:
        checks (DetailedHealthChecks):
        ok (bool):
        status (DetailedHealthStatus):
        providers (DetailedHealthProviders | Unset): mobile-money providers (not in readiness)
    """

    checks: DetailedHealthChecks
    ok: bool
    status: DetailedHealthStatus
    providers: DetailedHealthProviders | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checks = self.checks.to_dict()

        ok = self.ok

        status = self.status.value

        providers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.providers, Unset):
            providers = self.providers.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checks": checks,
                "ok": ok,
                "status": status,
            }
        )
        if providers is not UNSET:
            field_dict["providers"] = providers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.detailed_health_checks import DetailedHealthChecks
        from ..models.detailed_health_providers import DetailedHealthProviders

        d = dict(src_dict)
        checks = DetailedHealthChecks.from_dict(d.pop("checks"))

        ok = d.pop("ok")

        status = DetailedHealthStatus(d.pop("status"))

        _providers = d.pop("providers", UNSET)
        providers: DetailedHealthProviders | Unset
        if isinstance(_providers, Unset):
            providers = UNSET
        else:
            providers = DetailedHealthProviders.from_dict(_providers)

        detailed_health = cls(
            checks=checks,
            ok=ok,
            status=status,
            providers=providers,
        )

        detailed_health.additional_properties = d
        return detailed_health

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
