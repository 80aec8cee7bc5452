from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.saved_beneficiary_status import SavedBeneficiaryStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.beneficiary import Beneficiary
    from ..models.beneficiary_verification import BeneficiaryVerification
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="SavedBeneficiary")


@_attrs_define
class SavedBeneficiary:
    """
    Attributes:
        beneficiary_id (str):
        created_at (str):
        details (Beneficiary):
        merchant_id (str):
        status (SavedBeneficiaryStatus):
        status_history (list[StatusChange]):
        updated_at (str):
        verification (BeneficiaryVerification):
        nickname (None | str | Unset):
    """

    beneficiary_id: str
    created_at: str
    details: Beneficiary
    merchant_id: str
    status: SavedBeneficiaryStatus
    status_history: list[StatusChange]
    updated_at: str
    verification: BeneficiaryVerification
    nickname: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        beneficiary_id = self.beneficiary_id

        created_at = self.created_at

        details = self.details.to_dict()

        merchant_id = self.merchant_id

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        updated_at = self.updated_at

        verification = self.verification.to_dict()

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "beneficiary_id": beneficiary_id,
                "created_at": created_at,
                "details": details,
                "merchant_id": merchant_id,
                "status": status,
                "status_history": status_history,
                "updated_at": updated_at,
                "verification": verification,
            }
        )
        if nickname is not UNSET:
            field_dict["nickname"] = nickname

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.beneficiary import Beneficiary
        from ..models.beneficiary_verification import BeneficiaryVerification
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        beneficiary_id = d.pop("beneficiary_id")

        created_at = d.pop("created_at")

        details = Beneficiary.from_dict(d.pop("details"))

        merchant_id = d.pop("merchant_id")

        status = SavedBeneficiaryStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        updated_at = d.pop("updated_at")

        verification = BeneficiaryVerification.from_dict(d.pop("verification"))

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        saved_beneficiary = cls(
            beneficiary_id=beneficiary_id,
            created_at=created_at,
            details=details,
            merchant_id=merchant_id,
            status=status,
            status_history=status_history,
            updated_at=updated_at,
            verification=verification,
            nickname=nickname,
        )

        saved_beneficiary.additional_properties = d
        return saved_beneficiary

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
