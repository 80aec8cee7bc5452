"""``payrail listen`` and ``payrail trigger`` against the real local platform: a listening session
forwards a triggered ``payout.succeeded`` to a local receiver, signed with the secret it printed
(verified there by ``standardwebhooks`` and here again), and deletes its endpoint on exit; every
event type ``trigger --list`` names is emitted for real for one merchant's objects."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from standardwebhooks import Webhook
from typer.testing import CliRunner

from infra.cli.hooks import NOT_TRIGGERABLE, TRIGGERS
from infra.cli.main import app
from infra.tools.client import ApiError, wait_for
from payrail.core.events import EVENT_TYPES
from tests.integration.test_webhooks import Receiver

PAYRAIL = Path(sys.executable).with_name("payrail")


@pytest.fixture(scope="module")
def shop(admin):
    """One merchant for the module: ``(client, merchant_id)``."""
    m = admin.create_merchant(f"cli-hooks-{uuid.uuid4().hex[:6]}")
    return admin.as_merchant(m["api_key"]), m["merchant"]["merchant_id"]


@pytest.fixture
def env(cloud, shop, tmp_path) -> dict:
    """The CLI's environment: the local platform's description (the fulfilment stand-in), the API,
    the admin token and the merchant's key."""
    (tmp_path / "cloud.json").write_text(json.dumps(cloud))
    return {"PAYRAIL_URL": cloud["api_url"], "PAYRAIL_ADMIN_TOKEN": cloud["admin_token"],
            "PAYRAIL_API_KEY": shop[0].api_key, "PAYRAIL_DATA_DIR": str(tmp_path),
            "PAYRAIL_PROFILES": str(tmp_path / "no-profiles.toml")}


def run(env: dict, *args: str):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_listen_forwards_a_triggered_payout_succeeded_signed_and_deletes_its_endpoint(cloud, shop, env):
    client, _ = shop
    receiver = Receiver(cloud["webhook_receiver_url"])
    session = subprocess.Popen([str(PAYRAIL), "listen", "--forward-to", receiver.url, "--events", "payout.succeeded",
                                "--max-events", "1", "--json"], env=os.environ | env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(session.stdout.readline())
        assert ready["ready"] and ready["secret"].startswith("whsec_") and ready["enabled_events"] == ["payout.succeeded"]
        endpoint = client.webhook_endpoint(ready["endpoint_id"])
        assert endpoint["url"].startswith("http://127.0.0.1:") and endpoint["status"] == "enabled"
        receiver.control(secrets=[ready["secret"]])  # the receiver trusts the secret listen printed

        triggered = run(env, "trigger", "payout.succeeded", "--json")
        assert triggered.exit_code == 0, triggered.output
        event = json.loads(triggered.stdout)
        assert event["event_type"] == "payout.succeeded" and event["object_id"].startswith("po_")

        got = receiver.wait_delivered({event["event_id"]})[0]
        body = Webhook(ready["secret"]).verify(got["raw"], got["headers"])  # verified here too
        assert got["verified"] and body["type"] == "payout.succeeded" and body["event_id"] == event["event_id"]
        assert body["data"]["object"]["status"] == "SUCCEEDED"
        assert {k: v for k, v in client.event(event["event_id"]).items() if k != "deliveries"} == body
        line = json.loads(session.stdout.readline())  # its status line
        assert (line["event_id"], line["type"], line["status"]) == (event["event_id"], "payout.succeeded", 200)
        assert session.wait(timeout=30) == 0
    finally:
        if session.poll() is None:
            session.terminate()
            session.wait(timeout=30)
    with pytest.raises(ApiError) as e:  # the temporary endpoint is gone
        client.webhook_endpoint(ready["endpoint_id"])
    assert e.value.status == 404


def test_trigger_list_names_every_event_type_once():
    listed = json.loads(CliRunner().invoke(app, ["trigger", "--list", "--json"]).stdout)
    types = [t["type"] for t in listed["triggers"]]
    assert sorted(types + list(listed["not_triggerable"])) == sorted(EVENT_TYPES)
    text = CliRunner().invoke(app, ["trigger", "--list"]).stdout
    assert all(t in text for t in types)


def test_trigger_answers_an_unknown_or_untriggerable_type_with_one_line(env):
    for args, says in ((["trigger", "payout.teleported"], "unknown event type"),
                       (["trigger", next(iter(NOT_TRIGGERABLE))], "cannot be triggered")):
        r = run(env, *args)
        assert r.exit_code == 1 and "Traceback" not in r.output
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0]


@pytest.mark.parametrize("event_type", list(TRIGGERS))
def test_trigger_emits_the_event_for_real(event_type, shop, env):
    client, _ = shop
    r = run(env, "trigger", event_type, "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    event = client.event(got["event_id"])  # in the merchant's own event log
    assert event["type"] == event_type and event["object_id"] == got["object_id"]


def test_the_webhooks_guide_lists_every_trigger():
    text = (Path(__file__).resolve().parents[2] / "docs/events-and-webhooks.md").read_text()
    for event_type, (how, _) in TRIGGERS.items():
        assert f"| `{event_type}` | {how} |" in text, event_type
    assert all(f"`{t}` ({why})" in text for t, why in NOT_TRIGGERABLE.items())


def test_listen_deletes_its_endpoint_when_stopped(shop, env):
    client, _ = shop
    session = subprocess.Popen([str(PAYRAIL), "listen", "--forward-to", "http://127.0.0.1:9/hooks", "--json"],
                               env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(session.stdout.readline())
        assert client.webhook_endpoint(ready["endpoint_id"])["enabled_events"] == ["*"]
        session.send_signal(signal.SIGTERM)
        assert session.wait(timeout=30) == 0
    finally:
        if session.poll() is None:
            session.kill()
    with pytest.raises(ApiError) as e:
        client.webhook_endpoint(ready["endpoint_id"])
    assert e.value.status == 404
