"""The Pakistani payout directory: 14 banks and 4 wallets, each with its short code
and the 4-letter bank code that appears in its IBANs (``PKkk BBBB nnnnnnnnnnnnnnnn``).

payrail's payout requirements name the banks only as "14 Pakistani banks (HBL, UBL, MCB, etc.)" and the wallets
Easypaisa, JazzCash, SadaPay and NayaPay, with no IBAN codes. The 14 banks below are the
largest scheduled banks (HBL, UBL, MCB first, as the requirements list them), and the IBAN bank codes
are the real ones those institutions use (State Bank of Pakistan IBAN scheme); the wallets'
codes are those of the institutions that hold their accounts (Easypaisa: Telenor Microfinance
Bank; JazzCash: Mobilink Microfinance Bank). The selection is payrail's, not the requirements'.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from payrail.providers.connectors.base import DirectoryEntry


@dataclass(frozen=True)
class Institution:
    """A directory entry: ``code`` (payrail's short code), display ``name``, ``iban_code`` (the
    4-letter bank code in the institution's IBANs) and ``kind``."""

    code: str
    name: str
    iban_code: str
    kind: Literal["bank", "wallet"]


BANKS: tuple[Institution, ...] = tuple(Institution(code, name, iban, "bank") for code, name, iban in (
    ("HBL", "Habib Bank Limited", "HABB"),
    ("UBL", "United Bank Limited", "UNIL"),
    ("MCB", "MCB Bank Limited", "MUCB"),
    ("ABL", "Allied Bank Limited", "ABPA"),
    ("NBP", "National Bank of Pakistan", "NBPA"),
    ("BAFL", "Bank Alfalah", "ALFH"),
    ("MEZN", "Meezan Bank", "MEZN"),
    ("AKBL", "Askari Bank", "ASCM"),
    ("BAHL", "Bank Al Habib", "BAHL"),
    ("FBL", "Faysal Bank", "FAYS"),
    ("HMB", "Habib Metropolitan Bank", "MPBL"),
    ("SCB", "Standard Chartered Bank (Pakistan)", "SCBL"),
    ("JSBL", "JS Bank", "JSBL"),
    ("SNBL", "Soneri Bank", "SONE"),
))

WALLETS: tuple[Institution, ...] = tuple(Institution(code, name, iban, "wallet") for code, name, iban in (
    ("EASYPAISA", "Easypaisa", "TMFB"),
    ("JAZZCASH", "JazzCash", "JCMA"),
    ("SADAPAY", "SadaPay", "SADA"),
    ("NAYAPAY", "NayaPay", "NAYA"),
))

#: the directory as the registry shows it
DIRECTORY = tuple(DirectoryEntry(code=i.code, name=i.name, kind=i.kind, country="PK", currency="PKR",
                                 rail="bank_account" if i.kind == "bank" else "mobile_wallet", iban_code=i.iban_code)
                  for i in BANKS + WALLETS)

BY_CODE: dict[str, Institution] = {i.code: i for i in BANKS + WALLETS}
BY_IBAN_CODE: dict[str, Institution] = {i.iban_code: i for i in BANKS + WALLETS}
