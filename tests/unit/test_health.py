"""Readiness answers within seconds whatever is down: checks run in parallel under one deadline,
with short client timeouts and no SDK retries."""
import socket
import threading
import time

import pytest

from payrail.platform import Platform
from payrail.core.settings import Settings


@pytest.fixture
def black_hole():
    """An endpoint that accepts connections and never answers: ``http://127.0.0.1:<port>``."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # keep it open, read nothing, answer nothing
            except OSError:
                continue
    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    for conn in held:
        conn.close()
    server.close()


def test_health_answers_within_its_deadline_when_every_dependency_hangs(black_hole, monkeypatch):
    for k, v in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
                 "AWS_ENDPOINT_URL": black_hole, "AWS_ENDPOINT_URL_DYNAMODB": black_hole}.items():
        monkeypatch.setenv(k, v)
    platform = Platform(Settings(fulfilment_queue_url=f"{black_hole}/000000000000/payrail-fulfilment",
                                 payout_queue_url=f"{black_hole}/000000000000/payrail-payouts"))
    answer: dict = {}
    t0 = time.monotonic()
    # on a daemon thread, so a hanging health check fails this test at the bound instead of hanging it
    worker = threading.Thread(target=lambda: answer.update(platform.health()), daemon=True)
    worker.start()
    worker.join(8)
    elapsed = time.monotonic() - t0
    assert not worker.is_alive(), "no answer within 8 s (one SDK read timeout is 10 s)"
    assert elapsed < 8 and answer["ok"] is False
    failing = {name for name, c in answer["checks"].items() if not c["ok"]}
    assert failing == {"dynamodb:payrail-ledger", "dynamodb:payrail-main", "dynamodb:payrail-idempotency",
                       "dynamodb:payrail-events", "sqs:fulfilment", "sqs:payouts"}
    assert all(c["error"] for c in answer["checks"].values())
