"""The local runtime enforces each function's timeout as Lambda does, and the HTTP API emulator
answers a timed-out or unanswered integration as API Gateway HTTP API does."""
import json
import time

import pytest
import requests

from infra.catalog import Function, Grants
from infra.local.process import free_port
from infra.local.runtime import Functions, FunctionTimedOut, serve_api


class SleepyLoader:
    """Loads a handler that sleeps ``sleep`` seconds (from the event or the query string); counts loads
    (one per execution environment, i.e. per cold start)."""

    def __init__(self):
        self.loads = 0

    def __call__(self, fn, instance):
        self.loads += 1

        def lambda_handler(event, context):
            time.sleep(float((event.get("queryStringParameters") or event).get("sleep", 0)))
            return {"statusCode": 200, "body": json.dumps({"slept": True})}
        return lambda_handler


def test_an_invocation_past_its_timeout_fails_and_its_environment_is_discarded():
    loader = SleepyLoader()
    fn = Function("sleepy", env=(), grants=Grants(), timeout=1)
    functions = Functions({}, {"sleepy": fn}, loader)
    t0 = time.monotonic()
    with pytest.raises(FunctionTimedOut, match=r"Task timed out after 1\.00 seconds"):
        functions.invoke("sleepy", {"sleep": 4})
    assert time.monotonic() - t0 < 3  # stopped waiting at the timeout, not at the handler's end
    assert functions.invoke("sleepy", {"sleep": 0})["statusCode"] == 200
    assert loader.loads == 2  # the timed-out environment was not reused: a new one (cold start)
    functions.invoke("sleepy", {"sleep": 0})
    assert loader.loads == 2  # a healthy environment is reused
    assert functions.stats()["sleepy"] == {"environments": 2, "invocations": 3, "errors": 1, "timeouts": 1}
    payload, is_error = functions.invoke_by_name(fn.name, {"sleep": 4})  # what Step Functions sees
    assert is_error and json.loads(payload)["errorType"] == "Sandbox.Timedout"


@pytest.mark.parametrize("timeout, integration_timeout, status, message", [
    (1, 30.0, 500, "Internal Server Error"),  # Lambda's timeout first: a function error
    (5, 0.5, 503, "Service Unavailable"),  # the HTTP API's integration timeout first
])
def test_http_api_answers_a_slow_function_like_api_gateway(timeout, integration_timeout, status, message):
    functions = Functions({}, {"web": Function("web", env=(), grants=Grants(), timeout=timeout, http=True)},
                          SleepyLoader())
    port = free_port()
    server = serve_api(functions, "127.0.0.1", port, integration_timeout=integration_timeout)
    try:
        assert requests.get(f"http://127.0.0.1:{port}/?sleep=0", timeout=10).status_code == 200
        r = requests.get(f"http://127.0.0.1:{port}/?sleep=2", timeout=10)
        assert (r.status_code, r.json()) == (status, {"message": message})
    finally:
        server.shutdown()
        server.server_close()
