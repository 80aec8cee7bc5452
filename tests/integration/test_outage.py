"""DynamoDB unreachable under load: DynamoDB Local is paused (SIGSTOP) for 40 s while 16 clients
create payouts and payments. Every answer is a success or 503 ``service_unavailable`` with
``Retry-After`` (never a 500); detailed health answers within its deadline, naming DynamoDB as the
dependency that is down; and every request refused with 503, retried with its Idempotency-Key
once DynamoDB answers again, succeeds exactly once: one payout or payment per key, the ledger
audit clean."""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import requests

from infra.tools.client import wait_for
from tests.conftest import quiet_audit
from tests.integration.test_payments import SETTLED as PAYMENT_FINAL
from tests.integration.test_payments import momo, number  # noqa: F401 - momo is a fixture
from tests.integration.test_payouts import FINAL as PAYOUT_FINAL
from tests.integration.test_payouts import pk_bank

PAUSE_SECONDS = 40
CLIENTS = 16
#: longer than API Gateway's 30 s integration timeout: every request gets the API's own answer
CLIENT_TIMEOUT_SECONDS = 40


@contextmanager
def paused(pid: int):
    """The process stopped (SIGSTOP) for the block and continued (SIGCONT) whatever happens in it."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@dataclass
class Sent:
    """One create request: its kind, Idempotency-Key and body, and every answer it got."""

    kind: str
    path: str
    key: str
    body: dict
    answers: list = field(default_factory=list)  # (status or None for no answer, headers, body)


def new_request(kind: str) -> Sent:
    if kind == "payout":
        body = {"amount": 1_000, "currency": "PKR", "beneficiary": {
            "type": "bank_account", "bank_code": "HBL", "account_number": pk_bank("0001"), "name": "Test Beneficiary"}}
        return Sent(kind, "/v1/payouts", str(uuid.uuid4()), body)
    body = {"amount": 1_000, "currency": "GHS", "recipient": {"phone": number("MTN", "1"), "name": "Ama Mensah"}}
    return Sent(kind, "/v1/payments", str(uuid.uuid4()), body)


def send(http: requests.Session, api_url: str, api_key: str, s: Sent) -> tuple:
    """POST ``s`` with its key; records and returns ``(status, headers, body)`` (status None: no answer)."""
    try:
        r = http.post(api_url + s.path, json=s.body, timeout=CLIENT_TIMEOUT_SECONDS,
                      headers={"x-api-key": api_key, "idempotency-key": s.key})
        answer = (r.status_code, dict(r.headers), r.json() if r.content else {})
    except requests.RequestException as e:
        answer = (None, {}, {"exception": repr(e)})
    s.answers.append(answer)
    return answer


def object_id(s: Sent, answer: tuple) -> str:
    return answer[2]["payout_id" if s.kind == "payout" else "payment_id"]


def listed(client, path: str, id_field: str) -> list[str]:
    """Every id the merchant's list route returns (all pages)."""
    ids, after = [], None
    while True:
        page = client.request("GET", path, params={"limit": 100, **({"starting_after": after} if after else {})})
        ids += [o[id_field] for o in page["data"]]
        if not page["has_more"]:
            return ids
        after = ids[-1]


