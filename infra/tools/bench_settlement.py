"""``make bench-settlement``: one settlement over ROWS capture journals of one UTC day, end to end
through the API and the state machine, against a raw parallel read of the same rows measured in
the same run on the same DynamoDB. Merges its figures into ``bench-report.json``.

1. Seed ROWS capture journals (default 1,000,000) over many merchants straight into the ledger
   table, in the platform's own item shape (``infra.tools.seed``), with ``BatchWriteItem`` from a
   pool of threads; the seeder keeps the direct sum per merchant, day and currency.
2. Raw read: plain parallel ``Query`` calls of the day's index partitions with the projection the
   settlement reads, cut into the same key ranges as the settlement's slices
   (``payrail.settlement.service.plan_slices``; checked against the job's manifest), from a pool of 16
   threads just before the settlement and of 8 just after it (so a change in the machine's load
   during the run hits both sides); the baseline is the faster. One whole partition is also read in
   one Query stream before the settlement (for at most a minute), which shows why the ranges
   matter on DynamoDB Local: it re-reads the rest of a key range for every 1 MB page, so its
   first pages are much slower than its last and a whole-partition read slows with the square of
   the partition (uncut, the raw read of 1,000,000 rows would take many minutes).
3. Settlement: ``POST /v1/admin/settlements`` for the day, then ``GET`` every 0.25 s until it is
   COMPLETED (the progress samples must tick). End to end is the POST to the first COMPLETED answer.
   Its phases come from the execution's history: Plan, the Map of slices (and the mean duration
   of one slice's invocation), Finalize.
4. The CSV (downloaded from the link) must equal the direct sum row by row, and the job's totals
   the sum of all rows.
5. Peak worker RSS: the busiest settlement invocation's peak resident set size, measured by the
   local runtime, which runs each settlement execution environment in a process of its own
   (``infra.local.environments``: ``VmHWM`` after the invocation, reset before it): the figure
   Lambda reports as "Max Memory Used", interpreter and imports included.
6. A second settlement of the day is cancelled once some slices finished: it must end CANCELLED
   with no download link and no CSV object.
7. The seeded journals are deleted again (unless ``--keep``) and the whole ledger audited
   (``payrail.core.ledger.audit``): the seeded journals carry no postings or balances, so the audit
   runs once they are gone. The default cloud is the bench's own and is discarded afterwards.

The last line is ``settlement: <rows> rows in <s> s, ratio <x.xx> to raw read, peak worker RSS <MB> MB, csv <ok|MISMATCH>``.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import boto3
import requests
import typer
from botocore.config import Config

from infra.catalog import ROOT
from infra.local import process
from infra.tools.client import ApiError, Payrail, wait_for
from infra.tools.seed import Seed, delete_captures, direct_sum, seed_captures
from payrail.settlement.service import plan_slices

REPORT = ROOT / "bench-report.json"


def _count(db, kw: dict) -> int:
    """Items of one Query, paginated to its end (the raw read's unit of work)."""
    n = 0
    while True:
        r = db.query(**kw)
        n += len(r["Items"])
        if "LastEvaluatedKey" not in r:
            return n
        kw = kw | {"ExclusiveStartKey": r["LastEvaluatedKey"]}


def page_stream(db, kw: dict, limit_s: float) -> tuple[int, list[float]]:
    """Read one Query page by page for at most ``limit_s``: ``(items, seconds of each page)``."""
    n, pages = 0, []
    t_end = time.perf_counter() + limit_s
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        r = db.query(**kw)
        pages.append(time.perf_counter() - t0)
        n += len(r["Items"])
        if "LastEvaluatedKey" not in r:
            break
        kw = kw | {"ExclusiveStartKey": r["LastEvaluatedKey"]}
    return n, pages


def phases(execution_arn: str) -> dict:
    """Seconds of the execution's Plan, Map of slices and Finalize (entered to exited), and the
    mean seconds of one slice's task, from its history."""
    sfn = boto3.client("stepfunctions")
    events, kw = [], {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        r = sfn.get_execution_history(**kw)
        events += r["events"]
        if not r.get("nextToken"):
            break
        kw["nextToken"] = r["nextToken"]
    entered: dict[str, list[float]] = defaultdict(list)
    exited: dict[str, list[float]] = defaultdict(list)
    for e in events:
        for details, times in (("stateEnteredEventDetails", entered), ("stateExitedEventDetails", exited)):
            if details in e:
                times[e[details]["name"]].append(e["timestamp"].timestamp())
    span = lambda name: max(exited[name]) - min(entered[name]) if exited.get(name) else None  # noqa: E731
    n = len(exited.get("Aggregate", ()))  # a slice's task enters and exits once: the mean needs only the sums
    mean = (sum(exited["Aggregate"]) - sum(entered["Aggregate"])) / n if n else None
    return {"plan_s": span("Plan"), "map_s": span("Slices") or span("SlicesFromManifest"),
            "finalize_s": span("Finalize"), "slice_task_mean_s": mean}


def _warm(_) -> None:
    time.sleep(0.2)  # every worker gets one: all are started before the clock


def raw_read(queries: list[dict], workers: int, plain: bool = False) -> tuple[int, float]:
    """Run ``queries`` (paginated to their end) from a pool of ``workers`` threads, started
    before the clock starts; ``(items, seconds)``. ``plain``: the answers read as plain JSON
    (:func:`payrail.core.ddb.plain_query_answer`, as the reconciliation reads its journals)
    instead of by botocore's shape walk."""
    from payrail.core import ddb

    db = boto3.client("dynamodb", config=Config(max_pool_connections=workers + 4))
    if plain:
        db.meta.events.register("before-parse.dynamodb.Query", ddb.plain_query_answer, unique_id="bench-plain-query")
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(_warm, range(workers * 2)))
        t0 = time.perf_counter()
        n = sum(pool.map(partial(_count, db), queries))
        return n, time.perf_counter() - t0


def run_settlement(admin: Payrail, day: str, on_sample=None) -> tuple[dict, float, list[tuple]]:
    """Start a settlement of ``day`` and poll it to its end: ``(job, seconds, samples)`` where a
    sample is ``(t, status, slices_done, slices_total)``; ``on_sample(job)`` may stop the polling
    early by returning True."""
    from infra.cli import progress

    samples = []
    t0 = time.perf_counter()
    job = admin.admin_settlement(day, day)
    with progress.bar("slices", transient=True) as bar:  # the bar of `payrail settlement start --watch`
        task = bar.add_task(job["job_id"], total=max(job["slices_total"], 1))
        while True:
            samples.append((time.perf_counter() - t0, job["status"], job["slices_done"], job["slices_total"]))
            bar.update(task, total=max(job["slices_total"], 1), completed=job["slices_done"],
                       description=f"{job['job_id']} {job['status']}")
            if job["status"] in ("COMPLETED", "FAILED", "CANCELLED") or (on_sample and on_sample(job)):
                return job, time.perf_counter() - t0, samples
            time.sleep(0.25)
            try:
                job = admin.admin_settlement_get(job["job_id"])
            except ApiError as e:  # a poll answered 5xx (the API function timed out): the job is unaffected
                if e.status < 500:
                    raise
                print(f"    a progress poll answered {e.status} at {time.perf_counter() - t0:.0f} s; polling on",
                      flush=True)


def check_csv(url: str, expected: dict) -> tuple[bool, int, dict]:
    """Stream the CSV and compare it with the direct sum: ``(equal, rows, totals)``."""
    got: dict[tuple, list[int]] = {}
    totals = {"gross": 0, "fee": 0, "net": 0, "txn_count": 0}
    with requests.get(url, stream=True, timeout=120) as r:
        r.raise_for_status()
        for row in csv.DictReader(r.iter_lines(decode_unicode=True)):
            g, f, c = int(row["gross"]), int(row["fee"]), int(row["txn_count"])
            ok_row = int(row["net"]) == g - f
            got[row["merchant_id"], row["date"], row["currency"]] = [g, f, c] if ok_row else [g, f, -1]
            for k, v in (("gross", g), ("fee", f), ("net", g - f), ("txn_count", c)):
                totals[k] += v
    return got == expected, len(got), totals


def peak_rss_mb(desc: dict, function: str = "settlement") -> float | None:
    """The peak RSS (MB) of ``function``'s busiest invocation in the local cloud's runtime."""
    stats = requests.get(desc["runtime_url"] + "/stats", timeout=10).json()
    return stats.get(function, {}).get("max_memory_used_mb")


def parse_workers(raw_workers: str) -> list[int]:
    """``--raw-workers`` (``"16,8"``) as thread counts; raises typer.BadParameter."""
    try:
        return [int(x) for x in raw_workers.split(",")]
    except ValueError:
        raise typer.BadParameter(f"{raw_workers!r} is not a comma-separated list of integers",
                                 param_hint="--raw-workers") from None


def running_cloud(a: SimpleNamespace) -> tuple[dict | None, bool]:
    """``(the running local cloud in a.data_dir or None, ok)``: not ok (a message printed) when
    ``--use-running`` names none."""
    running = process.running(a.data_dir) if a.use_running else None
    if a.use_running and not running:
        print(f"no running local cloud in {a.data_dir} (start `make up`, or run without --use-running)",
              file=sys.stderr)
        return None, False
    return running, True


def cancel_mid_run(admin: Payrail, desc: dict, day: str) -> dict:
    """Start another settlement of ``day``, cancel it once some (not all) slices finished, and
    check it leaves neither a download link nor a CSV."""
    in_middle = lambda j: j["status"] == "RUNNING" and 0 < j["slices_done"] < j["slices_total"]  # noqa: E731
    job, _, _ = run_settlement(admin, day, on_sample=in_middle)
    at = (job["slices_done"], job["slices_total"])
    cancelled = admin.admin_settlement_cancel(job["job_id"])
    final = wait_for(lambda: (j := admin.admin_settlement_get(job["job_id"]))["status"] in
                     ("CANCELLED", "COMPLETED", "FAILED") and j, timeout=120, what="cancelled job")
    sfn, s3 = boto3.client("stepfunctions"), boto3.client("s3")
    wait_for(lambda: sfn.describe_execution(executionArn=final["execution_arn"])["status"] != "RUNNING", timeout=120,
             what="execution stopped")
    time.sleep(3)  # slices that were in flight finish and find the job cancelled
    final = admin.admin_settlement_get(job["job_id"])
    csv_objects = s3.list_objects_v2(Bucket=desc["bucket"], Prefix=f"settlements/{job['job_id']}.csv").get("KeyCount", 0)
    ok = final["status"] == "CANCELLED" and final["download_url"] is None and not csv_objects
    return {"job_id": job["job_id"], "cancelled_at_slices": at, "status_after_cancel": cancelled["status"],
            "final_status": final["status"], "download_url": final["download_url"], "csv_objects": csv_objects,
            "ok": ok}


cli = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0])


