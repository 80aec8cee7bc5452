"""The Python SDK (``payrail_client``) against the local platform, as an integrator uses it: the operator
creates a merchant and funds it, the merchant pays out and lists its payouts page by page, a retry
after a lost answer replays the first payout, the real rate limiter's ``Retry-After`` is honoured, and a
webhook payrail delivered to the local receiver verifies with the SDK (a tampered copy does not); and
the README's two walks (curl with jq, and the SDK) run as written."""
from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shutil
import subprocess
import uuid

import httpx
import pytest
import requests

from infra.catalog import ROOT
from infra.tools.client import wait_for
from payrail_client import Payrail, PayrailError, RetryPolicy, WebhookVerificationError, WebhookVerifier
from payrail_client.api.admin_balances import top_up_balance
from payrail_client.api.admin_merchants import create_merchant
from payrail_client.api.balances import get_balance
from payrail_client.api.payouts import create_payout, get_payout, list_payouts
from payrail_client.api.webhooks import create_webhook_endpoint
from payrail_client.models import ListPayoutsStatusType0, MerchantIn, PayoutIn, TopUpIn, WebhookEndpointIn

#: an HBL account the provider's stand-in pays at once
ACCOUNT = "1234560001"


@pytest.fixture(scope="module")
def operator(cloud) -> Payrail:
    return Payrail(admin_token=cloud["admin_token"], base_url=cloud["api_url"])


def new_merchant(operator: Payrail, **fields) -> tuple[Payrail, str]:
    """A merchant created through the SDK: ``(its client, merchant_id)``."""
    created = operator.call(create_merchant, body=MerchantIn(name=f"sdk-{uuid.uuid4().hex[:6]}", **fields))
    return operator.as_merchant(created.api_key), created.merchant.merchant_id


def payout_in(amount: int, reference: str | None = None) -> PayoutIn:
    body = {"amount": amount, "currency": "PKR", "beneficiary": {
        "type": "bank_account", "bank_code": "HBL", "account_number": ACCOUNT, "name": "Ali Raza"}}
    return PayoutIn.from_dict(body | ({"merchant_reference": reference} if reference else {}))


def settled(merchant: Payrail, payout_id: str) -> object:
    """The payout once it left the in-flight states (within a bounded wait)."""
    return wait_for(lambda: (p := merchant.call(get_payout, payout_id=payout_id)).status.value
                    in ("SUCCEEDED", "FAILED", "CANCELLED") and p, 60, 0.3, what=f"payout {payout_id} settled")


def test_create_fund_pay_out_and_list_page_by_page(operator):
    merchant, merchant_id = new_merchant(operator)
    top_up = operator.call(top_up_balance, body=TopUpIn(merchant_id=merchant_id, currency="PKR", amount=5_000_000))
    assert top_up.amount == 5_000_000
    created = [merchant.call(create_payout, body=payout_in(10_000 + i)) for i in range(5)]
    assert all(p.status.value in ("CREATED", "PENDING", "PROCESSING", "SUCCEEDED") for p in created)
    assert {settled(merchant, p.payout_id).status.value for p in created} == {"SUCCEEDED"}

    listed = list(merchant.paginate(list_payouts, limit=2))  # three pages of 2, 2, 1
    assert [p.payout_id for p in listed] == [p.payout_id for p in reversed(created)]  # newest first, once each
    succeeded = list(merchant.paginate(list_payouts, limit=3, status=ListPayoutsStatusType0.SUCCEEDED))
    assert {p.payout_id for p in succeeded} == {p.payout_id for p in created}
    balance = merchant.call(get_balance, currency="PKR")
    assert (balance.available, balance.held) == (5_000_000 - sum(p.amount for p in created), 0)


