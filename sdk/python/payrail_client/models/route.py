from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Route")


@_attrs_define
class Route:
    """
    Attributes:
        explored (bool):
        failover (int): 0 for the first route, n after n failovers
        fee (int):
        network (str):
        on_net (bool):
        provider (str):
        score (int):
        why (str):
    """

    explored: bool
    failover: int
    fee: int
    network: str
    on_net: bool
    provider: str
    score: int
    why: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        explored = self.explored

        failover = self.failover

        fee = self.fee

        network = self.network

        on_net = self.on_net

        provider = self.provider

        score = self.score

        why = self.why

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "explored": explored,
                "failover": failover,
                "fee": fee,
                "network": network,
                "on_net": on_net,
                "provider": provider,
                "score": score,
                "why": why,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        explored = d.pop("explored")

        failover = d.pop("failover")

        fee = d.pop("fee")

        network = d.pop("network")

        on_net = d.pop("on_net")

        provider = d.pop("provider")

        score = d.pop("score")

        why = d.pop("why")

        route = cls(
            explored=explored,
            failover=failover,
            fee=fee,
            network=network,
            on_net=on_net,
            provider=provider,
            score=score,
            why=why,
        )

        route.additional_properties = d
        return route

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
