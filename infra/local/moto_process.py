"""moto server in its own process, with Lambda invokes forwarded to the function runtime.

moto runs a Lambda by starting a Docker container (``LambdaFunction._invoke_lambda``); there is
no Docker engine here, so this small adapter replaces that one method: the invoke is POSTed to
the runtime's invoke endpoint, which runs the real handler, and moto gets back
``(payload, is_error, logs)`` as from a container. Step Functions ``lambda:invoke`` tasks,
``Retry`` and ``Catch`` (on the handler's exception class name) then behave as on AWS.

Usage: ``python -m infra.local.moto_process HOST PORT INVOKE_URL``.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading

import requests


def main(host: str, port: int, invoke_url: str) -> None:
    os.environ["MOTO_PORT"] = str(port)  # Step Functions integrations call localhost:$MOTO_PORT
    from moto.awslambda import models as lambda_models
    from moto.server import ThreadedMotoServer

    http = requests.Session()

    def _invoke_lambda(self, event=None):
        body = event if isinstance(event, dict) else json.loads(event or "{}")
        r = http.post(f"{invoke_url}/{self.function_name}", json=body, timeout=self.timeout + 5)
        r.raise_for_status()
        out = r.json()
        return out["payload"], out["is_error"], ""

    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
