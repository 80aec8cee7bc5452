"""The LocalStack target's own pieces, without LocalStack: the runtime-init stand-in speaks
LocalStack's executor protocol (checked against a recording stand-in for LocalStack's executor
endpoint), and the staged packages are where LocalStack 4.9.2 looks for them."""
import io
import json
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from infra.local.httpserver import JsonHandler, serve
from infra.local.localstack import engine
from infra.local.localstack.host import FunctionHost


class RecordingEndpoint:
    """Records the callbacks LocalStack's ``ExecutorEndpoint`` would receive."""

    def __init__(self):
        self.calls: list[tuple[str, str, object]] = []
        self.done = threading.Event()
        rec = self

        class H(JsonHandler):
            def do_POST(self):
                n = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(n)
                rec.calls.append((self.path, self.headers.get("content-type", ""), json.loads(raw)))
                if self.path.endswith(("/ready", "/response", "/error")):
                    rec.done.set()
                self.reply(202, {})

        self.server = serve("127.0.0.1", 0, H, "fake-localstack")
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/_localstack_lambda/env1"

    def wait(self) -> list:
        assert self.done.wait(10)
        self.done.clear()
        return self.calls


class StubFunctions:
    """What the host needs of ``runtime.Functions``: ``by_name`` and ``invoke``."""

    def __init__(self, behaviour):
        self.by_name = {"payrail-fn": SimpleNamespace(id="fn", timeout=30)}
        self.behaviour = behaviour

    def invoke(self, fn_id, event):
        return self.behaviour(event)


@pytest.fixture
def environment(monkeypatch):
    """``(start(behaviour, env) -> (port, endpoint))``: one environment from a running host."""
    made = []

    def start(behaviour, env=None):
        endpoint = RecordingEndpoint()
        host = FunctionHost(StubFunctions(behaviour))
        srv = host.serve(0)
        made.append((endpoint, host, srv))
        url = f"http://127.0.0.1:{srv.server_address[1]}"
        assert requests.get(f"{url}/functions/payrail-fn", timeout=5).status_code == 200
        assert requests.get(f"{url}/functions/nope", timeout=5).status_code == 404
        r = requests.post(f"{url}/environments", timeout=5, json={
            "id": "env1", "function_name": "payrail-fn", "runtime_endpoint": endpoint.url,
            "env": {"AWS_LAMBDA_FUNCTION_NAME": "payrail-fn", "AWS_LAMBDA_FUNCTION_TIMEOUT": "1", **(env or {})}})
        assert r.status_code == 201
        return r.json()["port"], endpoint

    yield start
    for endpoint, host, srv in made:
        host.stop()
        for s in (srv, endpoint.server):
            s.shutdown()
            s.server_close()


def invoke(port: int, payload: dict, request_id: str = "req-1") -> requests.Response:
    return requests.post(f"http://127.0.0.1:{port}/invoke", timeout=5, json={
        "invoke-id": request_id, "invoked-function-arn": "arn:aws:lambda:us-east-1:0:function:payrail-fn",
        "payload": json.dumps(payload), "trace-id": "Root=1-0-0"})


def test_ready_then_logs_and_the_result_as_the_runtime_init_reports_them(environment):
    port, endpoint = environment(lambda event: {"echo": event["n"] + 1})
    assert [c[0] for c in endpoint.wait()] == ["/_localstack_lambda/env1/status/env1/ready"]
    assert invoke(port, {"n": 41}).status_code == 202
    calls = endpoint.wait()[1:]
    assert [c[0] for c in calls] == ["/_localstack_lambda/env1/invocations/req-1/logs",
                                     "/_localstack_lambda/env1/invocations/req-1/response"]
    assert all(c[1] == "application/json" for c in calls)  # LocalStack reads the logs with request.json
    assert "START RequestId: req-1" in calls[0][2]["logs"] and "REPORT RequestId: req-1" in calls[0][2]["logs"]
    assert calls[1][2] == {"echo": 42}


def test_an_exception_is_an_error_named_after_its_class_and_a_timeout_is_sandbox_timedout(environment):
    class ProviderTransientError(Exception):
        pass

    def behaviour(event):
        if event.get("sleep"):
            time.sleep(event["sleep"])
        raise ProviderTransientError("provider answered 503")

    port, endpoint = environment(behaviour)
    endpoint.wait()
    invoke(port, {}, "req-err")
    path, _, error = endpoint.wait()[-1]
    assert path.endswith("/invocations/req-err/error")
    assert (error["errorType"], error["errorMessage"]) == ("ProviderTransientError", "provider answered 503")
    invoke(port, {"sleep": 3}, "req-slow")  # the function's timeout is 1 s
    path, _, error = endpoint.wait()[-1]
    assert path.endswith("/invocations/req-slow/error") and error["errorType"] == "Sandbox.Timedout"
    assert "timed out after 1.00 seconds" in error["errorMessage"]


