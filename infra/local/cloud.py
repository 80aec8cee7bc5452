"""Start, supervise and stop the whole local platform in one process."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from infra import catalog, layer
from infra.local import engines, environments, provision, runtime, services
from infra.local.config import LocalConfig
from infra.local.localstack import engine as localstack_engine
from infra.local.localstack.host import FunctionHost, LambdaInvoker
from infra.local.standins import STANDINS
from infra.local.standins.webhook_receiver import serve_webhook_receiver

log = logging.getLogger("payrail.local")


class LocalCloud:
    """The local cloud on its target: ``embedded`` (DynamoDB Local, moto, payrail's event sources)
    or ``localstack`` (LocalStack's services, its Lambda running the handlers in payrail's function
    host). ``start()`` brings everything up; ``stop()`` ends every process and thread it started.
    Usable as a context manager."""

    def __init__(self, config: LocalConfig):
        self.config = config
        self.stop_event = threading.Event()
        self._ddb_proc: subprocess.Popen | None = None
        self._moto_proc: subprocess.Popen | None = None
        self._localstack_proc: subprocess.Popen | None = None
        self.localstack_ready_seconds: float | None = None
        self.host: FunctionHost | None = None
        self._servers: list = []
        self.resources: provision.Resources | None = None
        self.functions: runtime.Functions | None = None
        self.function_env: dict[str, str] = {}

    # ------------------------------------------------------------------------------------------
    def start(self) -> "LocalCloud":
        c = self.config
        c.logs_dir.mkdir(parents=True, exist_ok=True)
        ports = [(c.api_port, "HTTP API"), (c.fulfilment_port, "fulfilment service"),
                 (c.webhook_receiver_port, "webhook receiver"), (c.runtime_port, "function runtime")]
        ports += [(port, f"{name} stand-in") for name, port in c.standin_ports.items()]
        if c.localstack and not c.endpoint_url:
            ports.append((c.localstack_port, "LocalStack"))
        if not c.localstack and not c.endpoint_url:
            ports.append((c.moto_port, "moto server"))
        if not c.localstack and not c.dynamodb_endpoint_url:
            ports.append((c.dynamodb_port, "DynamoDB Local"))
        for port, what in ports:
            engines.ensure_free(c.host, port, what)
        os.environ.update(c.client_env())
        os.environ.update({"POWERTOOLS_LOG_LEVEL": c.log_level, "POWERTOOLS_METRICS_DISABLED": "true",
                           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_DEV": "false"})
        try:
            t0 = time.monotonic()
            if c.process_functions:  # the fork server imports while the engines start
                threading.Thread(target=environments.start, name="forkserver", daemon=True).start()
            self.functions = runtime.Functions({}, loader=environments.loader(c.process_functions,
                                                                                c.logs_dir / "functions.log"))
            if c.localstack:
                self._start_localstack()
            else:
                self._start_embedded()
            self.resources = provision.provision(c, layer=self._layer())
            self.functions.arns = self.resources.function_arns
            self._set_function_env()
            for name, port in c.standin_ports.items():  # their transfers live on in data_dir
                self._servers.append(STANDINS[name].serve(c.host, port, c.data_dir, c.connector_credentials()[name],
                                                          f"{c.api_url}/v1/callbacks/{name}")[0])
            self._servers.append(services.serve_fulfilment(c.host, c.fulfilment_port, c.data_dir / "fulfilment.json")[0])
            self._servers.append(serve_webhook_receiver(c.host, c.webhook_receiver_port)[0])
            if not c.localstack:  # on LocalStack, its event source mappings and EventBridge do this
                self._start_event_sources()
            # the HTTP API emulator (API Gateway HTTP APIs are not in LocalStack's community edition)
            # invokes the api function through LocalStack's Lambda on that target
            api = LambdaInvoker(c.aws_endpoint, c.region) if c.localstack else self.functions
            self._servers.append(runtime.serve_api(api, c.host, c.api_port))
            log.info("local cloud up in %.1fs", time.monotonic() - t0)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_embedded(self) -> None:
        c = self.config
        if not c.dynamodb_endpoint_url:
            self._ddb_proc = engines.start_dynamodb_local(
                c.host, c.dynamodb_port, c.data_dir / "dynamodb" if c.persist else None, c.logs_dir / "dynamodb.log")
        self._servers.append(runtime.serve_invoke(self.functions, c.host, c.runtime_port))
        if not c.endpoint_url:
            self._moto_proc = engines.start_moto(c.host, c.moto_port, c.invoke_url, c.logs_dir / "moto.log")

    def _start_localstack(self) -> None:
        """The function host first (LocalStack's executor calls it as soon as a function is
        created), then LocalStack, unless ``endpoint_url`` names one already running."""
        c = self.config
        self.host = FunctionHost(self.functions, c.host)
        self._servers.append(self.host.serve(c.runtime_port))
        if not c.endpoint_url:
            self._localstack_proc, self.localstack_ready_seconds = localstack_engine.start(
                c.localstack_venv, c.host, c.localstack_port, c.data_dir / "localstack",
                f"http://{c.host}:{c.runtime_port}", c.logs_dir / "localstack.log")

    def _layer(self) -> Path | None:
        """LocalStack's Docker image (an ``endpoint_url`` on the localstack target) runs each
        function's zip in a Lambda container and has no layers: the zips carry the layer."""
        if not (self.config.localstack and self.config.endpoint_url):
            return None
        out = self.config.data_dir / "layer"
        shutil.rmtree(out, ignore_errors=True)
        return layer.build(out)

    def _set_function_env(self) -> None:
        """Every function runs in this process, so the union of their environments is set once;
        the values are those the CDK stack gives each function (also published in cloud.json)."""
        self.function_env.update(catalog.RUNTIME_ENV)
        for env in self.resources.function_env.values():
            self.function_env.update(env)
        os.environ.update(self.function_env)

    def _start_event_sources(self) -> None:
        r = self.resources
        for fn in catalog.FUNCTIONS.values():
            if fn.sqs:
                runtime.SqsPoller(self.functions, fn, r.queue_urls[fn.sqs.queue], r.queue_arns[fn.sqs.queue],
                                  self.config.region, self.stop_event).start()
            if fn.stream:
                runtime.StreamPoller(self.functions, fn, r.stream_arns[fn.stream.table], self.config.region,
                                     self.stop_event).start()
        if self.config.schedules:
            runtime.Scheduler(self.config.region, self.stop_event).start()

    # ------------------------------------------------------------------------------------------
    def describe(self) -> dict:
        """What a client needs to reach this cloud (written to ``<data_dir>/cloud.json``):
        endpoints, resource names, ``client_env`` (credentials and endpoints for boto3) and
        ``function_env`` (what the functions run with, for running a handler in another process),
        ``standins`` (each payout connector's stand-in, with its ``/_control`` and ``/_stats``),
        ``pids`` (the engine processes this cloud started: ``dynamodb``, ``moto``; none on LocalStack
        or with external endpoints), for fault-injection tests that pause or stop an engine."""
        c, r = self.config, self.resources
        return {"target": c.target, "api_url": c.api_url, "runtime_url": f"http://{c.host}:{c.runtime_port}",
                "aws_endpoint": c.aws_endpoint, "dynamodb_endpoint": c.dynamodb_endpoint,
                "standins": {name: c.standin_url(name) for name in c.standin_ports},
                "fulfilment_url": c.fulfilment_url, "webhook_receiver_url": c.webhook_receiver_url,
                "runtime_url": f"http://{c.host}:{c.runtime_port}",
                "event_bus": catalog.EVENT_BUS.name, "region": c.region,
                "admin_token": c.admin_token, "pid": os.getpid(), "data_dir": str(c.data_dir),
                "pids": {name: proc.pid for name, proc in (("dynamodb", self._ddb_proc), ("moto", self._moto_proc))
                         if proc is not None},
                "tables": r.table_names, "queues": r.queue_urls, "dlqs": r.dlq_urls,
                "state_machines": r.machine_arns, "bucket": r.bucket,
                "client_env": c.client_env(), "function_env": self.function_env}

    def stop(self) -> None:
        self.stop_event.set()
        localstack_engine.stop(self._localstack_proc)
        for srv in self._servers:
            try:
                srv.shutdown()
                srv.server_close()
            except Exception:  # noqa: BLE001
                pass
        self._servers.clear()
        if self.host:
            self.host.stop()
        engines.stop_process(self._moto_proc)
        engines.stop_process(self._ddb_proc)
        self._moto_proc = self._ddb_proc = self._localstack_proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def read_description(data_dir: Path) -> dict:
    """The ``cloud.json`` of a running local cloud. Raises FileNotFoundError if none runs."""
    return json.loads((data_dir / "cloud.json").read_text())
