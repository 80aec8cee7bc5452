"""The daily payments report: for one UTC day, per provider and per merchant, counts by outcome,
amounts and fees (minor units, GHS) and the success rate, as two CSV files in the reports bucket:

    settlements/payment-reports/<date>/by_provider.csv   provider,date,currency,payments,confirmed,failed,expired,
                                                         cancelled,refunded,open,amount_confirmed,fees,success_rate
    settlements/payment-reports/<date>/by_merchant.csv   merchant_id,… the same columns

``success_rate`` = confirmed (incl. later refunded) / decided (confirmed, refunded, failed, expired), four
decimals, computed with integers (basis points of a percent would be the same: no floats near money).
Payments are read with a filtered ``Scan`` of the main table (``PaymentRecords.created_on``) (``type = payment`` and the day's
``created_at`` prefix): a daily job over one table; a sparse per-day index is the fix when the
table grows large.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from payrail.core.store import MainTable
from payrail.payments.model import Payment
from payrail.payments.records import PaymentRecords

COLUMNS = ["date", "currency", "payments", "confirmed", "failed", "expired", "cancelled", "refunded", "open",
           "amount_confirmed", "fees", "success_rate"]


@dataclass(frozen=True)
class DailyReport:
    """What :func:`write_daily` wrote: the day, how many payments it counted, the two CSVs' keys."""

    date: str
    payments: int
    keys: list[str]

    def public(self) -> dict:
        return {"date": self.date, "payments": self.payments, "keys": list(self.keys)}


def _rate(ok: int, decided: int) -> str:
    if not decided:
        return ""
    scaled = (ok * 10_000 * 2 + decided) // (2 * decided)  # half up, four decimals
    return f"{scaled // 10_000}.{scaled % 10_000:04d}"


def rows(payments: list[Payment], day: str, key: str) -> list[dict]:
    """The CSV's rows (column -> value) grouped by ``key`` (``provider`` or ``merchant_id``), sorted by it."""
    groups: dict[str, dict] = defaultdict(lambda: {c: 0 for c in COLUMNS if c not in ("date", "currency", "success_rate")})
    for p in payments:
        g = groups[getattr(p, key, None) or "none"]
        g["payments"] += 1
        st = str(p.status).lower()
        if st in ("confirmed", "failed", "expired", "cancelled", "refunded"):
            g[st] += 1
        else:
            g["open"] += 1
        if p.status in ("CONFIRMED", "REFUNDED"):
            g["amount_confirmed"] += int(p.amount)
            g["fees"] += int(getattr(p, "fee", None) or 0)
    out = []
    for name in sorted(groups):
        g = groups[name]
        ok = g["confirmed"] + g["refunded"]
        out.append({key: name, "date": day, "currency": "GHS", **g,
                    "success_rate": _rate(ok, ok + g["failed"] + g["expired"])})
    return out


def to_csv(rows_: list[dict], key: str) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[key] + COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows_)
    return buf.getvalue()


def write_daily(main: MainTable, s3, bucket: str, day: str) -> DailyReport:
    """Write both CSVs for ``day`` (``YYYY-MM-DD``). Idempotent (overwrites)."""
    payments = PaymentRecords(main, None).created_on(day)
    keys = []
    for key, name in (("provider", "by_provider"), ("merchant_id", "by_merchant")):
        k = f"settlements/payment-reports/{day}/{name}.csv"
        s3.put_object(Bucket=bucket, Key=k, Body=to_csv(rows(payments, day, key), key).encode(), ContentType="text/csv")
        keys.append(k)
    return DailyReport(day, len(payments), keys)
