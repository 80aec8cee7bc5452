"""The reconciliation matcher: every transfer in exactly one class, every injected break found
once in its class, nothing on a clean day (also when the day's transfers straddle midnight), and
consecutive windows reporting each transfer once between them."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from payrail.providers.connectors.base import ProviderStatus, TransferResult
from payrail.providers.statements import ProviderBalance, ProviderRecord
from payrail.reconciliation.matcher import (PayrailRecord, Window, carry_over, classify, defer, float_drift, iso,
                                            match)
from payrail.reconciliation.model import BREAKS, BreakClass as C
from payrail.reconciliation.records import candidate_journals, days, from_status

DAY = datetime(2026, 3, 1, tzinfo=timezone.utc)
GRACE = 600
W = Window(DAY, DAY + timedelta(days=1), GRACE)


def mine(tid: str, at: datetime, outcome: str = "captured", amount: int = 1000, kind: str = "transfer",
         currency: str = "PKR") -> PayrailRecord:
    return PayrailRecord("cashfree", kind, tid, "m_1", amount, currency, outcome, iso(at), f"{tid}:x")


def theirs(tid: str | None, at: datetime, status: str = "SUCCESS", amount: int = 1000, kind: str = "transfer",
           currency: str = "PKR", ref: str | None = None) -> ProviderRecord:
    return ProviderRecord(provider="cashfree", kind=kind, transfer_id=tid, amount=amount, currency=currency,
                          status=status, booked_at=at, provider_reference=ref)


def classes(results) -> dict:
    return {r.key: r.cls for r in results}


# ---- the table -----------------------------------------------------------------------------------
@pytest.mark.parametrize("outcome,status,expected", [
    ("captured", "SUCCESS", C.MATCHED), ("captured", "FAILED", C.MISSING_AT_PROVIDER),
    ("captured", "PENDING", C.STATUS_MISMATCH), ("captured", None, C.MISSING_AT_PROVIDER),
    ("released", "SUCCESS", C.PAID_AFTER_RELEASE), ("released", "FAILED", C.MATCHED),
    ("released", "PENDING", C.STATUS_MISMATCH), ("released", None, C.MATCHED),
    ("held", "SUCCESS", C.STATUS_MISMATCH), ("held", "FAILED", C.STATUS_MISMATCH),
    ("held", "PENDING", C.MATCHED), ("held", None, C.STATUS_MISMATCH),
    ("reversed", "SUCCESS", C.MATCHED), ("reversed", "FAILED", C.MISSING_AT_PROVIDER),
    (None, "SUCCESS", C.UNKNOWN_TO_PAYRAIL), (None, "PENDING", C.UNKNOWN_TO_PAYRAIL), (None, "FAILED", C.MATCHED),
])
def test_classify_table(outcome, status, expected):
    p = mine("t", DAY, outcome) if outcome else None
    r = theirs("t", DAY, status) if status else None
    assert classify(p, r) == expected


def test_currency_is_compared_before_amount():
    p = mine("t", DAY)
    assert classify(p, theirs("t", DAY, amount=999)) == C.AMOUNT_MISMATCH
    assert classify(p, theirs("t", DAY, amount=999, currency="INR")) == C.CURRENCY_MISMATCH
    with pytest.raises(ValueError):
        classify(None, None)


# ---- streams -------------------------------------------------------------------------------------
def test_across_midnight_within_the_grace_is_matched_and_reported_by_one_day():
    late = DAY + timedelta(days=1) - timedelta(seconds=2)   # 23:59:58
    booked = DAY + timedelta(days=1, seconds=3)              # 00:00:03 the next day
    p, r = mine("t1", late), theirs("t1", booked)
    today = list(match([p], [r], W))
    tomorrow = list(match([p], [r], Window(W.end, W.end + timedelta(days=1), GRACE)))
    assert [x.cls for x in today] == [C.MATCHED]
    assert tomorrow == []


def test_a_second_paid_record_of_one_run_is_unknown_to_payrail():
    t = DAY + timedelta(hours=3)
    out = list(match([mine("t1", t)], [theirs("t1", t, ref="a"), theirs("t1", t, ref="b")], W))
    assert sorted(x.cls for x in out) == [C.MATCHED, C.UNKNOWN_TO_PAYRAIL]


def test_a_failed_attempt_beside_the_paid_one_is_no_break():
    t = DAY + timedelta(hours=3)
    out = list(match([mine("t1", t)], [theirs("t1", t, "FAILED"), theirs("t1", t + timedelta(minutes=1))], W))
    assert [x.cls for x in out] == [C.MATCHED]


def test_records_without_a_transfer_id_are_unknown_when_paid():
    t = DAY + timedelta(hours=3)
    out = list(match([], [theirs(None, t), theirs(None, t, "FAILED")], W))
    assert sorted(x.cls for x in out) == [C.MATCHED, C.UNKNOWN_TO_PAYRAIL]


def test_a_reversal_is_its_own_key():
    t = DAY + timedelta(hours=3)
    out = list(match([mine("t1", t), mine("t1-refund", t, "reversed", kind="reversal")],
                     [theirs("t1", t), theirs("t1-refund", t, kind="reversal", status="FAILED")], W))
    assert classes(out) == {("transfer", "t1"): C.MATCHED, ("reversal", "t1-refund"): C.MISSING_AT_PROVIDER}


def test_float_drift():
    b = ProviderBalance(provider="mtn_momo", amount=10_500, currency="GHS", at=DAY)
    assert float_drift(b, 10_500, "GHS") == 0
    assert float_drift(b, 10_000, "GHS") == 500
    with pytest.raises(ValueError):
        float_drift(b, 1, "EUR")


# ---- properties ----------------------------------------------------------------------------------
BREAK_KINDS = ["drop", "fail", "amount", "currency", "pay_released", "pending", "twice", "unknown"]


@st.composite
def days_of_transfers(draw):
    """A clean day of transfers, some across midnight (within the grace), and breaks injected
    into chosen ones: ``(payrail, provider, expected breaks {key: class})``."""
    n = draw(st.integers(min_value=1, max_value=60))
    payrail, provider, expected = [], [], {}
    for i in range(n):
        tid = f"po_{i:04d}"
        secs = draw(st.integers(min_value=0, max_value=86_399))
        at = DAY + timedelta(seconds=secs)
        lag = draw(st.integers(min_value=-GRACE + 1, max_value=GRACE - 1))
        booked = at + timedelta(seconds=lag)
        amount = draw(st.integers(min_value=1, max_value=10**9))
        released = draw(st.booleans())
        p = mine(tid, at, "released" if released else "captured", amount)
        r = theirs(tid, booked, "FAILED" if released else "SUCCESS", amount)
        brk = draw(st.sampled_from([None] * 4 + BREAK_KINDS))
        if brk == "drop" and not released:
            r, expected[p.key] = None, C.MISSING_AT_PROVIDER
        elif brk == "fail" and not released:
            r, expected[p.key] = r.model_copy(update={"status": "FAILED"}), C.MISSING_AT_PROVIDER
        elif brk == "amount" and not released:
            r, expected[p.key] = r.model_copy(update={"amount": amount + 1}), C.AMOUNT_MISMATCH
        elif brk == "currency" and not released:
            r, expected[p.key] = r.model_copy(update={"currency": "INR"}), C.CURRENCY_MISMATCH
        elif brk == "pay_released" and released:
            r, expected[p.key] = r.model_copy(update={"status": "SUCCESS"}), C.PAID_AFTER_RELEASE
        elif brk == "pending":
            r, expected[p.key] = r.model_copy(update={"status": "PENDING"}), C.STATUS_MISMATCH
        elif brk == "twice" and not released:
            provider.append(r.model_copy(update={"provider_reference": "dup"}))
            expected[p.key] = C.UNKNOWN_TO_PAYRAIL  # one of the two paid records, the other matched
        elif brk == "unknown":
            provider.append(theirs(f"zz_{i}", DAY + timedelta(seconds=secs)))
            expected[("transfer", f"zz_{i}")] = C.UNKNOWN_TO_PAYRAIL
        payrail.append(p)
        if r is not None:
            provider.append(r)
    return payrail, provider, expected


@settings(max_examples=150, deadline=None)
@given(days_of_transfers(), st.randoms(use_true_random=False))
def test_every_break_found_once_in_its_class_and_nothing_else(day, rnd):
    payrail, provider, expected = day
    rnd.shuffle(provider)
    out = list(match(payrail, provider, W))
    found = Counter()
    for res in out:
        if res.cls != C.MATCHED:
            found[(res.key, res.cls)] += 1
    assert found == Counter({(k, c): 1 for k, c in expected.items()})
    # one row per transfer (a second paid record adds one)
    dups = {(r.kind, r.transfer_id) for r in provider if r.provider_reference == "dup"}
    per_key = Counter(r.key for r in out)
    assert per_key == Counter({k: 2 if k in dups else 1 for k in {p.key for p in payrail} | set(expected)})


@settings(max_examples=100, deadline=None)
@given(days_of_transfers())
def test_a_clean_day_has_no_break(day):
    payrail, provider, expected = day
    clean_payrail = [p for p in payrail if p.key not in expected]  # the transfers given no break
    clean_keys = {p.key for p in clean_payrail}
    clean_provider = [r for r in provider if (r.kind, r.transfer_id) in clean_keys and r.provider_reference != "dup"]
    assert {r.cls for r in match(clean_payrail, clean_provider, W)} <= {C.MATCHED}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3 * 86_400 - 1), st.integers(-GRACE + 1, GRACE - 1)), max_size=50))
def test_consecutive_windows_report_each_transfer_once(times):
    payrail = [mine(f"t{i}", DAY + timedelta(seconds=s)) for i, (s, _) in enumerate(times)]
    provider = [theirs(f"t{i}", DAY + timedelta(seconds=s + lag)) for i, (s, lag) in enumerate(times)]
    seen = Counter()
    for d in range(3):
        w = Window(DAY + timedelta(days=d), DAY + timedelta(days=d + 1), GRACE)
        read_p = [p for p in payrail if w.reads(p.at)]
        read_r = [r for r in provider if w.reads(iso(r.booked_at))]
        for res in match(read_p, read_r, w):
            assert res.cls == C.MATCHED
            seen[res.key] += 1
    assert seen == Counter({p.key: 1 for p in payrail})


# ---- the status_lookup adapter and journal ids ------------------------------------------------------
def test_status_lookup_record():
    p = mine("po_1", DAY)
    assert from_status(p, TransferResult(transfer_id="po_1", status=ProviderStatus.NOT_FOUND), DAY) is None
    r = from_status(p, TransferResult(transfer_id="po_1", status=ProviderStatus.ON_HOLD, reason="kyc"), DAY)
    assert (r.status, r.amount, r.currency) == ("PENDING", 1000, "PKR")
    r = from_status(p, TransferResult(transfer_id="po_1", status=ProviderStatus.SUCCESS, amount=900), DAY)
    assert (r.status, r.amount, r.transfer_id) == ("SUCCESS", 900, "po_1")
    assert classify(p, r) == C.AMOUNT_MISMATCH


def test_candidate_journals_follow_the_writers():
    assert candidate_journals("transfer", "po_ab") == (["po_ab:capture", "po_ab:release"], "po_ab:hold")
    assert candidate_journals("transfer", "po_ab_r2") == (["po_ab:r2:capture", "po_ab:r2:release"], "po_ab:r2:hold")
    u = "0b5c3f6e-2f7a-5e43-9a0c-1d2e3f4a5b6c"
    ending, hold = candidate_journals("transfer", f"{u}-1")
    assert ending[:2] == [f"pay:{u}:capture", f"pay:{u}:release"] and hold == f"pay:{u}:hold"
    assert candidate_journals("reversal", f"{u}-refund") == ([f"pay:{u}:refund"], None)


def test_days_read_include_the_grace():
    assert days(W) == ["2026-02-28", "2026-03-01", "2026-03-02"]
    assert days(Window(DAY, DAY + timedelta(days=1), 0)) == ["2026-03-01"]


def test_the_generic_settlement_file_round_trips_and_names_a_bad_line():
    import io

    from payrail.reconciliation.records import parse_generic_file, write_generic_file

    rows = [theirs("po_1", DAY), theirs(None, DAY + timedelta(hours=1), "FAILED", ref="x9"),
            theirs("pay-refund", DAY, kind="reversal", currency="GHS")]
    out = io.StringIO()
    write_generic_file(rows, out)
    assert list(parse_generic_file(out.getvalue().splitlines(), "cashfree")) == rows
    bad = out.getvalue().splitlines()
    bad[2] = bad[2].replace("FAILED", "LOST")
    with pytest.raises(ValueError, match="line 3"):
        list(parse_generic_file(bad, "cashfree"))
    with pytest.raises(ValueError, match="header"):
        list(parse_generic_file(["transfer_id,amount"], "cashfree"))


# ---- next-day bookings (settlement files) --------------------------------------------------------
def test_a_late_transfer_the_day_does_not_hold_is_deferred_then_classified_by_the_next_day():
    end, hour = W.end, timedelta(hours=1)
    late, early = mine("late", end - timedelta(minutes=20)), mine("early", end - 2 * hour)
    gone = mine("gone", end - timedelta(seconds=2))
    since, cutoff = iso(end - hour), iso(end)
    today = [defer(r, since, cutoff) for r in match([late, early, gone], [], W)]
    assert classes(today) == {late.key: C.DEFERRED, early.key: C.MISSING_AT_PROVIDER, gone.key: C.DEFERRED}
    assert C.DEFERRED not in BREAKS and C.MATCHED not in BREAKS
    # nothing is deferred where the range is empty (the next day's file is in)
    assert {defer(r, cutoff, cutoff).cls for r in match([late, gone], [], W)} == {C.MISSING_AT_PROVIDER}
    # a record of another status is the table's class, never deferred
    assert [defer(r, since, cutoff).cls for r in match([late], [theirs("late", end - hour, "FAILED")], W)] == [
        C.MISSING_AT_PROVIDER]

    # the next day: its file books the late one after midnight, holds no record of the other
    booked = theirs("late", end + timedelta(minutes=40))
    tomorrow = list(carry_over([late, gone], [booked]))
    assert [(r.key, r.cls, r.provider) for r in tomorrow] == [
        (late.key, C.MATCHED, booked), (gone.key, C.MISSING_AT_PROVIDER, None)]
    twice = list(carry_over([late], [booked, theirs("late", end + hour, ref="again")]))
    assert [r.cls for r in twice] == [C.MATCHED, C.UNKNOWN_TO_PAYRAIL]
    assert [r.cls for r in carry_over([late], [theirs("late", end, amount=1)])] == [C.AMOUNT_MISMATCH]


def test_payrail_side_is_streamed_not_held():
    """Each of payrail's transfers is decided as it comes: the first result is out before the
    second transfer is read (so a shard of payrail's side is never held whole)."""
    t = DAY + timedelta(hours=3)
    read = []

    def payrail():
        for i in range(3):
            read.append(i)
            yield mine(f"t{i}", t)
    out = match(payrail(), [theirs(f"t{i}", t) for i in range(3)], W)
    first = next(out)
    assert (first.key, first.cls, read) == (("transfer", "t0"), C.MATCHED, [0])
    assert [r.cls for r in out] == [C.MATCHED, C.MATCHED] and read == [0, 1, 2]
