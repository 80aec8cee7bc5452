from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ledger_audit_total_by_currency import LedgerAuditTotalByCurrency


T = TypeVar("T", bound="LedgerAudit")


@_attrs_define
class LedgerAudit:
    """
    Attributes:
        account_mismatches (list[str]): accounts whose balance or count disagrees with their legs
        accounts (int):
        journals (int):
        ok (bool): every check passed
        orphan_postings (list[str]): postings no journal names, or with a wrong balance_after
        postings (int): journal legs
        total_by_currency (LedgerAuditTotalByCurrency): sum of every account's balance per currency (zero)
        unbalanced_journals (list[str]): journals whose postings do not sum to zero
    """

    account_mismatches: list[str]
    accounts: int
    journals: int
    ok: bool
    orphan_postings: list[str]
    postings: int
    total_by_currency: LedgerAuditTotalByCurrency
    unbalanced_journals: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_mismatches = self.account_mismatches

        accounts = self.accounts

        journals = self.journals

        ok = self.ok

        orphan_postings = self.orphan_postings

        postings = self.postings

        total_by_currency = self.total_by_currency.to_dict()

        unbalanced_journals = self.unbalanced_journals

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_mismatches": account_mismatches,
                "accounts": accounts,
                "journals": journals,
                "ok": ok,
                "orphan_postings": orphan_postings,
                "postings": postings,
                "total_by_currency": total_by_currency,
                "unbalanced_journals": unbalanced_journals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ledger_audit_total_by_currency import LedgerAuditTotalByCurrency

        d = dict(src_dict)
        account_mismatches = cast(list[str], d.pop("account_mismatches"))

        accounts = d.pop("accounts")

        journals = d.pop("journals")

        ok = d.pop("ok")

        orphan_postings = cast(list[str], d.pop("orphan_postings"))

        postings = d.pop("postings")

        total_by_currency = LedgerAuditTotalByCurrency.from_dict(
            d.pop("total_by_currency")
        )

        unbalanced_journals = cast(list[str], d.pop("unbalanced_journals"))

        ledger_audit = cls(
            account_mismatches=account_mismatches,
            accounts=accounts,
            journals=journals,
            ok=ok,
            orphan_postings=orphan_postings,
            postings=postings,
            total_by_currency=total_by_currency,
            unbalanced_journals=unbalanced_journals,
        )

        ledger_audit.additional_properties = d
        return ledger_audit

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