def test_the_same_idempotency_key_returns_the_same_payout_and_moves_money_once(operator):
    merchant, merchant_id = new_merchant(operator)
    operator.call(top_up_balance, body=TopUpIn(merchant_id=merchant_id, currency="PKR", amount=1_000_000))
    key, ref = f"po-{uuid.uuid4().hex}", f"inv-{uuid.uuid4().hex[:8]}"
    first = merchant.call(create_payout, body=payout_in(25_000, ref), idempotency_key=key)
    again = merchant.call(create_payout, body=payout_in(25_000, ref), idempotency_key=key)
    assert again.payout_id == first.payout_id
    with pytest.raises(PayrailError) as e:  # the same key with another request
        merchant.call(create_payout, body=payout_in(26_000, ref), idempotency_key=key)
    assert e.value.status == 422 and e.value.type == "idempotency_error"
    assert [p.payout_id for p in merchant.paginate(list_payouts, merchant_reference=ref)] == [first.payout_id]
    settled(merchant, first.payout_id)
    balance = merchant.call(get_balance, currency="PKR")
    assert (balance.available, balance.held) == (1_000_000 - 25_000, 0)


class LoseFirstAnswer(httpx.BaseTransport):
    """Sends every request to the platform, but loses the answer to the first POST (as a reset
    connection would): the payout was made, the caller does not know."""

    def __init__(self):
        self.inner, self.sent = httpx.HTTPTransport(), []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, request.headers.get("idempotency-key")))
        response = self.inner.handle_request(request)
        if request.method == "POST" and len(self.sent) == 1:
            response.read()
            response.close()
            raise httpx.ReadError("connection reset after the request was sent", request=request)
        return response


def test_a_payout_whose_answer_was_lost_is_retried_with_its_key_and_made_once(cloud, operator):
    merchant, merchant_id = new_merchant(operator)
    operator.call(top_up_balance, body=TopUpIn(merchant_id=merchant_id, currency="PKR", amount=1_000_000))
    network = LoseFirstAnswer()
    flaky = Payrail(merchant.client.token, base_url=cloud["api_url"], transport=network,
                    retry=RetryPolicy(backoff_base=0.05, jitter=0))
    ref = f"inv-{uuid.uuid4().hex[:8]}"
    payout = flaky.call(create_payout, body=payout_in(30_000, ref))  # no key given: the SDK made one
    (m1, p1, k1), (m2, p2, k2) = network.sent
    assert (m1, p1) == (m2, p2) == ("POST", "/v1/payouts") and k1 and k1 == k2
    assert [p.payout_id for p in merchant.paginate(list_payouts, merchant_reference=ref)] == [payout.payout_id]
    assert settled(merchant, payout.payout_id).status.value == "SUCCEEDED"
    balance = merchant.call(get_balance, currency="PKR")
    assert (balance.available, balance.held) == (1_000_000 - 30_000, 0)  # debited once


class Recording(httpx.BaseTransport):
    """The network, recording each answer's status and ``Retry-After``."""

    def __init__(self):
        self.inner, self.answers = httpx.HTTPTransport(), []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.answers.append((response.status_code, response.headers.get("retry-after")))
        return response


def test_the_rate_limiters_retry_after_is_honoured_and_retries_are_bounded(cloud, operator):
    merchant, _ = new_merchant(operator, rate_limit_per_minute=2)
    network, slept = Recording(), []
    limited = Payrail(merchant.client.token, base_url=cloud["api_url"], transport=network, sleep=slept.append,
                      retry=RetryPolicy(max_retries=2, jitter=0))
    assert [limited.call(get_balance, currency="PKR").currency for _ in range(2)] == ["PKR", "PKR"]
    with pytest.raises(PayrailError) as e:  # the sleeps are recorded, not slept: the window is still full
        limited.call(get_balance, currency="PKR")
    assert e.value.status == 429 and e.value.code == "rate_limited"
    refused = network.answers[2:]
    assert [s for s, _ in refused] == [429, 429, 429]  # the first try and max_retries=2 retries
    assert slept == [float(after) for _, after in refused[:2]] and all(0 < s <= 60 for s in slept)


