"""EventBridge cron expressions (``minute hour day-of-month month day-of-week year``, UTC).

Supports ``*``, ``?``, numbers, lists (``1,5``), ranges (``1-5``) and steps (``*/15``, ``0-30/10``);
day-of-week 1-7 is SUN-SAT and names SUN..SAT; ``L`` and ``W`` and ``#`` are not supported
(ValueError).
"""
from __future__ import annotations

from datetime import datetime

_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MON = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


def _field(expr: str, lo: int, hi: int, names: dict[str, int]) -> set[int] | None:
    if expr in ("*", "?"):
        return None
    out: set[int] = set()
    for part in expr.split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/")
            step = int(s)
        if part in ("*", "?"):
            a, b = lo, hi
        elif "-" in part:
            a, b = (names.get(x, None) or int(x) for x in part.split("-"))
        else:
            if any(c in part for c in "LW#"):
                raise ValueError(f"unsupported cron token {part!r}")
            a = names.get(part) or int(part)
            b = a if "/" not in expr else hi
        out.update(range(a, b + 1, step))
    return out


def matches(cron: str, t: datetime) -> bool:
    """True when ``t`` (to the minute, UTC) is a firing time of ``cron``."""
    f = cron.split()
    if len(f) != 6:
        raise ValueError("EventBridge cron has 6 fields")
    minute, hour, dom, month, dow, year = (
        _field(f[0], 0, 59, {}), _field(f[1], 0, 23, {}), _field(f[2], 1, 31, {}),
        _field(f[3], 1, 12, _MON), _field(f[4], 1, 7, _DOW), _field(f[5], 1970, 2199, {}))
    eb_dow = (t.isoweekday() % 7) + 1  # Sunday=1
    return all(s is None or v in s for s, v in ((minute, t.minute), (hour, t.hour), (dom, t.day),
                                                (month, t.month), (dow, eb_dow), (year, t.year)))


def scheduled_event(rule_arn: str, t: datetime, region: str = "us-east-1", account: str = "123456789012") -> dict:
    """The event EventBridge sends for a scheduled rule firing at ``t``."""
    import uuid

    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": account, "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [rule_arn], "detail": {}}
