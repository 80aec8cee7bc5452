"""Start, supervise and stop the whole local platform in one process."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from pathlib import Path

from infra import catalog
from infra.local import engines, environments, provision, runtime, services
from infra.local.config import LocalConfig

log = logging.getLogger("payrail.local")


class LocalCloud:
    """The embedded local cloud. ``start()`` brings everything up; ``stop()`` ends every process
    and thread it started. Usable as a context manager."""

    def __init__(self, config: LocalConfig):
        self.config = config
        self.stop_event = threading.Event()
        self._ddb_proc: subprocess.Popen | None = None
        self._moto_proc: subprocess.Popen | None = None
        self._servers: list = []
        self.resources: provision.Resources | None = None
        self.functions: runtime.Functions | None = None
        self.function_env: dict[str, str] = {}

    # ------------------------------------------------------------------------------------------
    def start(self) -> "LocalCloud":
        c = self.config
        c.logs_dir.mkdir(parents=True, exist_ok=True)
        ports = [(c.api_port, "HTTP API"), (c.provider_port, "sandbox provider"),
                 (c.fulfilment_port, "fulfilment service"), (c.runtime_port, "function runtime")]
        if not c.endpoint_url:
            ports.append((c.moto_port, "moto server"))
        if not c.dynamodb_endpoint_url:
            ports.append((c.dynamodb_port, "DynamoDB Local"))
        for port, what in ports:
            engines.ensure_free(c.host, port, what)
        os.environ.update(c.client_env())
        os.environ.update({"POWERTOOLS_LOG_LEVEL": c.log_level, "POWERTOOLS_METRICS_DISABLED": "true",
                           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_DEV": "false"})
        try:
            t0 = time.monotonic()
            if not c.dynamodb_endpoint_url:
                self._ddb_proc = engines.start_dynamodb_local(
                    c.host, c.dynamodb_port, c.data_dir / "dynamodb" if c.persist else None,
                    c.logs_dir / "dynamodb.log")
            if c.process_functions:
                threading.Thread(target=environments.start, name="forkserver", daemon=True).start()
            self.functions = runtime.Functions({}, loader=environments.loader(c.process_functions,
                                                                                c.logs_dir / "functions.log"))
            self._servers.append(runtime.serve_invoke(self.functions, c.host, c.runtime_port))
            if not c.endpoint_url:
                self._moto_proc = engines.start_moto(c.host, c.moto_port, c.invoke_url, c.logs_dir / "moto.log")
            self.resources = provision.provision(c)
            self.functions.arns = self.resources.function_arns
            self._set_function_env()
            self._servers.append(services.serve_provider(c.host, c.provider_port)[0])
            self._servers.append(services.serve_fulfilment(c.host, c.fulfilment_port, c.data_dir / "fulfilment.json")[0])
            self._start_event_sources()
            self._servers.append(runtime.serve_api(self.functions, c.host, c.api_port))
            log.info("local cloud up in %.1fs", time.monotonic() - t0)
        except BaseException:
            self.stop()
            raise
        return self

    def _set_function_env(self) -> None:
        """Every function runs in this process, so the union of their environments is set once;
        the values are those the CDK stack gives each function (also published in cloud.json)."""
        r, c = self.resources, self.config
        for fn in catalog.FUNCTIONS.values():
            self.function_env.update(catalog.resource_env(fn, r.table_names, r.queue_urls, r.machine_arns, r.bucket,
                                                          c.function_settings()))
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
        ``function_env`` (what the functions run with, for running a handler in another process)."""
        c, r = self.config, self.resources
        return {"api_url": c.api_url, "runtime_url": f"http://{c.host}:{c.runtime_port}",
                "aws_endpoint": c.aws_endpoint, "dynamodb_endpoint": c.dynamodb_endpoint,
                "provider_url": c.provider_url, "fulfilment_url": c.fulfilment_url, "region": c.region,
                "admin_token": c.admin_token, "pid": os.getpid(), "data_dir": str(c.data_dir),
                "tables": r.table_names, "queues": r.queue_urls, "dlqs": r.dlq_urls,
                "state_machines": r.machine_arns, "bucket": r.bucket,
                "client_env": c.client_env(), "function_env": self.function_env}

    def stop(self) -> None:
        self.stop_event.set()
        for srv in self._servers:
            try:
                srv.shutdown()
                srv.server_close()
            except Exception:  # noqa: BLE001
                pass
        self._servers.clear()
        engines.stop_process(self._moto_proc)
        engines.stop_process(self._ddb_proc)
        self._moto_proc = self._ddb_proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def read_description(data_dir: Path) -> dict:
    """The ``cloud.json`` of a running local cloud. Raises FileNotFoundError if none runs."""
    return json.loads((data_dir / "cloud.json").read_text())
