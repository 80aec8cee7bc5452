"""``make bench-reconciliation``: one reconciliation run over ROWS transfers of one provider-day,
end to end (a settlement file put into the inbox → EventBridge → the queue → the reconciliation
function → COMPLETED), against a raw parallel read of the same journals measured in the same run on
the same DynamoDB. Merges its figures into ``bench-report.json``.

1. Seed ROWS payout runs of one provider ending on one UTC day (default 1,000,000) straight into the
   ledger table, as the platform writes their capture and release journals
   (``infra.tools.seed.TransferSeed``: every twentieth released, the last few captured in the day's
   last second), with ``BatchWriteItem`` from a pool of threads.
2. The provider's side as a settlement file of that day in the generic columns (the provider record's
   field names, ``payrail.reconciliation.records.GENERIC_COLUMNS``: what a connector that documents
   no file of its own is read with), each transfer booked one to five seconds after payrail ended it
   (the last ones after midnight), with breaks injected: per 100,000 rows a dropped and a failed
   capture (missing_at_provider), a wrong amount and a wrong currency, a released transfer paid, a
   pending one, a second paid record of one transfer and a record of a transfer payrail never made.
3. Raw read: plain parallel ``Query`` calls of the same key ranges the run reads
   (``payrail.reconciliation.records.key_ranges`` over the 16 shards) with the run's projection,
   from a pool of 16 threads before the run and of 8 after it, each read once by botocore's parser
   and once as plain JSON (as the run reads its journals); the baseline is the fastest of the four.
4. The run: the file is put into ``reconciliation/inbox/<provider>/<day>.csv``; end to end is from
   then to the run's first COMPLETED answer (``GET`` every 0.25 s; its progress must tick).
5. Every injected break must be found exactly once in its class, and nothing else (no false
   positive); the report must hold one row per transfer.
6. Peak worker RSS: the busiest reconciliation invocation's peak resident set size (each
   environment a process of its own locally, ``VmHWM``).
7. The seeded journals are deleted again (unless ``--keep``) and the whole ledger audited.

The last line is ``reconciliation: <rows> rows in <s> s, ratio <x.xx> to raw read, peak worker RSS <MB> MB, breaks <found>/<injected>``.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import boto3
import requests
import typer

from infra.catalog import ROOT
from infra.local import process
from infra.tools.bench_settlement import parse_workers, peak_rss_mb, raw_read, running_cloud
from infra.tools.client import ApiError, Payrail, wait_for
from infra.tools.seed import TransferSeed, delete_transfers, seed_transfers

REPORT = ROOT / "bench-report.json"
#: the breaks injected per 100,000 rows: (kind, row offset, the class it must be found in)
BREAKS = [("drop", 10, "missing_at_provider"), ("fail", 30, "missing_at_provider"), ("amount", 50, "amount_mismatch"),
          ("currency", 70, "currency_mismatch"), ("pay_released", 19, "paid_after_release"),
          ("pending", 90, "status_mismatch"), ("twice", 110, "unknown_to_payrail"),
          ("unknown", 130, "unknown_to_payrail")]
EVERY = 100_000


def provider_file(seed: TransferSeed, path: Path) -> set[tuple[str, str]]:
    """Write the provider's settlement file of ``seed`` with the breaks injected; returns the
    expected ``(transfer_id, class)`` of each injected break."""
    from payrail.reconciliation.records import GENERIC_COLUMNS

    changes, extra, expected = {}, [], set()
    for block in range(max(1, seed.rows // EVERY)):
        for kind, offset, cls in BREAKS:
            i = block * EVERY + offset
            if i >= seed.rows - seed.midnight:
                continue
            tid = seed.payout_id(i)
            changes[i] = kind
            expected.add((f"po_unknown_{block}" if kind == "unknown" else tid, cls))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, GENERIC_COLUMNS, lineterminator="\n")
        w.writeheader()
        for i, r in enumerate(seed.provider_records()):
            kind = changes.get(i)
            if kind == "drop":
                continue
            if kind == "fail":
                r["status"] = "FAILED"
            elif kind == "amount":
                r["amount"] += 1
            elif kind == "currency":
                r["currency"] = "USD"
            elif kind == "pay_released":
                r["status"] = "SUCCESS"
            elif kind == "pending":
                r["status"] = "PENDING"
            elif kind == "twice":
                extra.append(r | {"provider_reference": f"{r['provider_reference']}_again"})
            elif kind == "unknown":
                extra.append(r | {"transfer_id": f"po_unknown_{i // EVERY}", "provider_reference": f"cf_unknown_{i}"})
            w.writerow(r)
        w.writerows(extra)
    return expected


def all_exceptions(admin: Payrail, provider: str) -> list[dict]:
    out, after = [], None
    while True:
        page = admin.reconciliation_exceptions(provider=provider, limit=100,
                                               **({"starting_after": after} if after else {}))
        out += page["data"]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["exception_id"]


def await_run(admin: Payrail, provider: str, day: str, t0: float) -> tuple[dict, float, list[tuple]]:
    """The run the file started, polled to its end: ``(run, seconds since t0, samples)``."""
    run = wait_for(lambda: next((r for r in admin.reconciliations(provider=provider, limit=10)["data"]
                                 if r["trigger"] == "settlement_file" and r["from"] == day), None),
                   timeout=300, interval=0.25, what="the run the settlement file started")
    samples = []
    while True:
        samples.append((time.perf_counter() - t0, run["status"], run["shards_done"], run["shards_total"]))
        if run["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return run, time.perf_counter() - t0, samples
        time.sleep(0.25)
        try:
            run = admin.reconciliation_get(run["run_id"])
        except ApiError as e:
            if e.status < 500:
                raise


cli = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0])


@cli.command()
def main(rows: int = typer.Option(int(os.environ.get("ROWS", 1_000_000)), help="transfers of the provider-day"),
         day: str = typer.Option("2001-01-01", help="the UTC day seeded and reconciled (must hold no transfers)"),
         provider: str = typer.Option("cashfree", help="the provider whose day it is"),
         seed_threads: int = typer.Option(8, help="threads seeding with BatchWriteItem"),
         raw_workers: str = typer.Option("16,8", help="thread pools of the raw read, comma-separated: the first "
                                         "reads before the run, the others after it; the fastest is the baseline"),
         use_running: bool = typer.Option(False, "--use-running", help="use the running cloud of --data-dir"),
         data_dir: Path = typer.Option(ROOT / ".local", help="with --use-running (`make up`'s default)"),
         keep: bool = typer.Option(False, "--keep", help="leave the seeded journals (no ledger audit then)")) -> None:
    """Run the bench (module docstring); exit status 0 when every break is found once and nothing else."""
    workers = parse_workers(raw_workers)
    raise typer.Exit(run(SimpleNamespace(rows=rows, day=day, provider=provider, seed_threads=seed_threads,
                                         raw_workers=workers, use_running=use_running, data_dir=data_dir, keep=keep)))


def run(a: SimpleNamespace) -> int:
    """The bench with ``main``'s options as attributes of ``a``; returns the exit status."""
    from payrail.core.ledger import Ledger, audit
    from payrail.reconciliation.matcher import Window
    from payrail.reconciliation.records import key_ranges
    from payrail.reconciliation.service import inbox_key

    load0 = os.getloadavg()
    running, ok = running_cloud(a)
    if not ok:
        return 2
    print(f"reconciliation bench: {a.rows:,} transfers of {a.provider} on {a.day}, {os.cpu_count()} cores "
          f"(load average {load0[0]:.1f} at start)", flush=True)
    with nullcontext(running) if running else process.local_cloud(ROOT / ".local" / "bench-reconciliation") as desc:
        os.environ.update(desc["client_env"])
        ledger = Ledger(desc["tables"]["ledger"])
        seed = TransferSeed(a.day, a.rows, provider=a.provider)
        if ledger.settlement_day_estimate(a.day, partition=f"R#{a.provider}#{a.day}#000"):
            print(f"{a.day} already holds {a.provider} transfers in this ledger; pick another --day", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        step = max(a.rows // 10, 1)
        seed_transfers(ledger, seed, a.seed_threads,
                       progress=lambda n: n % step < 1000 and print(f"    seeded {n:,}", flush=True))
        seeded_s = time.perf_counter() - t0
        print(f"  seeded in {seeded_s:.1f} s ({a.rows / seeded_s:,.0f} rows/s)", flush=True)

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "settlement.csv"
            expected = provider_file(seed, path)
            size = path.stat().st_size
            print(f"  the provider's settlement file: {size / 2**20:.1f} MiB, {len(expected)} breaks injected",
                  flush=True)

            start = datetime.combine(date.fromisoformat(a.day), dtime(), timezone.utc)
            grace = int(desc.get("function_env", {}).get("RECONCILIATION_GRACE_SECONDS", 900))
            window = Window(start, start + timedelta(days=1), grace)
            queries = [ledger.reconciliation_query(a.provider, d, s, lo, hi)
                       for s in range(ledger.shards) for d, lo, hi in key_ranges(ledger, a.provider, window)]
            raws = {}

            def raw(workers: int) -> None:
                # botocore's reader and the plain-JSON one the run uses: the faster is the baseline
                for plain in (False, True):
                    got = raws[workers, plain] = raw_read(queries, workers, plain=plain)
                    print(f"  raw read of the same {len(queries)} key ranges, {workers} threads, "
                          f"{'plain JSON' if plain else 'botocore'}: {got[0]:,} rows in {got[1]:.1f} s "
                          f"({got[0] / got[1]:,.0f} rows/s)", flush=True)

            raw(a.raw_workers[0])
            admin = Payrail(desc["api_url"], admin_token=desc["admin_token"])
            s3 = boto3.client("s3")
            t_up = time.perf_counter()
            s3.upload_file(str(path), desc["bucket"], inbox_key(a.provider, a.day))
            t0 = time.perf_counter()
            print(f"  put into the inbox in {t0 - t_up:.1f} s", flush=True)
            result, elapsed, samples = await_run(admin, a.provider, a.day, t0)
        ticks = sorted({s[2] for s in samples if s[1] == "RUNNING" and 0 < s[2] < s[3]})
        at = {h["status"]: datetime.fromisoformat(h["at"].replace("Z", "+00:00")) for h in result["status_history"]}
        phase = {"queued_s": (at["RUNNING"] - at["QUEUED"]).total_seconds() if "RUNNING" in at else None,
                 "running_s": (at[result["status"]] - at["RUNNING"]).total_seconds() if "RUNNING" in at else None}
        print(f"  run {result['run_id']}: {' -> '.join(h['status'] for h in result['status_history'])}, "
              f"{len(samples)} progress samples, {len(ticks)} distinct values between 0 and 1; counts "
              f"{result.get('counts')}; queued {phase['queued_s']} s (the file's event to its worker), running "
              f"{phase['running_s']} s", flush=True)
        for workers in a.raw_workers[1:]:
            raw(workers)
        raw_rows, raw_s = min(raws.values(), key=lambda r: r[1])
        ratio = elapsed / raw_s
        print(f"  end to end {elapsed:.1f} s ({a.rows / elapsed:,.0f} rows/s): ratio {ratio:.2f} to the faster raw "
              f"read ({raw_s:.1f} s, {raw_rows:,} rows)", flush=True)

        found = {(e["transfer_id"], e["class"]) for e in all_exceptions(admin, a.provider)
                 if e["run_id"] == result["run_id"]}
        hits, false_positives = found & expected, found - expected
        report_rows = None
        if result["status"] == "COMPLETED":
            with requests.get(result["download_url"], stream=True, timeout=300) as r:
                report_rows = sum(1 for _ in r.iter_lines()) - 1
        rows_ok = report_rows == a.rows + sum(1 for k, _, _ in BREAKS if k in ("twice", "unknown")) * max(
            1, a.rows // EVERY)
        print(f"  breaks found {len(hits)}/{len(expected)}, false positives {len(false_positives)} "
              f"{sorted(false_positives)[:5]}; report rows {report_rows} ({'ok' if rows_ok else 'MISMATCH'})",
              flush=True)
        rss = peak_rss_mb(desc, "reconciliation")
        print(f"  peak worker RSS: {rss} MB (busiest reconciliation invocation; its own process, VmHWM)", flush=True)

        audit_ok = None
        if not a.keep:
            t0 = time.perf_counter()
            delete_transfers(ledger, seed, a.seed_threads)
            rep = audit(ledger)
            audit_ok = rep["ok"]
            print(f"  deleted the seeded journals in {time.perf_counter() - t0:.1f} s; ledger audit "
                  f"{'ok' if audit_ok else rep}", flush=True)
    load1 = os.getloadavg()
    figures = {"machine": {"cores": os.cpu_count(), "load_average_start": load0[0], "load_average_end": load1[0]},
               "rows": a.rows, "day": a.day, "provider": a.provider, "seed_rows_per_s": a.rows / seeded_s,
               "file_mib": size / 2**20, "raw_read_s": {f"{w} {'plain' if p else 'botocore'}": r[1] for (w, p), r in raws.items()},
               "raw_read_rows": raw_rows, "end_to_end_s": elapsed, "rows_per_s": a.rows / elapsed,
               "ratio_to_raw_read": ratio, "phases_s": phase, "status": result["status"], "counts": result.get("counts"),
               "progress_ticks": len(ticks), "peak_worker_rss_mb": rss, "breaks_injected": len(expected),
               "breaks_found": len(hits), "false_positives": len(false_positives), "report_rows_ok": rows_ok,
               "ledger_audit_ok": audit_ok}
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report["reconciliation"] = figures
    REPORT.write_text(json.dumps(report, indent=2))
    print(f"  report: {REPORT} (load average {load1[0]:.1f} at the end)")
    print(f"reconciliation: {a.rows} rows in {elapsed:.1f} s, ratio {ratio:.2f} to raw read, peak worker RSS "
          f"{round(rss or 0)} MB, breaks {len(hits)}/{len(expected)}")
    ok = result["status"] == "COMPLETED" and hits == expected and not false_positives and rows_ok
    return 0 if ok and audit_ok is not False else 1


if __name__ == "__main__":
    cli()
