from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.recipient_in_network_type_0 import RecipientInNetworkType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="RecipientIn")


@_attrs_define
class RecipientIn:
    """
    Attributes:
        name (str):
        phone (str): Ghana mobile number, E.164 (+233241234561) or national (0241234561); stand-in scenarios by the last
            digit: 1 ok, 2 pending then ok, 3 fails, 4 no answer, 5 no float at the provider
        network (None | RecipientInNetworkType0 | Unset): the network holding the wallet when the number was ported
            (default: detected from the prefix)
    """

    name: str
    phone: str
    network: None | RecipientInNetworkType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        phone = self.phone

        network: None | str | Unset
        if isinstance(self.network, Unset):
            network = UNSET
        elif isinstance(self.network, RecipientInNetworkType0):
            network = self.network.value
        else:
            network = self.network

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "phone": phone,
            }
        )
        if network is not UNSET:
            field_dict["network"] = network

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        phone = d.pop("phone")

        def _parse_network(data: object) -> None | RecipientInNetworkType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                network_type_0 = RecipientInNetworkType0(data)

                return network_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecipientInNetworkType0 | Unset, data)

        network = _parse_network(d.pop("network", UNSET))

        recipient_in = cls(
            name=name,
            phone=phone,
            network=network,
        )

        return recipient_in
