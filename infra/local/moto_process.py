"""moto server in its own process, with Lambda invokes forwarded to the function runtime.

moto runs a Lambda by starting a Docker container (``LambdaFunction._invoke_lambda``); there is
no Docker engine here, so this small adapter replaces that one method: the invoke is POSTed to
the runtime's invoke endpoint, which runs the real handler, and moto gets back
``(payload, is_error, logs)`` as from a container. Step Functions ``lambda:invoke`` tasks,
``Retry`` and ``Catch`` (on the handler's exception class name) then behave as on AWS.

moto 5.2.5 has no SQS ``StartMessageMoveTask`` (the operator's DLQ redrive):
:func:`add_message_move_tasks` adds it, with ``ListMessageMoveTasks``. The move runs at once,
inside the call (on AWS it runs in the background): every message visible in the DLQ is sent to
the destination queue with its body and message attributes, then deleted from the DLQ; the task
is then COMPLETED.

Usage: ``python -m infra.local.moto_process HOST PORT INVOKE_URL``.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

import requests


def add_message_move_tasks() -> None:
    """Teach moto's SQS ``StartMessageMoveTask`` and ``ListMessageMoveTasks`` (module docstring)."""
    import uuid

    from moto.core.responses import ActionResult
    from moto.sqs.responses import SQSResponse

    tasks: dict[str, list[dict]] = {}  # source ARN -> its tasks, newest first

    def start_message_move_task(self):
        source, dest = self._get_param("SourceArn"), self._get_param("DestinationArn")
        backend = self.sqs_backend
        dlq = source.rsplit(":", 1)[-1]
        if not dest:  # AWS: back to the queue(s) whose DLQ this is
            dest = backend.list_dead_letter_source_queues(dlq)[0].queue_arn
        target, moved = dest.rsplit(":", 1)[-1], 0
        while msgs := backend.receive_message(dlq, 10, 0, 60, message_attribute_names=["All"]):
            for m in msgs:
                backend.send_message(target, m.body, message_attributes=m.message_attributes or None)
                backend.delete_message(dlq, m.receipt_handle)
                moved += 1
        handle = str(uuid.uuid4())
        tasks.setdefault(source, []).insert(0, {
            "TaskHandle": handle, "Status": "COMPLETED", "SourceArn": source, "DestinationArn": dest,
            "ApproximateNumberOfMessagesMoved": moved, "ApproximateNumberOfMessagesToMove": moved,
            "StartedTimestamp": int(time.time() * 1000)})
        return ActionResult({"TaskHandle": handle})

    def list_message_move_tasks(self):
        return ActionResult({"Results": tasks.get(self._get_param("SourceArn"), [])[:10]})

    SQSResponse.start_message_move_task = start_message_move_task
    SQSResponse.list_message_move_tasks = list_message_move_tasks


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
    add_message_move_tasks()
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
