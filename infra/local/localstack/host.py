"""payrail's function host for LocalStack's Lambda service (the other half of the ``payrail``
runtime executor in ``plugin/payrail_localstack_executor.py``).

The executor, inside LocalStack, asks this host for an execution environment; the host answers
with a *runtime-init stand-in*: a loopback HTTP server that speaks the protocol of LocalStack's
runtime init (``localstack/services/lambda_/invocation/executor_endpoint.py`` at v4.9.2):

* on start it POSTs ``<runtime endpoint>/status/<id>/ready`` (or ``…/status/<id>/error``);
* it serves ``POST /invoke`` with ``{"invoke-id", "invoked-function-arn", "payload", "trace-id"}``,
  answers 202 at once, runs the handler and POSTs ``…/invocations/<invoke-id>/logs``
  (``{"logs": text}``) and then ``…/response`` (the result as JSON) or ``…/error``
  (``{"errorType", "errorMessage", "stackTrace"}``; errorType is the exception class name, so
  Step Functions ``Retry``/``Catch`` match it as on AWS).

The handler runs through ``runtime.Functions`` in this process, so each LocalStack environment
maps to one payrail execution environment at a time, as in the embedded target. The function's
configuration held by LocalStack (its environment variables) must equal what this process runs
the handlers with; an environment whose configuration differs fails to start, visibly.

Control API (loopback only): ``GET /functions/<name>``, ``POST /environments``
``{"id", "function_name", "runtime_endpoint", "env"}`` -> 201 ``{"port"}``,
``DELETE /environments/<id>``, ``GET /environments/<id>/logs``.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import traceback

import boto3
import requests
from botocore.config import Config

from infra import catalog
from infra.local.httpserver import JsonHandler, LoopbackServer, serve
from infra.local.runtime import Functions

log = logging.getLogger("payrail.local")

#: variables LocalStack sets for every environment (its own or AWS's reserved ones); the rest of
#: the environment it passes is the function's configuration, which must match this process
_RESERVED_PREFIXES = ("AWS_", "_AWS_", "LAMBDA_", "LOCALSTACK_", "_HANDLER", "TZ", "EDGE_PORT", "_X_AMZN")


class RuntimeInit:
    """One execution environment of one function: a runtime-init stand-in on ``host:<free port>``.
    Serves one invocation at a time (LocalStack never sends two to one environment)."""

    def __init__(self, functions: Functions, fn_id: str, env_id: str, runtime_endpoint: str, env: dict[str, str],
                 host: str):
        self.functions, self.fn_id, self.id = functions, fn_id, env_id
        self.callback = runtime_endpoint.rstrip("/")
        self.timeout = float(env.get("AWS_LAMBDA_FUNCTION_TIMEOUT") or catalog.FUNCTIONS[fn_id].timeout)
        self.version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.http = requests.Session()
        self.http.trust_env = False  # callbacks go to loopback, never through a proxy
        self.logs: list[str] = []
        init = self

        class Handler(JsonHandler):
            def do_POST(self):
                if self.path != "/invoke":
                    return self.reply(404, {"message": "not found"})
                body = self.body()
                self.reply(202, {})  # the init answers at once; the outcome goes to the callbacks
                init.invoke(body)

        self.server: LoopbackServer = serve(host, 0, Handler, f"init-{fn_id}")
        self.port = self.server.server_address[1]
        problem = self._config_mismatch(env)
        if problem:
            self._post(f"status/{self.id}/error", {"errorType": "Runtime.InvalidConfiguration", "errorMessage": problem})
        else:
            self._post(f"status/{self.id}/ready", {})

    @staticmethod
    def _config_mismatch(env: dict[str, str]) -> str | None:
        """The function's configured variables that this process would run with another value."""
        wrong = sorted(k for k, v in env.items() if not k.startswith(_RESERVED_PREFIXES) and os.environ.get(k) != v)
        return f"function configuration differs from the function host's for {wrong}" if wrong else None

    def _post(self, path: str, payload: dict | bytes) -> None:
        """POST a callback; dicts as JSON, bytes (a function's result, already JSON) as they are."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.http.post(f"{self.callback}/{path}", data=data, headers={"content-type": "application/json"},
                       timeout=30).raise_for_status()

    def invoke(self, body: dict) -> None:
        """Run one invocation with the function's timeout; report logs, then the result or error."""
        request_id = body["invoke-id"]
        done: dict = {}  # "response": JSON bytes, or "error": the error document

        def run():
            try:
                result = self.functions.invoke(self.fn_id, json.loads(body.get("payload") or "null"))
            except Exception as e:  # noqa: BLE001 - Lambda reports any exception as a function error
                done["error"] = {"errorType": type(e).__name__, "errorMessage": str(e),
                                 "stackTrace": traceback.format_exc().splitlines()[-8:]}
                return
            try:
                done["response"] = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                done["error"] = {"errorType": "Runtime.MarshalError", "errorMessage": f"Unable to marshal response: {e}"}

        t0 = time.monotonic()
        worker = threading.Thread(target=run, name=f"fn-{self.fn_id}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        elapsed = (time.monotonic() - t0) * 1000
        outcome = dict(done)
        if worker.is_alive():  # as Lambda: the caller gets Sandbox.Timedout; the stuck thread is abandoned
            outcome = {"error": {"errorType": "Sandbox.Timedout", "errorMessage":
                                 f"RequestId: {request_id} Error: Task timed out after {self.timeout:.2f} seconds"}}
        lines = [f"START RequestId: {request_id} Version: {self.version}"]
        if "error" in outcome:
            lines.append(f"[ERROR] {outcome['error']['errorType']}: {outcome['error']['errorMessage']}")
        lines += [f"END RequestId: {request_id}", f"REPORT RequestId: {request_id}\tDuration: {elapsed:.2f} ms"]
        self.logs = (self.logs + lines)[-200:]
        try:
            self._post(f"invocations/{request_id}/logs", {"logs": "\n".join(lines) + "\n"})
            if "error" in outcome:
                self._post(f"invocations/{request_id}/error", outcome["error"])
            else:
                self._post(f"invocations/{request_id}/response", outcome["response"])
        except requests.RequestException:
            log.exception("environment %s: reporting invocation %s to LocalStack", self.id, request_id)

    def stop(self) -> None:
        """Close the stand-in without waiting (``shutdown`` takes up to half a second, and
        LocalStack stops its environments one after another)."""
        def close():
            self.server.shutdown()
            self.server.server_close()
        threading.Thread(target=close, name=f"stop-{self.id}", daemon=True).start()


class FunctionHost:
    """Hosts LocalStack's execution environments of payrail's functions (see the module doc)."""

    def __init__(self, functions: Functions, host: str = "127.0.0.1"):
        self.functions, self.host = functions, host
        self.environments: dict[str, RuntimeInit] = {}
        self._lock = threading.Lock()

    def serve(self, port: int) -> LoopbackServer:
        host = self

        class Handler(JsonHandler):
            def do_GET(self):
                parts = self.path.strip("/").split("/")
                if parts[0] == "functions" and len(parts) == 2:
                    known = parts[1] in host.functions.by_name
                    return self.reply(200 if known else 404, {"function": parts[1], "known": known})
                if parts[0] == "environments" and len(parts) == 3 and parts[2] == "logs":
                    env = host.environments.get(parts[1])
                    return self.reply(200, None, raw="\n".join(env.logs if env else ["no such environment"]).encode())
                self.reply(404, {"message": "not found"})

            def do_POST(self):
                if self.path != "/environments":
                    return self.reply(404, {"message": "not found"})
                req = self.body()
                fn = host.functions.by_name.get(req.get("function_name"))
                if fn is None:
                    return self.reply(404, {"message": f"no function {req.get('function_name')!r}"})
                env = RuntimeInit(host.functions, fn.id, req["id"], req["runtime_endpoint"], req.get("env") or {},
                                  host.host)
                with host._lock:
                    host.environments[env.id] = env
                self.reply(201, {"port": env.port})

            def do_DELETE(self):
                env_id = self.path.strip("/").split("/")[-1]
                with host._lock:
                    env = host.environments.pop(env_id, None)
                if env:
                    env.stop()
                self.reply(200 if env else 404, {"id": env_id})

        return serve(self.host, port, Handler, "function-host")

    def stop(self) -> None:
        with self._lock:
            envs, self.environments = list(self.environments.values()), {}
        for env in envs:
            env.stop()


class FunctionError(Exception):
    """A function error reported by LocalStack's Lambda ``Invoke`` (``X-Amz-Function-Error``)."""


class LambdaInvoker:
    """Invokes a catalog function through LocalStack's Lambda ``Invoke`` API, synchronously, as API
    Gateway's Lambda integration does (no client retries). Duck-types ``Functions.invoke`` so the
    HTTP API emulator (``runtime.serve_api``) can sit in front of LocalStack's Lambda."""

    def __init__(self, endpoint_url: str, region: str):
        self.functions = catalog.FUNCTIONS  # as Functions has them (serve_api looks up the http function)
        self.names = {f.id: f.name for f in catalog.FUNCTIONS.values()}
        timeout = max(f.timeout for f in catalog.FUNCTIONS.values()) + 10
        self.client = boto3.client("lambda", endpoint_url=endpoint_url, region_name=region, config=Config(
            max_pool_connections=256, read_timeout=timeout, retries={"total_max_attempts": 1}))

    def invoke(self, fn_id: str, event: dict):
        """Returns the function's result; raises FunctionError on a function error."""
        r = self.client.invoke(FunctionName=self.names[fn_id], Payload=json.dumps(event).encode())
        payload = json.loads(r["Payload"].read() or b"null")
        if r.get("FunctionError"):
            raise FunctionError(f"{self.names[fn_id]}: {payload}")
        return payload
