"""The reader of a large generic settlement file (plain tuples) agrees with the validated
ProviderRecord reader: the same records from a good file, a refusal naming the same line from a
bad one."""
from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from payrail.providers.statements import ProviderRecord
from payrail.reconciliation.records import (GENERIC_COLUMNS, Spilled, generic_rows, parse_generic_file, read_spill,
                                            spill_row, SpillWriter, write_generic_file)
from payrail.reconciliation.matcher import iso

DAY = datetime(2026, 3, 1, tzinfo=timezone.utc)

records = st.builds(
    ProviderRecord, provider=st.sampled_from(["cashfree", "safepay"]), kind=st.sampled_from(["transfer", "reversal"]),
    transfer_id=st.one_of(st.none(), st.text("abc_-0123,\"", min_size=1, max_size=12)),
    provider_reference=st.one_of(st.none(), st.text("xyz, 9", min_size=1, max_size=8)),
    amount=st.integers(0, 10**12), currency=st.sampled_from(["INR", "PKR", "GHS"]),
    status=st.sampled_from(["SUCCESS", "FAILED", "PENDING"]),
    booked_at=st.integers(0, 3 * 86_400 * 10**6).map(lambda us: DAY + timedelta(microseconds=us)))


def _plain(r) -> tuple:
    return (r.provider, r.kind, r.transfer_id, r.provider_reference, r.amount, r.currency, r.status, r.booked_at)


@settings(max_examples=60, deadline=None)
@given(st.lists(records, max_size=20))
def test_the_plain_reader_reads_what_the_model_reader_reads(rows):
    out = io.StringIO()
    write_generic_file(rows, out)
    lines = out.getvalue().splitlines(keepends=True)
    plain = list(generic_rows(lines, "cashfree"))
    model = list(parse_generic_file(lines, "cashfree"))
    assert [_plain(r)[:-1] for r in plain] == [_plain(r)[:-1] for r in model]
    # a booking time in payrail's form is kept as its string, the same instant as the model's
    assert [iso(r.booked_at) for r in plain] == [iso(r.booked_at) for r in model]
    assert all(isinstance(r, Spilled) for r in plain)


def test_the_plain_reader_keeps_only_payrail_s_own_form_of_a_booking_time():
    rows = [GENERIC_COLUMNS] + [
        [{"transfer_id": f"po_{n}", "amount": "100", "currency": "INR", "status": "SUCCESS", "booked_at": t}.get(c, "")
         for c in GENERIC_COLUMNS]
        for n, t in enumerate(["2001-01-01T00:00:41.200312Z", "2001-01-01T00:00:41Z", "2001-01-01T00:00:41.200312+00:00",
                                "2001-01-01T05:30:41.200312+05:30"])]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    got = [r.booked_at for r in generic_rows(out.getvalue().splitlines(keepends=True), "cashfree")]
    assert got[0] == "2001-01-01T00:00:41.200312Z"
    assert all(isinstance(t, datetime) for t in got[1:])
    assert [iso(t) for t in got] == ["2001-01-01T00:00:41.200312Z", "2001-01-01T00:00:41.000000Z",
                                     "2001-01-01T00:00:41.200312Z", "2001-01-01T00:00:41.200312Z"]


@settings(max_examples=30, deadline=None)
@given(st.lists(records, max_size=20))
def test_a_spill_round_trips(rows):
    spilled = list(generic_rows(_file(rows), "cashfree")) * 3
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "shard.spill")
        w = SpillWriter(path, batch=max(1, len(spilled) // 4))  # several batches
        for r in spilled:
            w.write(spill_row(r, iso(r.booked_at)))
        w.close()
        assert list(read_spill(path)) == [r._replace(booked_at=iso(r.booked_at)) for r in spilled]


def _file(rows) -> list[str]:
    out = io.StringIO()
    write_generic_file(rows, out)
    return out.getvalue().splitlines(keepends=True)


GOOD = "cashfree,transfer,po_1,cf_1,1000,INR,SUCCESS,2026-03-01T10:00:00.000000Z"


@pytest.mark.parametrize("bad", [
    "cashfree,transfer,po_1,cf_1,10.5,INR,SUCCESS,2026-03-01T10:00:00.000000Z",   # a fraction
    "cashfree,transfer,po_1,cf_1,-1,INR,SUCCESS,2026-03-01T10:00:00.000000Z",     # below 0
    "cashfree,transfer,po_1,cf_1,1000,inr,SUCCESS,2026-03-01T10:00:00.000000Z",   # a currency
    "cashfree,transfer,po_1,cf_1,1000,INR,LOST,2026-03-01T10:00:00.000000Z",      # a status
    "cashfree,refund,po_1,cf_1,1000,INR,SUCCESS,2026-03-01T10:00:00.000000Z",     # a kind
    "cashfree,transfer,po_1,cf_1,1000,INR,SUCCESS,yesterday",                     # a time
    "cashfree,transfer," + "p" * 257 + ",cf_1,1000,INR,SUCCESS,2026-03-01T10:00:00.000000Z",  # a long id
    "cashfree,transfer,po_1,cf_1",                                                # a short row
])
def test_both_readers_refuse_a_bad_row_naming_its_line(bad):
    lines = [",".join(GENERIC_COLUMNS), GOOD, "", bad]
    with pytest.raises(ValueError, match="line 3"):
        list(generic_rows(lines, "cashfree"))
    with pytest.raises((ValueError, AttributeError)):
        list(parse_generic_file(lines, "cashfree"))
    with pytest.raises(ValueError, match="header"):
        list(generic_rows(["transfer_id,amount"], "cashfree"))


texts = st.text("ab_-09,\"\r\n x", min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(tid=texts, ref=st.one_of(st.none(), texts), merchant=texts, amount=st.integers(0, 10**15),
       at=st.sampled_from(["2026-03-01T23:59:58.000000Z", "2026-03-02T00:00:03.250000Z"]))
def test_a_matched_report_line_is_what_the_csv_module_writes_and_reads_back(tid, ref, merchant, amount, at):
    from payrail.reconciliation.matcher import PayrailRecord, Result
    from payrail.reconciliation.model import BreakClass
    from payrail.reconciliation.service import CSV_COLUMNS, _csv_line, _line

    p = PayrailRecord("cashfree", "transfer", tid, merchant, amount, "INR", "captured", at, f"jr_{tid}")
    r = Spilled("cashfree", "transfer", tid, ref, amount, "INR", "SUCCESS", at)
    res = Result(BreakClass.MATCHED, ("transfer", tid), p, r)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([tid, "transfer", "matched", merchant, "captured", amount, "INR", at,
                                                   f"jr_{tid}", "SUCCESS", amount, "INR", ref or "", at])
    line = _line(res)
    assert (line or _csv_line(res)) == _csv_line(res) == out.getvalue()[:-2] + "\n"
    # the csv module's own line is taken only where a value needs quoting
    assert (line is None) == any(c in v for v in (tid, ref or "", merchant) for c in ",\"\r\n")
    back = list(csv.reader(io.StringIO(line or _csv_line(res), newline="")))
    assert back == [[tid, "transfer", "matched", merchant, "captured", str(amount), "INR", at, f"jr_{tid}", "SUCCESS",
                     str(amount), "INR", ref or "", at]]
    assert len(back[0]) == len(CSV_COLUMNS)