@cli.command()
def main(rows: int = typer.Option(int(os.environ.get("ROWS", 1_000_000)), help="capture journals seeded on --day"),
         merchants: int = typer.Option(2_000, help="merchants the rows spread over"),
         day: str = typer.Option("2001-01-01", help="the UTC day seeded and settled (must hold no captures)"),
         seed_threads: int = typer.Option(8, help="threads seeding with BatchWriteItem"),
         raw_workers: str = typer.Option("16,8", help="thread pools of the raw read, comma-separated: the first reads "
                                         "before the settlement, the others after it; the fastest is the baseline "
                                         "(16: the settlement's Map concurrency locally)"),
         use_running: bool = typer.Option(False, "--use-running", help="use the running cloud of --data-dir"),
         data_dir: Path = typer.Option(ROOT / ".local", help="with --use-running (`make up`'s default)"),
         keep: bool = typer.Option(False, "--keep", help="leave the seeded journals (no ledger audit then)"),
         seeded: bool = typer.Option(False, "--seeded", help="with --use-running: the day was seeded (same --rows, "
                                     "--merchants) by a run with --keep")) -> None:
    """Run the bench (module docstring); exit status 0 when the CSV, the cancel and the audit are right."""
    workers = parse_workers(raw_workers)
    raise typer.Exit(run(SimpleNamespace(rows=rows, merchants=merchants, day=day, seed_threads=seed_threads,
                                         raw_workers=workers, use_running=use_running, data_dir=data_dir, keep=keep,
                                         seeded=seeded)))