def test_a_webhook_payrail_delivered_verifies_with_the_sdk_and_a_tampered_one_does_not(cloud, operator):
    merchant, merchant_id = new_merchant(operator)
    name = f"sdk-{uuid.uuid4().hex[:10]}"
    receiver = cloud["webhook_receiver_url"]
    endpoint = merchant.call(create_webhook_endpoint, body=WebhookEndpointIn(
        url=f"{receiver}/hooks/{name}", enabled_events=["payout.succeeded"]))
    assert endpoint.secret.startswith("whsec_")
    requests.post(f"{receiver}/_control/{name}", json={"secrets": [endpoint.secret]}, timeout=5).raise_for_status()
    operator.call(top_up_balance, body=TopUpIn(merchant_id=merchant_id, currency="PKR", amount=1_000_000))
    payout = merchant.call(create_payout, body=payout_in(40_000))

    def delivered():
        got = requests.get(f"{receiver}/_received/{name}", timeout=5).json()["deliveries"]
        return next((d for d in got if d["body"] and d["body"]["object_id"] == payout.payout_id), None)
    delivery = wait_for(delivered, 60, 0.3, what="payout.succeeded delivered")
    event = WebhookVerifier(endpoint.secret).verify(delivery["raw"].encode(), delivery["headers"])
    assert (event.type_, event.object_id, event.event_id) == ("payout.succeeded", payout.payout_id,
                                                             delivery["headers"]["webhook-id"])
    assert event.data.object_["status"] == "SUCCEEDED" and event.data.object_["amount"] == 40_000
    tampered = delivery["raw"].replace('"amount": 40000', '"amount": 4000000').replace('"amount":40000',
                                                                                       '"amount":4000000')
    assert tampered != delivery["raw"]
    with pytest.raises(WebhookVerificationError):
        WebhookVerifier(endpoint.secret).verify(tampered, delivery["headers"])
    with pytest.raises(WebhookVerificationError):  # another endpoint's secret
        WebhookVerifier("whsec_" + "A" * 32).verify(delivery["raw"], delivery["headers"])


def readme_block(language: str) -> str:
    """The README's "Try it" code block in ``language`` (bash: the curl walk; python: the SDK walk)."""
    text = (ROOT / "README.md").read_text()
    try_it = text[text.index("## Try it\n"):]
    return re.search(rf"^```{language}\n(.*?)^```", try_it, re.M | re.S).group(1)


def on(cloud, block: str) -> str:
    """``block`` pointed at the session's platform instead of the default ports and admin token."""
    receiver = cloud["webhook_receiver_url"]
    return block.replace("http://127.0.0.1:3000", cloud["api_url"]).replace("http://127.0.0.1:4590", receiver) \
        .replace("local-admin-token", cloud["admin_token"])


def test_the_readmes_curl_walk_runs_as_written(cloud):
    script = on(cloud, readme_block("bash").replace("make up &", "# make up &", 1))
    assert "U=" + cloud["api_url"] in script and shutil.which("jq"), "the walk needs jq (make tools)"
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert run.returncode == 0 and not run.stderr, run.stderr
    assert not re.search(r": not [A-Z_]+$", out, re.M), out  # every wait_for reached its status
    assert '"error"' not in out, out
    for status in ("FULFILLED", "SUCCEEDED", "CONFIRMED"):
        assert f'"status":"{status}"' in out, status
    delivered = json.loads(out[out.index("[\n"):out.index("\n]") + 2])
    assert {"type": "payout.succeeded", "verified": True} in delivered
    assert {"type": "order.fulfilled", "verified": True} in delivered and all(d["verified"] for d in delivered)


def test_the_readmes_sdk_walk_runs_as_written(cloud):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(on(cloud, readme_block("python")), "README.md", "exec"), {})
    first, listed = printed.getvalue().splitlines()
    payout_id, status = first.split()
    assert payout_id.startswith("po_") and status in ("PENDING", "PROCESSING", "SUCCEEDED")
    assert [p for p, _ in ast.literal_eval(listed)] == [payout_id]
