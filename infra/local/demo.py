"""``make demo``: the main job end to end, as an HTTP client, then a ledger audit.

Creates merchants, registers a webhook endpoint at the local receiver (which verifies every
delivery with ``standardwebhooks`` and fails the first few on purpose), funds 1,000 customer
wallets, sells a product with stock 100 to 500 concurrent orders from 64 parallel clients, runs
payouts over the three sandbox scenarios, settles the day, downloads the CSV, checks that the books
hold and that every event was delivered and verified. Exits 1 if any check fails.
"""
from __future__ import annotations

import csv
import io
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests

from infra.catalog import ROOT
from infra.local import process
from infra.local.client import ApiError, Payrail, wait_for

CUSTOMERS, ORDERS, CLIENTS, STOCK, PRICE = 1_000, 500, 64, 100, 2_500
UNDERFUNDED = 20  # customers 0..19 get less than the price
FAILED_DELIVERIES = 5  # the receiver answers 500 to its first deliveries: they are retried


def ledger_for(desc: dict):
    """The ledger of the running cloud, read directly from DynamoDB (the auditor does not trust the API)."""
    os.environ.update(desc["client_env"])
    from payrail.ledger import Ledger

    return Ledger(desc["tables"]["ledger"])


def run(desc: dict) -> int:
    checks: list[tuple[str, bool, str]] = []
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"], pool=CLIENTS + 8)
    t0 = time.monotonic()
    shop = admin.create_merchant("Demo Shop", fee_bps=290, rate_limit_per_minute=100_000)
    other = admin.create_merchant("Other Merchant", fee_bps=100, rate_limit_per_minute=100_000)
    m = admin.as_merchant(shop["api_key"])
    mid = shop["merchant"]["merchant_id"]

    # 0. a webhook endpoint at the local receiver, which knows its secret and fails a few on purpose
    hooks, hook = desc["webhook_receiver_url"], f"demo-{mid}"
    endpoint = m.create_webhook_endpoint(f"{hooks}/hooks/{hook}", ["*"])
    requests.post(f"{hooks}/_control/{hook}", json={"secrets": [endpoint["secret"]], "mode": "fail",
                                                    "times": FAILED_DELIVERIES}, timeout=10).raise_for_status()

    # 1. fund 1,000 wallets
    def fund(i: int):
        amount = PRICE // 2 if i < UNDERFUNDED else 10_000
        admin.credit(mid, f"cust-{i:04d}", amount, key=f"demo-fund-{mid}-{i}")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(fund, range(CUSTOMERS)))
    t_fund = time.monotonic() - t0

    # 2. 500 concurrent orders for a stock of 100
    product = m.create_product("Limited edition", price=PRICE, stock=STOCK)
    outcomes: Counter = Counter()
    order_ids: list[str] = []

    def buy(i: int):
        try:
            o = m.order(product["product_id"], f"cust-{i:04d}", key=f"demo-order-{mid}-{i}")
            return ("completed", o["order_id"])
        except ApiError as e:
            return (e.code or str(e.status), None)
    t1 = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for kind, oid in pool.map(buy, range(ORDERS)):
            outcomes[kind] += 1
            if oid:
                order_ids.append(oid)
    t_orders = time.monotonic() - t1
    stock_left = m.product(product["product_id"])["stock"]
    checks.append(("exactly the stock was sold", outcomes["completed"] == STOCK and stock_left == 0,
                   f"{outcomes['completed']} orders, stock left {stock_left}"))

    # 3. fulfilment captures every paid order
    def all_fulfilled():
        states = Counter(m.get_order(o)["status"] for o in order_ids)
        return states if states["PAID"] == 0 else None
    order_states = wait_for(all_fulfilled, 120, 1, what="fulfilment")
    checks.append(("every paid order fulfilled", order_states.get("FULFILLED", 0) == len(order_ids), dict(order_states)))

    # 4. payouts over the sandbox scenarios (0001 ok, 0002 transient then ok, 0003 fails)
    bal = m.balances()
    payouts = [m.payout(1_000 + n, f"12345678{n:02d}{suffix}", key=f"demo-payout-{mid}-{suffix}-{n}")
               for suffix in ("0001", "0002", "0003") for n in range(3)]

    def payouts_done():
        ps = [m.get_payout(p["payout_id"]) for p in payouts]
        return ps if all(p["status"] in ("SUCCEEDED", "FAILED") for p in ps) else None
    final = wait_for(payouts_done, 180, 1, what="payouts")
    by_status = Counter(p["status"] for p in final)
    expected = all((p["status"] == "FAILED") == p["beneficiary"]["account_number"].endswith("0003") for p in final)
    retried = [p for p in final if p["beneficiary"]["account_number"].endswith("0002")]
    checks.append(("payout outcomes match the sandbox scenarios", expected and all(p["attempts"] == 2 for p in retried),
                   dict(by_status)))
    paid_out = sum(p["amount"] for p in final if p["status"] == "SUCCEEDED")
    after = m.balances()
    checks.append(("holds captured or released, none left", after["held"] == 0
                   and after["available"] == bal["available"] - paid_out, f"available {bal['available']} -> "
                   f"{after['available']}, paid out {paid_out}"))

    # 5. settlement of the day -> CSV
    today = datetime.now(timezone.utc).date().isoformat()
    job = admin.admin_settlement(today, today)
    job = wait_for(lambda: (j := admin.admin_settlement_get(job["job_id"]))["status"] in ("COMPLETED", "FAILED") and j,
                   120, 0.5, what="settlement")
    csv_text = requests.get(job["download_url"], timeout=30).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))

    # 6. webhooks: every event of the shop delivered (at least once), each delivery verified
    events = m.all_events()

    def all_delivered():
        got = requests.get(f"{hooks}/_received/{hook}", timeout=30).json()["deliveries"]
        ok = {d["webhook_id"] for d in got if d["answered"] < 300}
        return got if {e["event_id"] for e in events} <= ok else None
    received = wait_for(all_delivered, 180, 1, what="webhook deliveries")
    per_id = Counter(d["webhook_id"] for d in received)
    verified = sum(d["verified"] for d in received)
    delivered = {d["webhook_id"] for d in received if d["answered"] < 300}
    created = {e["event_id"]: datetime.fromisoformat(e["created_at"].replace("Z", "+00:00")).timestamp()
               for e in events}
    first_arrival: dict[str, float] = {}
    for d in received:
        first_arrival[d["webhook_id"]] = min(first_arrival.get(d["webhook_id"], d["received_at"]), d["received_at"])
    lags = sorted(first_arrival[i] - created[i] for i in created)
    checks.append(("every event delivered to the webhook endpoint", delivered == {e["event_id"] for e in events},
                   f"{len(events)} events, {len(delivered)} delivered"))
    checks.append(("every delivery verified (standardwebhooks)", verified == len(received) > 0,
                   f"{verified} of {len(received)} deliveries"))

    # 7. audit, straight from the ledger table
    from payrail.ledger import audit

    ledger = ledger_for(desc)
    report = audit(ledger)
    checks.append(("every journal balances per currency", not report["unbalanced_journals"],
                   f"{report['journals']} journals"))
    checks.append(("every account balance equals the sum of its postings",
                   not report["account_mismatches"] and not report["orphan_postings"],
                   f"{report['accounts']} accounts, {report['postings']} postings"))
    checks.append(("money is neither created nor lost (balances sum to zero per currency)",
                   not any(report["total_by_currency"].values()), report["total_by_currency"]))
    truth: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for it in ledger.scan():
        if it["sk"] == "J" and it["type"] == "order_capture" and it["created_at"][:10] == today:
            t = truth[(it["merchant_id"], today, it["currency"])]
            t[0] += it["settlement"]["gross"]
            t[1] += it["settlement"]["fee"]
            t[2] += 1
    csv_totals = {(r["merchant_id"], r["date"], r["currency"]): [int(r["gross"]), int(r["fee"]), int(r["txn_count"])]
                  for r in rows}
    net_ok = all(int(r["net"]) == int(r["gross"]) - int(r["fee"]) for r in rows)
    checks.append(("CSV totals equal ledger totals (net = gross - fee)", csv_totals == dict(truth) and net_ok,
                   f"{len(rows)} rows, gross {sum(v[0] for v in csv_totals.values())}"))
    isolation = False
    try:
        admin.as_merchant(other["api_key"]).get_order(order_ids[0])
    except ApiError as e:
        isolation = e.status == 404
    checks.append(("another merchant's order answers 404", isolation, ""))

    print("\npayrail demo summary")
    print(f"  merchants created           2; wallets funded {CUSTOMERS} ({UNDERFUNDED} under the price) in {t_fund:.1f}s")
    print(f"  orders                      {ORDERS} from {CLIENTS} clients in {t_orders:.1f}s "
          f"({ORDERS / t_orders:.0f}/s): completed {outcomes['completed']}, refused "
          f"{ORDERS - outcomes['completed']} {dict((k, v) for k, v in outcomes.items() if k != 'completed')}")
    print(f"  stock left                  {stock_left} of {STOCK}; order states {dict(order_states)}")
    print(f"  payouts by final status     {dict(by_status)} (0002 retried: attempts "
          f"{[p['attempts'] for p in retried]})")
    print(f"  settlement {job['job_id']}  {job['status']}, {len(rows)} CSV rows, totals {job.get('totals')}")
    print(f"  webhooks                    {len(events)} events {dict(Counter(e['type'] for e in events))}: "
          f"{len(delivered)} delivered, {sum(n > 1 for n in per_id.values())} retried, {verified} of "
          f"{len(received)} deliveries verified; change -> first arrival p50 {lags[len(lags) // 2]:.2f}s, "
          f"max {lags[-1]:.2f}s")
    print(f"  ledger                      {report['journals']} journals, {report['accounts']} accounts, "
          f"{report['postings']} postings, sum by currency {report['total_by_currency']}")
    print("\nchecks")
    for name, ok, detail in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}  {detail}")
    failed = [c for c in checks if not c[1]]
    print(f"\n{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def main() -> int:
    data_dir = Path(os.environ.get("PAYRAIL_DATA_DIR", ROOT / ".local"))
    desc = process.running(data_dir)
    if desc:
        print(f"using the running platform at {desc['api_url']}")
        return run(desc)
    print("starting the platform for the demo ...")
    with process.local_cloud(data_dir / "demo", random_ports=True) as desc:
        return run(desc)


if __name__ == "__main__":
    sys.exit(main())
