"""LocalStack Lambda runtime executor ``payrail`` (written against LocalStack 4.9.2).

LocalStack's Lambda service runs a function through a *runtime executor*, chosen with
``LAMBDA_RUNTIME_EXECUTOR`` among the plux plugins of the namespace
``localstack.lambda.runtime_executor``. Its only built-in executor, ``docker``, starts a container
whose runtime init serves ``POST /invoke`` (port 9563) and calls LocalStack back on its executor
endpoint: ``/_localstack_lambda/<id>/status/<id>/ready`` when started, and
``/_localstack_lambda/<id>/invocations/<request id>/logs``, ``…/response`` or ``…/error`` per
invocation (``localstack/services/lambda_/invocation/executor_endpoint.py``).

This executor asks payrail's function host (``PAYRAIL_FUNCTION_HOST``, an HTTP URL on loopback)
for an execution environment instead of a container. The host opens a runtime-init stand-in on a
loopback port that speaks the same protocol and runs the function's real handler. LocalStack's
own ``ExecutorEndpoint`` sends the invocations and receives the callbacks, so everything above the
executor (environments and their reuse, concurrency, event source mappings, Step Functions tasks,
``Invoke``) is LocalStack's unchanged code.
"""
from __future__ import annotations

import logging
import os

import requests
from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import ExecutorEndpoint
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

LOG = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"


def _host() -> str:
    url = os.environ.get("PAYRAIL_FUNCTION_HOST", "").rstrip("/")
    if not url:
        raise LambdaRuntimeException("PAYRAIL_FUNCTION_HOST is not set: no payrail function host to run functions")
    return url


class PayrailRuntimeExecutor(RuntimeExecutor):
    """One Lambda execution environment, hosted by payrail's function host."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.executor_endpoint = ExecutorEndpoint(self.id, container_address=LOOPBACK)

    def start(self, env_vars: dict[str, str]) -> None:
        """Ask the host for an environment (a runtime-init stand-in on a free loopback port), then
        wait, as the Docker executor does, until it reports ready on the executor endpoint."""
        self.executor_endpoint.start()
        r = requests.post(f"{_host()}/environments", timeout=30, json={
            "id": self.id, "function_name": self.function_version.id.function_name,
            "runtime_endpoint": self.get_runtime_endpoint(),
            "env": {k: str(v) for k, v in env_vars.items()}})
        if r.status_code != 201:
            raise LambdaRuntimeException(f"payrail function host refused environment {self.id}: "
                                         f"{r.status_code} {r.text[:500]}")
        self.executor_endpoint.container_port = r.json()["port"]
        self.executor_endpoint.wait_for_startup()

    def stop(self) -> None:
        try:
            requests.delete(f"{_host()}/environments/{self.id}", timeout=10)
        except (requests.RequestException, LambdaRuntimeException) as e:
            LOG.debug("payrail function host: stopping environment %s: %s", self.id, e)
        try:
            self.executor_endpoint.shutdown()
        except Exception as e:  # noqa: BLE001 - not registered when start() failed early
            LOG.debug("executor endpoint %s: %s", self.id, e)

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        return LOOPBACK

    def get_runtime_endpoint(self) -> str:
        return f"http://{LOOPBACK}:{config.GATEWAY_LISTEN[0].port}{self.executor_endpoint.get_endpoint_prefix()}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        return self.executor_endpoint.invoke(payload)

    def get_logs(self) -> str:
        try:
            return requests.get(f"{_host()}/environments/{self.id}/logs", timeout=5).text
        except (requests.RequestException, LambdaRuntimeException) as e:
            return f"payrail function host unreachable: {e}"

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        """Nothing to pull or build; the host must know the function (else the version fails)."""
        name = function_version.id.function_name
        r = requests.get(f"{_host()}/functions/{name}", timeout=10)
        if r.status_code != 200:
            raise LambdaRuntimeException(f"payrail function host has no function {name!r} ({r.status_code})")

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        if not os.environ.get("PAYRAIL_FUNCTION_HOST"):
            LOG.warning("LAMBDA_RUNTIME_EXECUTOR=payrail needs PAYRAIL_FUNCTION_HOST (payrail's function host URL)")
            return False
        return True


class PayrailRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "payrail"

    def load(self, *args, **kwargs):
        return PayrailRuntimeExecutor
