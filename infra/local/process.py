"""Run the local cloud as a child process (tests, demo, bench) and find a running one."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from infra.catalog import ROOT
from infra.local.standins import STANDINS


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def running(data_dir: Path) -> dict | None:
    """The description of a healthy local cloud using ``data_dir``, or None."""
    try:
        desc = json.loads((data_dir / "cloud.json").read_text())
        os.kill(desc["pid"], 0)
        if requests.get(desc["api_url"] + "/health/ready", timeout=3).status_code == 200:
            return desc
    except (OSError, ValueError, KeyError, requests.RequestException):
        pass
    return None


@contextmanager
def local_cloud(data_dir: Path, *, random_ports: bool = True, settings: dict[str, str] | None = None,
                startup_timeout: float = 180, target: str | None = None):
    """Start ``python -m infra.local up`` in a child process; yield its description; stop it.

    ``random_ports`` picks free ports so a developer's running platform is not disturbed;
    ``target`` is ``embedded`` or ``localstack`` (default: ``$PAYRAIL_TARGET``, else embedded).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "cloud.json").unlink(missing_ok=True)
    args = [sys.executable, "-m", "infra.local", "up", "--data-dir", str(data_dir)]
    if target:
        args += ["--target", target]
    if random_ports:
        for opt in ("--api-port", "--moto-port", "--dynamodb-port", "--fulfilment-port", "--runtime-port",
                    "--localstack-port"):
            args += [opt, str(free_port())]
        for name in STANDINS:
            args += ["--standin-port", f"{name}={free_port()}"]
    for k, v in (settings or {}).items():
        args += ["--set", f"{k}={v}"]
    log = open(data_dir / "cloud.out", "wb")
    proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"local cloud exited ({proc.returncode}): "
                                   f"{(data_dir / 'cloud.out').read_text()[-3000:]}")
            desc = running(data_dir)
            if desc:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"local cloud not ready in {startup_timeout}s")
            time.sleep(0.3)
        yield desc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