def run(a: SimpleNamespace) -> int:
    """The bench with ``main``'s options as attributes of ``a``; returns the exit status."""
    from payrail.core.ledger import Ledger, audit

    load0 = os.getloadavg()
    running, ok = running_cloud(a)
    if not ok:
        return 2
    print(f"settlement bench: {a.rows:,} capture journals on {a.day} over {a.merchants:,} merchants, "
          f"{os.cpu_count()} cores (load average {load0[0]:.1f} at start)", flush=True)
    with nullcontext(running) if running else process.local_cloud(ROOT / ".local" / "bench-settlement") as desc:
        os.environ.update(desc["client_env"])
        ledger = Ledger(desc["tables"]["ledger"])
        queries = [ledger.settlement_query(a.day, s) for s in range(ledger.shards)]
        seed = Seed(a.day, a.rows, merchants=a.merchants)
        seeded_s = None
        if a.seeded and running:
            direct_sum(seed)
            print(f"  {a.day} seeded by an earlier run: direct sum recomputed", flush=True)
        else:
            if any(boto3.client("dynamodb").query(**q, Limit=1)["Items"] for q in queries):
                print(f"{a.day} already holds captures in this ledger; pick another --day", file=sys.stderr)
                return 2
            t0 = time.perf_counter()
            step = max(a.rows // 10, 1)
            seed_captures(ledger, seed, a.seed_threads,
                          progress=lambda n: n % step < 1000 and print(f"    seeded {n:,}", flush=True))
            seeded_s = time.perf_counter() - t0
            print(f"  seeded in {seeded_s:.1f} s ({a.rows / seeded_s:,.0f} rows/s, BatchWriteItem from "
                  f"{a.seed_threads} threads)", flush=True)

        part_rows, pages = page_stream(boto3.client("dynamodb"), queries[0], 60)
        one_partition = {"rows": part_rows, "seconds": sum(pages), "pages": len(pages),
                         "first_page_s": pages[0], "last_page_s": pages[-1]}
        print(f"  raw read of one whole index partition (1/{ledger.shards} of the day, one Query stream, at most "
              f"60 s): {part_rows:,} rows in {len(pages)} pages, {sum(pages):.1f} s; first page {pages[0]:.2f} s, "
              f"last {pages[-1]:.2f} s", flush=True)

        sliced = [ledger.settlement_query(p.date, p.shard, p.part, p.parts)
                  for p in plan_slices(ledger, a.day, a.day, ledger.shards)]
        raws = {}

        def raw(workers: int) -> None:
            raws[workers] = raw_read(sliced, workers)
            print(f"  raw read of the same {len(sliced)} key ranges, {workers} threads: {raws[workers][0]:,} rows "
                  f"in {raws[workers][1]:.1f} s ({raws[workers][0] / raws[workers][1]:,.0f} rows/s)", flush=True)

        raw(a.raw_workers[0])
        admin = Payrail(desc["api_url"], admin_token=desc["admin_token"])
        job, elapsed, samples = run_settlement(admin, a.day)
        ticks = sorted({s[2] for s in samples if s[1] == "RUNNING" and 0 < s[2] < s[3]})
        print(f"  settlement {job['job_id']}: {' -> '.join(h['status'] for h in job['status_history'])}, "
              f"{job['slices_total']} slices, {len(samples)} progress samples, {len(ticks)} distinct values "
              f"between 0 and 1: {', '.join(str(t) for t in ticks[:12])}{' ...' if len(ticks) > 12 else ''}",
              flush=True)

        took = phases(job["execution_arn"])
        print("  phases: " + ", ".join(f"{k} {v:.1f}" for k, v in took.items() if v is not None), flush=True)

        manifest = json.loads(boto3.client("s3").get_object(
            Bucket=desc["bucket"], Key=f"settlements/parts/{job['job_id']}/manifest.json")["Body"].read())
        if manifest != [p.message() for p in plan_slices(ledger, a.day, a.day, ledger.shards)]:
            print("  (the job's manifest differs from the raw read's key ranges)", flush=True)
        for workers in a.raw_workers[1:]:
            raw(workers)
        raw_rows, raw_s = min(raws.values(), key=lambda r: r[1])
        ratio = elapsed / raw_s
        print(f"  end to end {elapsed:.1f} s ({a.rows / elapsed:,.0f} rows/s): ratio {ratio:.2f} to the faster raw "
              f"read ({raw_s:.1f} s, {raw_rows:,} rows)", flush=True)

        csv_ok, csv_rows, csv_totals = (check_csv(job["download_url"], seed.expected) if job["status"] == "COMPLETED"
                                        else (False, 0, {}))
        direct = {"gross": sum(v[0] for v in seed.expected.values()), "fee": sum(v[1] for v in seed.expected.values()),
                  "txn_count": sum(v[2] for v in seed.expected.values())}
        direct["net"] = direct["gross"] - direct["fee"]
        csv_ok = csv_ok and csv_totals == direct and job.get("totals") == direct and job.get("rows") == len(seed.expected)
        print(f"  CSV: {csv_rows:,} rows (direct sum: {len(seed.expected):,}), totals {csv_totals} "
              f"(direct sum {direct}): {'ok' if csv_ok else 'MISMATCH'}", flush=True)
        rss = peak_rss_mb(desc)
        print(f"  peak worker RSS: {rss} MB (busiest settlement invocation; each execution environment a process, "
              f"VmHWM)", flush=True)

        cancel = cancel_mid_run(admin, desc, a.day)
        print(f"  cancel after {cancel['cancelled_at_slices'][0]}/{cancel['cancelled_at_slices'][1]} slices: "
              f"{cancel['final_status']}, download_url {cancel['download_url']}, CSV objects {cancel['csv_objects']}: "
              f"{'ok' if cancel['ok'] else 'FAILED'}", flush=True)

        audit_ok = None
        if not a.keep:
            t0 = time.perf_counter()
            delete_captures(ledger, seed, a.seed_threads)
            report = audit(ledger)
            audit_ok = report["ok"]
            print(f"  deleted the seeded journals in {time.perf_counter() - t0:.1f} s; ledger audit "
                  f"{'ok' if audit_ok else report}", flush=True)
    load1 = os.getloadavg()
    figures = {"machine": {"cores": os.cpu_count(), "load_average_start": load0[0], "load_average_end": load1[0]},
               "rows": a.rows, "merchants": a.merchants, "day": a.day,
               "seed_rows_per_s": a.rows / seeded_s if seeded_s else None,
               "raw_read_s": {str(w): r[1] for w, r in raws.items()}, "raw_read_rows": raw_rows,
               "one_partition_stream": one_partition,
               "end_to_end_s": elapsed, "phases_s": took, "rows_per_s": a.rows / elapsed, "ratio_to_raw_read": ratio,
               "slices": job["slices_total"], "progress_ticks": len(ticks), "status": job["status"],
               "peak_worker_rss_mb": rss, "csv_ok": csv_ok, "csv_rows": csv_rows, "cancel": cancel,
               "ledger_audit_ok": audit_ok}
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report["settlement"] = figures
    REPORT.write_text(json.dumps(report, indent=2))
    print(f"  report: {REPORT} (load average {load1[0]:.1f} at the end)")
    print(f"settlement: {a.rows} rows in {elapsed:.1f} s, ratio {ratio:.2f} to raw read, peak worker RSS "
          f"{round(rss or 0)} MB, csv {'ok' if csv_ok else 'MISMATCH'}")
    return 0 if csv_ok and cancel["ok"] and len(ticks) >= 2 and audit_ok is not False else 1


if __name__ == "__main__":
    cli()
