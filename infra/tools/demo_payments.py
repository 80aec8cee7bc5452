"""The mobile-money part of ``make demo``: payments to the three Ghana networks through every
kind of route and outcome, printing the route chosen for each and why.

Scenarios: on-net on each network; pending then paid; an off-net route (a merchant whose only
float is at AirtelTigo pays an MTN number); a failover because the on-net provider lacks float
(number ending in 5); a failover because MTN is down (its stand-in answers 503); a risk decline
(the 11th payment to one number within the hour); a cancel while PENDING; an expiry (no answer
from MTN, TRANSACTION_TIMEOUT_SECONDS locally 30 s); a refund. Checks: each ends as expected, no
float stays held, every float equals its funding minus what was paid and its fees plus refunds.
"""
from __future__ import annotations

import time
import uuid

from infra.tools.client import Payrail, standin as standin_at, wait_for

FLOAT = 5_000_000  # 50,000.00 GHS at each provider
PREFIX = {"MTN": "024", "AT": "027", "TELECEL": "020"}
PROVIDERS = ("mtn_momo", "airteltigo", "telecel")
FINAL = ("CONFIRMED", "FAILED", "EXPIRED", "CANCELLED", "REFUNDED")


def number(network: str, last: str) -> str:
    return f"{PREFIX[network]}{uuid.uuid4().int % 10**6:06d}{last}"


def payments_demo(admin: Payrail, desc: dict) -> tuple[list, list[str]]:
    """Returns ``(checks, summary lines)``."""
    t0 = time.monotonic()
    created = admin.create_merchant("Demo MoMo", rate_limit_per_minute=100_000)
    m, mid = admin.as_merchant(created["api_key"]), created["merchant"]["merchant_id"]
    for p in PROVIDERS:
        admin.fund_float(mid, p, FLOAT, key=f"demo-float-{mid}-{p}")
    at_only = admin.create_merchant("Demo MoMo (AirtelTigo float only)", rate_limit_per_minute=100_000)
    m2, mid2 = admin.as_merchant(at_only["api_key"]), at_only["merchant"]["merchant_id"]
    admin.fund_float(mid2, "airteltigo", FLOAT, key=f"demo-float-{mid2}")

    def control(provider: str, body: dict) -> None:
        standin_at(desc["standins"][provider], "/_control", body)

    cases: list[tuple[str, object, str, dict]] = []  # (label, client, expected final status, payment)

    def pay(label: str, client: Payrail, expect: str, amount: int, phone: str) -> dict:
        p = client.pay(amount, phone, description=label[:100])
        cases.append((label, client, expect, p))
        return p

    pay("MTN on-net", m, "CONFIRMED", 150_000, number("MTN", "1"))
    pay("AirtelTigo on-net", m, "CONFIRMED", 80_000, number("AT", "1"))
    pay("Telecel on-net", m, "CONFIRMED", 45_000, number("TELECEL", "1"))
    pay("Telecel pending, then paid", m, "CONFIRMED", 30_000, number("TELECEL", "2"))
    pay("AirtelTigo refuses: recipient unknown", m, "FAILED", 20_000, number("AT", "3"))
    pay("MTN number, only AirtelTigo float: off-net", m2, "CONFIRMED", 60_000, number("MTN", "1"))
    pay("MTN lacks float: failover", m, "CONFIRMED", 70_000, number("MTN", "5"))
    wait_for(lambda: all(c.payment(p["payment_id"])["status"] in FINAL for _, c, _, p in cases), 60, 0.5,
             what="the first payments settled")
    # a provider outage: MTN answers 503 to everything; its payment fails over before anything was sent
    control("mtn_momo", {"mode": "failing"})
    try:
        down = pay("MTN down: failover", m, "CONFIRMED", 25_000, number("MTN", "1"))
        wait_for(lambda: m.payment(down["payment_id"])["status"] in FINAL, 60, 0.5, what="outage failover")
    finally:
        control("mtn_momo", {"mode": "ok"})
    # a cancel while PENDING: no provider can be asked, so nothing is sent
    for p in PROVIDERS:
        control(p, {"mode": "failing", "methods": ["GET"]})
    try:
        pending = pay("cancelled while PENDING", m, "CANCELLED", 15_000, number("TELECEL", "1"))
        time.sleep(1)
        m.cancel_payment(pending["payment_id"])
    finally:
        for p in PROVIDERS:
            control(p, {"mode": "ok"})
    expiring = pay("MTN never answers: expiry", m, "EXPIRED", 10_000, number("MTN", "4"))
    # risk: the 11th payment to one number within the hour is declined, nothing held
    phone = number("AT", "1")
    for i in range(10):
        m.pay(100 + i, phone, description="velocity")
    pay("11th payment to one number: risk decline", m, "FAILED", 500, phone)

    def all_final():
        got = [(label, client.payment(p["payment_id"])) for label, client, _, p in cases]
        return got if all(p["status"] in FINAL for _, p in got) else None
    got = wait_for(all_final, 120, 1, what="every demo payment final")
    mtn_paid = next(p for label, p in got if label == "MTN on-net")
    refunded = m.refund_payment(mtn_paid["payment_id"])
    got = [(label, refunded if p["payment_id"] == refunded["payment_id"] else p) for label, p in got]
    expected = {label: expect for label, _, expect, _ in cases}
    expected["MTN on-net"] = "REFUNDED"

    lines = [f"payments (Ghana mobile money) {len(got)} scenarios + 10 velocity payments in "
             f"{time.monotonic() - t0:.1f}s"]
    wrong = []
    for label, p in got:
        route = p.get("route") or {}
        net = "on-net " if route.get("on_net") else "off-net" if route else "-      "
        hops = " -> ".join([f["from_provider"] for f in p.get("failovers") or []] + [p.get("provider") or "none"])
        why = route.get("why") or p.get("failure_reason") or ""
        lines.append(f"  {label:<44} {p['status']:<9} via {hops:<22} {net} fee {p['fee']:>4}  ({why[:90]})")
        if p["status"] != expected[label]:
            wrong.append(f"{label}: {p['status']}")
    decline = next(p for label, p in got if "risk decline" in label)
    floats = m.request("GET", "/v1/balances", params={"currency": "GHS"})["floats"]
    spent = {p: 0 for p in PROVIDERS}
    for _, p in got:
        if p["merchant_id"] == mid and p["status"] in ("CONFIRMED", "REFUNDED") and p["provider"]:
            spent[p["provider"]] += p["total"] - (p["amount"] if p["status"] == "REFUNDED" else 0)
    velocity = [x for x in m.payments(limit=100)["data"] if x.get("description") == "velocity"]
    for x in velocity:
        x = wait_for(lambda x=x: (y := m.payment(x["payment_id"]))["status"] in FINAL and y, 60, 0.5)
        spent[x["provider"]] += x["total"] if x["status"] == "CONFIRMED" else 0
    checks = [
        ("every payment scenario ends as expected", not wrong, "; ".join(wrong)),
        ("a risk decline holds nothing", decline["risk"]["decision"] == "decline" and not decline.get("provider"),
         str([r["rule"] for r in decline["risk"]["reasons"]])),
        ("an expired payment was sent, asked about after the timeout, then released",
         (e := m.payment(expiring["payment_id"]))["submissions"] >= 1 and "still" in (e.get("expiry_reason") or ""),
         e.get("expiry_reason") or ""),
        ("no float stays held; each float = funding - paid - fees + refunds",
         all(floats[p]["held"] == 0 and floats[p]["available"] == FLOAT - spent[p] for p in PROVIDERS), str(floats)),
    ]
    return checks, lines