def test_an_environment_whose_configuration_differs_from_the_host_fails_to_start(environment, monkeypatch):
    monkeypatch.setenv("MAIN_TABLE", "payrail-main")
    port, endpoint = environment(lambda event: None, env={"MAIN_TABLE": "another-table", "AWS_REGION": "x"})
    [(path, _, body)] = endpoint.wait()
    assert path == "/_localstack_lambda/env1/status/env1/error" and "MAIN_TABLE" in body["errorMessage"]
    assert "AWS_REGION" not in body["errorMessage"]  # LocalStack's own variables are not configuration


def test_the_noop_agent_jar_is_accepted_by_the_jvm(tmp_path):
    jar = tmp_path / "agent.jar"
    jar.write_bytes(engine.noop_agent_jar())
    with zipfile.ZipFile(io.BytesIO(jar.read_bytes())) as z:
        assert "Premain-Class: PayrailNoopAgent" in z.read("META-INF/MANIFEST.MF").decode()
    if not shutil.which("java"):
        pytest.skip("no java")
    r = subprocess.run(["java", f"-javaagent:{jar}", "-version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr  # a broken agent jar aborts the JVM


def test_staged_packages_are_where_localstack_looks(tmp_path):
    engine.stage_packages(tmp_path)
    engine.stage_packages(tmp_path)  # idempotent
    libs = tmp_path / "var/lib/localstack/lib"
    # DynamoDBLocalPackageInstaller("dynamodb-local", "2"): marker DynamoDBLocal.jar, agent ddb-local-loader-0.1.jar
    assert (libs / "dynamodb-local/2/DynamoDBLocal.jar").is_file()
    assert (libs / "dynamodb-local/2/DynamoDBLocal_lib").is_dir()
    assert (libs / "dynamodb-local/2/ddb-local-loader-0.1.jar").is_file()
    # JavaPackageInstaller("21"): marker bin/java
    assert (libs / "java/21/bin/java").is_file()


def test_the_docker_path_zip_carries_the_layer_and_its_handler_imports_from_it(tmp_path):
    """LocalStack's Docker image has no layers (community edition), so each zip carries the layer;
    the handler imports payrail, Powertools and pydantic from the zip alone (boto3 is the runtime's)."""
    import boto3

    from infra import catalog, layer
    from infra.local.provision import _zip

    fn = catalog.FUNCTIONS["dispatcher"]
    built = layer.build(tmp_path / "layer")
    # the layer ships bytecode for the runtime's Python (Lambda's /opt is read-only: without it every
    # cold start compiles each module), hash-based and unchecked so the asset's file times do not matter
    tag = f"cpython-{layer.PYTHON_VERSION.replace('.', '')}"
    for module in ("payrail/core/__pycache__/ledger", "pydantic/__pycache__/main", "aws_lambda_powertools/__pycache__/__init__"):
        flags = int.from_bytes((built / f"{module}.{tag}.pyc").read_bytes()[4:8], "little")
        assert flags == 0b01, module  # hash-based, source not checked
    with zipfile.ZipFile(io.BytesIO(_zip(fn, built))) as z:
        names = set(z.namelist())
        assert {"handler.py", "payrail/core/ledger.py", "aws_lambda_powertools/__init__.py"} <= names
        z.extractall(tmp_path / "task")
    runtime_site = str(Path(boto3.__file__).parent.parent)  # stands in for the Lambda runtime's boto3
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path / 'task'}:{runtime_site}", "AWS_DEFAULT_REGION": "us-east-1",
           **catalog.resource_env(fn, {t: t for t in catalog.TABLES}, {q: f"http://q/{q}" for q in catalog.QUEUES},
                                  {m: f"arn:m:{m}" for m in catalog.STATE_MACHINES}, "bucket", {})}
    out = subprocess.run([sys.executable, "-S", "-c", "import handler, payrail, pydantic, aws_lambda_powertools as p; "
                          "print(handler.lambda_handler, payrail.__file__, pydantic.__file__, p.__file__)"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count(str(tmp_path / "task")) == 3


def test_stop_also_ends_what_localstack_started_in_a_session_of_its_own():
    """LocalStack starts DynamoDB Local with start_new_session: a signal to LocalStack's process
    group misses it, so ``engine.stop`` kills it by process id."""
    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except FileNotFoundError:
            return False

    proc = subprocess.Popen([sys.executable, "-c", "import subprocess, time; c = subprocess.Popen(['sleep', '60'], "
                             "start_new_session=True); print(c.pid, flush=True); time.sleep(60)"],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    child = int(proc.stdout.readline())
    assert running(child)
    engine.stop(proc)
    assert proc.poll() is not None
    deadline = time.monotonic() + 5
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(child)
