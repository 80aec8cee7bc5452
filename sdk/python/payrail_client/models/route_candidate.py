from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RouteCandidate")


@_attrs_define
class RouteCandidate:
    """
    Attributes:
        eligible (bool):
        explored (bool):
        failures (int):
        fee (int):
        float_available (int):
        healthy (bool):
        network (str):
        on_net (bool):
        provider (str):
        reliability_pct (int): smoothed success rate over the window, percent
        score (int): 0..1000: 0.7 · reliability · health + 0.3 · fee score
        successes (int):
        total (int):
        why (str):
        rank (int | None | Unset):
    """

    eligible: bool
    explored: bool
    failures: int
    fee: int
    float_available: int
    healthy: bool
    network: str
    on_net: bool
    provider: str
    reliability_pct: int
    score: int
    successes: int
    total: int
    why: str
    rank: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        eligible = self.eligible

        explored = self.explored

        failures = self.failures

        fee = self.fee

        float_available = self.float_available

        healthy = self.healthy

        network = self.network

        on_net = self.on_net

        provider = self.provider

        reliability_pct = self.reliability_pct

        score = self.score

        successes = self.successes

        total = self.total

        why = self.why

        rank: int | None | Unset
        if isinstance(self.rank, Unset):
            rank = UNSET
        else:
            rank = self.rank

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "eligible": eligible,
                "explored": explored,
                "failures": failures,
                "fee": fee,
                "float_available": float_available,
                "healthy": healthy,
                "network": network,
                "on_net": on_net,
                "provider": provider,
                "reliability_pct": reliability_pct,
                "score": score,
                "successes": successes,
                "total": total,
                "why": why,
            }
        )
        if rank is not UNSET:
            field_dict["rank"] = rank

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        eligible = d.pop("eligible")

        explored = d.pop("explored")

        failures = d.pop("failures")

        fee = d.pop("fee")

        float_available = d.pop("float_available")

        healthy = d.pop("healthy")

        network = d.pop("network")

        on_net = d.pop("on_net")

        provider = d.pop("provider")

        reliability_pct = d.pop("reliability_pct")

        score = d.pop("score")

        successes = d.pop("successes")

        total = d.pop("total")

        why = d.pop("why")

        def _parse_rank(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rank = _parse_rank(d.pop("rank", UNSET))

        route_candidate = cls(
            eligible=eligible,
            explored=explored,
            failures=failures,
            fee=fee,
            float_available=float_available,
            healthy=healthy,
            network=network,
            on_net=on_net,
            provider=provider,
            reliability_pct=reliability_pct,
            score=score,
            successes=successes,
            total=total,
            why=why,
            rank=rank,
        )

        route_candidate.additional_properties = d
        return route_candidate

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