def test_dynamodb_paused_under_load_answers_503_never_500_and_retries_succeed_once(cloud, admin, momo, platform):
    pid = cloud.get("pids", {}).get("dynamodb")
    if pid is None:
        pytest.skip("this target runs no DynamoDB Local process of its own")
    client, mid = momo
    admin.top_up(mid, 10_000_000)
    api, key = cloud["api_url"], client.api_key
    http = client.http
    sent: list[Sent] = []
    lock, stop = threading.Lock(), threading.Event()

    def load(i: int) -> None:
        n = i
        while not stop.is_set():
            s = new_request(("payout", "payment")[n % 2])
            n += 1
            with lock:
                sent.append(s)
            status, headers, _ = send(http, api, key, s)
            if status == 503:  # as a client does: the next request after Retry-After
                stop.wait(min(int(headers.get("Retry-After") or 1), 10))

    health: list[tuple] = []

    def detailed_health() -> None:
        try:
            r = requests.get(api + "/health/detailed", timeout=3)
            health.append((r.status_code, r.json()))
        except requests.RequestException as e:  # 3 s without an answer: the deadline was not kept
            health.append((None, {"exception": repr(e)}))

    threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        # the load runs (and every client has its execution environment) before DynamoDB stops
        wait_for(lambda: sum(1 for s in list(sent) if s.answers and s.answers[0][0] in (200, 201)) >= 2 * CLIENTS,
                 60, 0.2, what="the load under way")
        for _ in range(3):
            requests.get(api + "/health/detailed", timeout=10)
        with paused(pid):
            time.sleep(5)
            detailed_health()  # while every client waits on DynamoDB
            time.sleep(PAUSE_SECONDS - 15)
            detailed_health()
            time.sleep(10)
    finally:
        stop.set()
        for t in threads:
            t.join(2 * CLIENT_TIMEOUT_SECONDS)

    answers = Counter(s.answers[0][0] for s in sent)
    print(f"answers during the outage run: {dict(answers)}")
    assert all(status is not None and (200 <= status < 300 or status == 503) for status in answers), dict(answers)
    refused = [s for s in sent if s.answers[0][0] == 503]
    assert refused, f"no request was refused while DynamoDB was paused: {dict(answers)}"
    for s in refused:
        status, headers, body = s.answers[0]
        assert body["error"]["code"] == "service_unavailable" and int(headers["Retry-After"]) > 0, (headers, body)

    # detailed health answered within its 3 s deadline while DynamoDB was paused, naming it
    assert [status for status, _ in health] == [503, 503], health
    for _, body in health:
        down = {name for name, c in body["checks"].items() if not c["ok"]}
        assert down and all(name.startswith("dynamodb:") for name in down), body
        assert all(c["ok"] for name, c in body["checks"].items() if name.startswith("sqs:")), body

    # once DynamoDB answers again, each refused request succeeds when retried with its key (its
    # claim may be held until its lease ends: 409 in progress meanwhile)
    def retried(s: Sent) -> tuple:
        def attempt():
            answer = send(http, api, key, s)
            return answer if answer[0] in (200, 201) else None
        return wait_for(attempt, 120, 1.0, what=f"{s.kind} {s.key} succeeds when retried")

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(retried, refused))
    assert all(a[0] in (200, 201, 409, 503) for s in refused for a in s.answers[1:]), \
        [a[:1] + a[2:] for s in refused for a in s.answers[1:] if a[0] not in (200, 201, 409, 503)]

    # exactly once: every key answers the same object again, and each key made one object
    ids: dict[str, set[str]] = {"payout": set(), "payment": set()}
    for s in sent:
        first = next(a for a in s.answers if a[0] in (200, 201))
        again = send(http, api, key, s)
        assert again[0] in (200, 201) and object_id(s, again) == object_id(s, first), (s.key, first, again)
        ids[s.kind].add(object_id(s, first))
    keys = Counter(s.kind for s in sent)
    assert len(ids["payout"]) == keys["payout"] and len(ids["payment"]) == keys["payment"]
    assert sorted(listed(client, "/v1/payouts", "payout_id")) == sorted(ids["payout"])
    assert sorted(listed(client, "/v1/payments", "payment_id")) == sorted(ids["payment"])

    # nothing is left in flight (and the session's later tests start on a quiet platform)
    def in_flight() -> list[str]:
        return [f"payout {i}" for i in ids["payout"] if client.get_payout(i)["status"] not in PAYOUT_FINAL] + \
               [f"payment {i}" for i in ids["payment"] if client.payment(i)["status"] not in PAYMENT_FINAL]
    wait_for(lambda: not in_flight(), 180, 3, what="every payout and payment final")
    report = quiet_audit(platform.ledger)
    assert report["ok"], {k: v for k, v in report.items() if k != "ok"}
