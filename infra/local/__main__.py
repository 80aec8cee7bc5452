"""``python -m infra.local``: run the local cloud (``up``), fire a schedule (``fire``)."""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from infra import catalog
from infra.local.config import LocalConfig

cli = typer.Typer(add_completion=False, help="payrail's local cloud")
DEFAULT = LocalConfig()


@cli.command()
def up(
    target: str = typer.Option(DEFAULT.target, envvar="PAYRAIL_TARGET",
                               help="embedded (DynamoDB Local + moto) or localstack (LocalStack's services)"),
    api_port: int = typer.Option(DEFAULT.api_port, envvar="PAYRAIL_API_PORT"),
    moto_port: int = typer.Option(DEFAULT.moto_port, envvar="PAYRAIL_MOTO_PORT"),
    dynamodb_port: int = typer.Option(DEFAULT.dynamodb_port, envvar="PAYRAIL_DYNAMODB_PORT"),
    standin_port: list[str] = typer.Option([], "--standin-port",
                                           help="a payout provider stand-in's port, CONNECTOR=PORT (default "
                                                + ", ".join(f"{k}={v}" for k, v in DEFAULT.standin_ports.items()) + ")"),
    fulfilment_port: int = typer.Option(DEFAULT.fulfilment_port, envvar="PAYRAIL_FULFILMENT_PORT"),
    runtime_port: int = typer.Option(DEFAULT.runtime_port, envvar="PAYRAIL_RUNTIME_PORT"),
    localstack_port: int = typer.Option(DEFAULT.localstack_port, envvar="PAYRAIL_LOCALSTACK_PORT"),
    localstack_venv: Path = typer.Option(DEFAULT.localstack_venv, envvar="PAYRAIL_LOCALSTACK_VENV",
                                         help="LocalStack's virtual environment (make localstack creates it)"),
    data_dir: Path = typer.Option(DEFAULT.data_dir, envvar="PAYRAIL_DATA_DIR", help="data, logs and cloud.json"),
    persist: bool = typer.Option(False, envvar="PAYRAIL_PERSIST", help="keep DynamoDB data between runs"),
    endpoint_url: Optional[str] = typer.Option(None, envvar="PAYRAIL_ENDPOINT_URL",
                                               help="use this AWS-compatible endpoint (LocalStack) instead of moto"),
    dynamodb_endpoint_url: Optional[str] = typer.Option(None, envvar="PAYRAIL_DYNAMODB_ENDPOINT_URL",
                                                        help="use this DynamoDB endpoint instead of DynamoDB Local"),
    admin_token: str = typer.Option(DEFAULT.admin_token, envvar="PAYRAIL_ADMIN_TOKEN"),
    log_level: str = typer.Option(DEFAULT.log_level, envvar="PAYRAIL_LOG_LEVEL"),
    function_config: list[str] = typer.Option([], "--set", help="function setting NAME=VALUE, e.g. FULFILMENT_TIMEOUT_SECONDS=1 "
                                                                "or CONNECTOR_CASHFREE_MAX_IN_FLIGHT=2"),
) -> None:
    """Start the engines of the target (DynamoDB Local and moto, or LocalStack), the providers and
    the function runtime; serve the API until Ctrl-C."""
    from infra.local.cloud import LocalCloud
    from infra.local.engines import PortInUse
    from infra.local.localstack.engine import NotInstalled

    t0 = time.monotonic()
    ports = {**DEFAULT.standin_ports, **{k: int(v) for k, v in (kv.split("=", 1) for kv in standin_port)}}
    cfg = LocalConfig(target=target, localstack_port=localstack_port, localstack_venv=localstack_venv,
                      api_port=api_port, moto_port=moto_port, dynamodb_port=dynamodb_port,
                      standin_ports=ports, fulfilment_port=fulfilment_port, runtime_port=runtime_port,
                      data_dir=data_dir,
                      persist=persist, endpoint_url=endpoint_url, dynamodb_endpoint_url=dynamodb_endpoint_url,
                      admin_token=admin_token, log_level=log_level)
    cfg.function_config.update(dict(kv.split("=", 1) for kv in function_config))
    if persist and cfg.localstack:
        print("error: --persist is not supported on the localstack target (it keeps everything in memory)",
              file=sys.stderr)
        raise typer.Exit(2)
    cfg.logs_dir.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", message="No application metrics to publish")  # GET routes emit none
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=[logging.FileHandler(cfg.logs_dir / "payrail.log"), logging.StreamHandler(sys.stderr)])
    out = sys.stdout
    sys.stdout = open(cfg.logs_dir / "functions.log", "a", buffering=1)  # the functions' "CloudWatch Logs"
    cloud = LocalCloud(cfg)
    try:
        cloud.start()
    except (PortInUse, NotInstalled) as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(2) from None
    desc = cloud.describe()
    state = cfg.data_dir / "cloud.json"
    state.write_text(json.dumps(desc, indent=2))
    ready = (f"; LocalStack {cloud.localstack_ready_seconds:.1f}s to Ready." if cloud.localstack_ready_seconds
             else "")
    print(f"payrail is up on the {cfg.target} target in {time.monotonic() - t0:.1f}s{ready}\n"
          f"API: {cfg.api_url}  (docs: {cfg.api_url}/docs, health: {cfg.api_url}/health/ready)\n"
          f"admin token: {cfg.admin_token}   AWS endpoint: {cfg.aws_endpoint}   DynamoDB: {cfg.dynamodb_endpoint}\n"
          f"payout provider stand-ins: " + ", ".join(f"{n} {cfg.standin_url(n)}" for n in cfg.standin_ports) + "\n"
          f"logs: {cfg.logs_dir}   Ctrl-C stops everything.", file=out, flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    print("stopping ...", file=out, flush=True)
    cloud.stop()
    state.unlink(missing_ok=True)


@cli.command()
def fire(schedule: str = typer.Argument("settlement-daily"),
         at: Optional[str] = typer.Option(None, help="ISO time of the firing (default: now, UTC)"),
         data_dir: Path = typer.Option(DEFAULT.data_dir, envvar="PAYRAIL_DATA_DIR")) -> None:
    """Fire an EventBridge scheduled rule now, as EventBridge would: start its targets."""
    from infra.local.cloud import read_description
    from infra.local.runtime import fire_rule, scheduled_rules

    desc = read_description(data_dir)
    os.environ.update(desc["client_env"])
    name = catalog.SCHEDULES[schedule].name
    rule = next(r for r in scheduled_rules() if r["name"] == name)
    when = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else datetime.now(timezone.utc)
    for arn in fire_rule(rule, when, desc["region"]):
        typer.echo(arn)


if __name__ == "__main__":
    cli()
