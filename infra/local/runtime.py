"""The function runtime: runs the real handlers from ``functions/`` in this process with Lambda
semantics (one module import per function = its cold start, a context with a deadline), and
the event sources that feed them: the HTTP API (payload 2.0), SQS pollers, DynamoDB stream
pollers and EventBridge schedules."""
from __future__ import annotations

import base64
import importlib.util
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import boto3

from infra import catalog
from infra.local import cron
from infra.tools import metering
from infra.local.httpserver import H11Handler, JsonHandler, LoopbackServer, serve

log = logging.getLogger("payrail.local")


class LambdaContext:
    """The parts of the Lambda context object handlers and Powertools use."""

    def __init__(self, fn: catalog.Function, arn: str):
        self.function_name = fn.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = fn.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{fn.name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + fn.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def isolate_powertools_router_state() -> None:
    """Lambda runs one invocation per process, so Powertools keeps the current event and context
    on the ``BaseRouter`` class. Here concurrent invocations share a process, so those two
    class attributes are made per thread (an invocation runs on one thread from start to end);
    without this, two concurrent requests can see each other's event. Idempotent."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    if type(BaseRouter).__name__ == "PerInvocationRouterMeta":
        return
    state = threading.local()

    def slot(name: str) -> property:
        return property(lambda _self: getattr(state, name, None), lambda _self, value: setattr(state, name, value))

    names = ("current_event", "lambda_context")
    for name in names:  # instance reads (self.current_event) ...
        setattr(BaseRouter, name, slot(name))
    # ... and class writes (BaseRouter.current_event = event) both go to the thread's slot
    BaseRouter.__class__ = type("PerInvocationRouterMeta", (type(BaseRouter),), {n: slot(n) for n in names})


def load_handler(fn: catalog.Function, instance: int = 0):
    """Import ``functions/<id>/handler.py`` as a fresh module (one per execution environment);
    returns its ``lambda_handler``."""
    isolate_powertools_router_state()
    spec = importlib.util.spec_from_file_location(f"payrail_fn_{fn.id}_{instance}", fn.folder / "handler.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as Lambda's import does: pydantic resolves models by module
    spec.loader.exec_module(module)
    return module.lambda_handler


class FunctionTimedOut(Exception):
    """Lambda stopped an invocation at the function's timeout. Lambda reports it as a function
    error with ``errorType`` ``Sandbox.Timedout`` and the message "Task timed out after N.NN
    seconds" (Lambda developer guide, troubleshooting invocation: timeouts)."""

    error_type = "Sandbox.Timedout"


class Functions:
    """The catalog's functions with Lambda's execution model: each concurrent invocation gets an
    execution environment of its own (a separate import of the handler module, so module globals
    such as Powertools' resolver, batch processor and idempotency config are never shared by two
    invocations at once); environments are reused when idle, and a new one is a cold start.

    Each invocation runs on a worker thread for at most the function's ``timeout``; past it the
    invocation fails with :class:`FunctionTimedOut` and its environment is discarded, never
    reused (Lambda resets it). Python cannot stop the thread, so it runs on to its end unseen;
    the handlers' own deadline (``payrail.core.deadline``) makes the domain give up before this.

    Args:
        function_arns: function id -> ARN (for the context object).
        functions: the functions by id (default: the catalog's).
        loader: ``(function, instance) -> lambda_handler``, one call per execution environment.
    """

    def __init__(self, function_arns: dict[str, str], functions: dict[str, catalog.Function] | None = None,
                 loader=None):
        self.arns = function_arns
        self.functions = functions or catalog.FUNCTIONS
        self.loader = loader or load_handler
        self._idle: dict[str, list] = {f: [] for f in self.functions}
        self._count: dict[str, int] = {f: 0 for f in self.functions}
        self._lock = threading.Lock()
        self.by_name = {f.name: f for f in self.functions.values()}
        self.invocations: dict[str, int] = {f: 0 for f in self.functions}
        self.errors: dict[str, int] = {f: 0 for f in self.functions}
        self.timeouts: dict[str, int] = {f: 0 for f in self.functions}
        #: peak RSS (MiB) of the busiest invocation, for functions whose environments report it
        #: (``infra.local.environments``: one process per environment)
        self.max_memory_mb: dict[str, float] = {}
        if os.environ.get("PAYRAIL_METER") == "1":  # make bench: count AWS calls (infra.tools.metering)
            metering.METER.install()

    def _acquire(self, fn_id: str):
        with self._lock:
            if self._idle[fn_id]:
                return self._idle[fn_id].pop()
            n = self._count[fn_id]
            self._count[fn_id] += 1
        return self.loader(self.functions[fn_id], n)

    def invoke(self, fn_id: str, event: dict):
        """Run the handler for at most the function's timeout (seconds).

        Returns:
            the handler's result.

        Raises:
            FunctionTimedOut: the timeout passed first (the environment is discarded).
            Exception: whatever the handler raised (the caller decides Lambda's error semantics).
        """
        fn = self.functions[fn_id]
        handler = self._acquire(fn_id)
        context = LambdaContext(fn, self.arns.get(fn_id, fn.name))
        outcome: dict = {}

        def run():
            metering.begin_invocation(fn_id)
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                outcome["result"] = handler(event, context)
            except BaseException as e:  # noqa: BLE001 - handed to the invoking thread
                outcome["error"] = e
            metering.METER.record_invocation(fn_id, time.perf_counter() - t0, time.thread_time() - c0)

        worker = threading.Thread(target=run, name=f"lambda-{fn_id}", daemon=True)
        worker.start()
        worker.join(fn.timeout)
        timed_out = worker.is_alive()
        peak = getattr(handler, "last_peak_mb", None)
        with self._lock:  # counters and the idle pool are shared by every invoking thread
            if not timed_out and not getattr(handler, "dead", False):
                self._idle[fn_id].append(handler)
            self.invocations[fn_id] += 1
            self.errors[fn_id] += timed_out or "error" in outcome
            self.timeouts[fn_id] += timed_out
            if peak is not None and not timed_out:
                self.max_memory_mb[fn_id] = max(self.max_memory_mb.get(fn_id, 0.0), peak)
        if timed_out:
            if hasattr(handler, "close"):  # an environment in its own process: end it
                handler.close()
            log.warning("%s: task timed out after %s s (request %s)", fn.name, fn.timeout, context.aws_request_id)
            raise FunctionTimedOut(f"RequestId: {context.aws_request_id} Error: Task timed out after "
                                   f"{fn.timeout:.2f} seconds")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def stats(self) -> dict:
        """Per function: environments made, invocations, errors, timeouts and, where measured,
        ``max_memory_used_mb`` (peak RSS of the busiest invocation, MiB)."""
        return {f: {"environments": self._count[f], "invocations": self.invocations[f], "errors": self.errors[f],
                    "timeouts": self.timeouts[f]}
                   | ({"max_memory_used_mb": round(self.max_memory_mb[f], 1)} if f in self.max_memory_mb else {})
                for f in self.functions}

    def invoke_by_name(self, name: str, event: dict) -> tuple[str, bool]:
        """Step Functions adapter: ``(payload_json, is_error)``, errorType = exception class name."""
        fn = self.by_name.get(name.split(":")[-1])
        if fn is None:
            return json.dumps({"errorType": "ResourceNotFoundException", "errorMessage": name}), True
        try:
            return json.dumps(self.invoke(fn.id, event)), False
        except FunctionTimedOut as e:
            return json.dumps({"errorType": e.error_type, "errorMessage": str(e)}), True
        except Exception as e:  # noqa: BLE001 - Lambda reports any exception as a function error
            log.warning("%s failed: %s", fn.name, e)
            return json.dumps({"errorType": type(e).__name__, "errorMessage": str(e),
                               "stackTrace": traceback.format_exc().splitlines()[-5:]}), True


# ---- HTTP API (API Gateway HTTP API, payload format 2.0) -----------------------------------------
#: HTTP APIs pass a request body to Lambda as text or base64-encode it (``isBase64Encoded: true``),
#: inferring which from the request's content type: "The HTTP API Lambda integration automatically
#: infers the need for encoding based on the content-type header passed with the request" (AWS
#: Compute Blog, "Handling binary data using Amazon API Gateway HTTP APIs"; the event fields are in
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
#: AWS publishes no complete list: text/* and JSON are passed as text in its examples, XML and
#: JavaScript are treated alike here. Anything else (form posts, multipart, no content type) and
#: bytes that are not UTF-8 are base64-encoded.
_TEXT_TYPE = re.compile(r"^(text/[^;]+|application/([\w.+-]+\+)?(json|xml)|application/javascript)\s*(;|$)", re.I)


def _text_body(headers: dict[str, str], body: bytes) -> str | None:
    """The body as API Gateway would pass it as text, or None when it would base64-encode it."""
    if not _TEXT_TYPE.match(headers.get("content-type", "").strip()):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def http_event(method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str) -> dict:
    path, _, query = raw_path.partition("?")
    now = datetime.now(timezone.utc)
    text = _text_body(headers, body) if body else None
    qs: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        qs[k] = f"{qs[k]},{v}" if k in qs else v
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": headers.get("host", "localhost"),
            "domainPrefix": "local", "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(now.timestamp() * 1000),
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": headers.get("user-agent", "")},
        },
        "isBase64Encoded": bool(body) and text is None,
    }
    if qs:
        event["queryStringParameters"] = qs
    if body:
        event["body"] = text if text is not None else base64.b64encode(body).decode("ascii")
    return event


#: API Gateway HTTP API's integration timeout: 30 s, the maximum, not adjustable (API Gateway
#: developer guide, "Quotas for configuring and running an HTTP API").
HTTP_API_INTEGRATION_TIMEOUT_SECONDS = 30.0


def _gateway_error(status: int, message: str) -> dict:
    return {"statusCode": status, "body": json.dumps({"message": message}), "headers": {"content-type": "application/json"}}


def serve_api(functions: Functions, host: str, port: int,
              integration_timeout: float = HTTP_API_INTEGRATION_TIMEOUT_SECONDS) -> LoopbackServer:
    """Serve the ``http`` function of the catalog at ``http://host:port`` (all routes, $default).

    Requests are parsed by h11 (:class:`~infra.local.httpserver.H11Handler`), one thread per
    keep-alive connection: chunked bodies are decoded, and what API Gateway refuses is refused
    with a 4xx before any function runs (two differing ``Content-Length`` headers, HTTP/0.9, both
    ``Content-Length`` and ``Transfer-Encoding``, malformed framing, a body over 10 MiB).

    Errors are answered as API Gateway HTTP API answers them: a function error, including
    Lambda's own timeout (``Sandbox.Timedout``; the ``api`` function's 29 s is below the
    integration timeout), is ``500 {"message": "Internal Server Error"}`` (API Gateway developer
    guide, "Troubleshooting issues with HTTP API Lambda integrations"); no answer within the
    integration timeout is ``503 {"message": "Service Unavailable"}`` (the function runs on).
    """
    fn_id = next(f.id for f in functions.functions.values() if f.http)
    integrations = ThreadPoolExecutor(max_workers=1024, thread_name_prefix="api-integration")  # threads made on demand

    class Handler(H11Handler):
        def respond(self, method: str, target: str, headers_in: list[tuple[str, str]], body: bytes
                    ) -> tuple[int, list[tuple[str, str]], bytes]:
            headers: dict[str, str] = {}
            for k, v in headers_in:
                k = k.lower()
                headers[k] = f"{headers[k]},{v}" if k in headers else v
            event = http_event(method, target, headers, body, self.client_address[0])
            try:
                resp = integrations.submit(functions.invoke, fn_id, event).result(timeout=integration_timeout)
            except FutureTimeout:
                log.warning("api: no answer within the %ss integration timeout", integration_timeout)
                resp = _gateway_error(503, "Service Unavailable")
            except Exception:  # noqa: BLE001 - a function error
                log.exception("api handler failed")
                resp = _gateway_error(500, "Internal Server Error")
            out = resp.get("body") or ""
            data = base64.b64decode(out) if resp.get("isBase64Encoded") else out.encode()
            headers_out = [("set-cookie", c) for c in resp.get("cookies") or []]
            headers_out += [(k, str(v)) for k, v in (resp.get("headers") or {}).items()]
            return resp.get("statusCode", 200), headers_out, data

    return serve(host, port, Handler, "api")


def serve_invoke(functions: Functions, host: str, port: int) -> LoopbackServer:
    """The invoke endpoint moto's Lambda adapter calls: ``POST /invoke/<function-name>`` with the
    event; answers ``{"payload": "<json>", "is_error": bool}``. ``GET /stats``: :meth:`Functions.stats`."""

    class Handler(JsonHandler):
        def do_POST(self):
            payload, is_error = functions.invoke_by_name(self.path.rsplit("/", 1)[-1], self.body())
            self.reply(200, {"payload": payload, "is_error": is_error})

        def do_GET(self):  # /stats: peak memory per function; /_meter: AWS calls counted since the last DELETE
            if self.path == "/stats":
                self.reply(200, functions.stats())
            elif self.path == "/_meter":
                self.reply(200, metering.METER.snapshot())
            else:
                self.reply(404, {"message": "not found"})

        def do_DELETE(self):
            metering.METER.reset()
            self.reply(200, {})

    return serve(host, port, Handler, "invoke")


# ---- SQS event source mappings -----------------------------------------------------------------------
class SqsPoller:
    """Lambda's SQS poller: ``max_concurrency`` pollers, batches of ``batch_size``, partial batch
    failures (``ReportBatchItemFailures``): successes are deleted, failures reappear after the
    visibility timeout and move to the DLQ after ``maxReceiveCount`` (SQS redrive)."""

    def __init__(self, functions: Functions, fn: catalog.Function, queue_url: str, queue_arn: str, region: str,
                 stop: threading.Event):
        self.functions, self.fn, self.url, self.arn, self.region, self.stop = functions, fn, queue_url, queue_arn, region, stop
        self.sqs = boto3.client("sqs")

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self._loop, name=f"sqs-{self.fn.id}", daemon=True)
        t.start()
        return t

    def _loop(self) -> None:
        """One long-polling receiver; at most ``max_concurrency`` batches in flight (Lambda's
        ``MaximumConcurrency``), each handled on its own worker thread."""
        slots = threading.Semaphore(self.fn.sqs.max_concurrency)
        while not self.stop.is_set():
            slots.acquire()
            try:
                msgs = self.sqs.receive_message(
                    QueueUrl=self.url, MaxNumberOfMessages=min(self.fn.sqs.batch_size, 10), WaitTimeSeconds=1,
                    AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
            except Exception:  # noqa: BLE001 - a poller keeps polling
                log.exception("sqs poller %s", self.fn.id)
                msgs = []
                time.sleep(1)
            if not msgs:
                slots.release()
                continue

            def work(batch=msgs):
                try:
                    self.deliver(batch)
                except Exception:  # noqa: BLE001
                    log.exception("sqs delivery %s", self.fn.id)
                finally:
                    slots.release()
            threading.Thread(target=work, name=f"sqs-{self.fn.id}-worker", daemon=True).start()

    def deliver(self, msgs: list[dict]) -> int:
        """Invoke the function with one batch; delete what succeeded. Returns the batch size."""
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": self.arn,
            "awsRegion": self.region} for m in msgs]}
        try:
            result = self.functions.invoke(self.fn.id, event) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - the whole batch failed: all messages come back
            log.exception("%s failed on a batch", self.fn.name)
            return len(msgs)
        done = [m for m in msgs if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        return len(msgs)


# ---- DynamoDB stream event source mappings --------------------------------------------------------
class StreamPoller:
    """Lambda's DynamoDB stream poller: reads every shard from TRIM_HORIZON in order, batches of
    ``batch_size``; on reported failures retries from the first failed record up to
    ``retry_attempts`` times, then moves on (logged)."""

    def __init__(self, functions: Functions, fn: catalog.Function, stream_arn: str, region: str, stop: threading.Event):
        self.functions, self.fn, self.arn, self.region, self.stop = functions, fn, stream_arn, region, stop
        self.streams = boto3.client("dynamodbstreams")
        self.iterators: dict[str, str | None] = {}
        self.last_seq: dict[str, str] = {}  # shard -> sequence number of the last record delivered
        self.done_shards: set[str] = set()

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self._loop, name=f"stream-{self.fn.id}", daemon=True)
        t.start()
        return t

    def _refresh_shards(self) -> None:
        desc = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]
        for s in desc["Shards"]:
            sid = s["ShardId"]
            if sid in self.iterators or sid in self.done_shards:
                continue
            parent = s.get("ParentShardId")
            if parent and parent in self.iterators:  # read children after their parent ends
                continue
            self.iterators[sid] = self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def _loop(self) -> None:
        last_refresh = 0.0
        while not self.stop.is_set():
            try:
                if time.monotonic() - last_refresh > 5 or not self.iterators:
                    self._refresh_shards()
                    last_refresh = time.monotonic()
                got = 0
                for sid, it in list(self.iterators.items()):
                    got += self._poll_shard(sid, it)
                if not got:
                    time.sleep(0.25)
            except Exception:  # noqa: BLE001
                log.exception("stream poller %s", self.fn.id)
                time.sleep(1)

    def _poll_shard(self, sid: str, it: str | None) -> int:
        if it is None:
            self.iterators.pop(sid, None)
            self.done_shards.add(sid)
            return 0
        try:
            r = self.streams.get_records(ShardIterator=it, Limit=self.fn.stream.batch_size)
        except self.streams.exceptions.TrimmedDataAccessException:
            # DynamoDB Local quirk: an iterator taken on a still-empty shard goes stale when another
            # table is written first ("read past the oldest stream record"). Resume after the last
            # record handed to the function (or from the start if none was): nothing is skipped.
            last = self.last_seq.get(sid)
            self.iterators[sid] = self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=sid, **({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                                     "SequenceNumber": last} if last else
                                                    {"ShardIteratorType": "TRIM_HORIZON"}))["ShardIterator"]
            return 0
        records = [{"eventID": x["eventID"], "eventName": x["eventName"], "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb", "awsRegion": self.region, "eventSourceARN": self.arn,
                    "dynamodb": {**x["dynamodb"], "ApproximateCreationDateTime":
                                 x["dynamodb"]["ApproximateCreationDateTime"].timestamp()
                                 if "ApproximateCreationDateTime" in x["dynamodb"] else None}}
                   for x in r.get("Records", [])]
        for rec in records:
            if rec["dynamodb"]["ApproximateCreationDateTime"] is None:
                del rec["dynamodb"]["ApproximateCreationDateTime"]
        attempts = 0
        while records and not self.stop.is_set():
            try:
                result = self.functions.invoke(self.fn.id, {"Records": records}) or {}
                failed = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
            except Exception:  # noqa: BLE001 - whole batch failed
                log.exception("%s failed on a stream batch", self.fn.name)
                failed = [records[0]["dynamodb"]["SequenceNumber"]]
            if not failed:
                break
            attempts += 1
            if attempts > self.fn.stream.retry_attempts:
                log.error("%s: dropping %d stream records after %d attempts", self.fn.name, len(records), attempts)
                break
            first = min(failed)
            records = [x for x in records if x["dynamodb"]["SequenceNumber"] >= first]
            time.sleep(min(2 ** attempts * 0.1, 5))
        if r.get("Records"):
            self.last_seq[sid] = r["Records"][-1]["dynamodb"]["SequenceNumber"]
        self.iterators[sid] = r.get("NextShardIterator")
        return len(r.get("Records", []))


# ---- EventBridge schedules -------------------------------------------------------------------------
def scheduled_rules() -> list[dict]:
    """The EventBridge rules with a ``cron(...)`` schedule and their state machine and function
    targets, as stored in the (moto) EventBridge: ``[{"name", "arn", "cron", "targets": [arn, ...]}]``."""
    events = boto3.client("events")
    rules = []
    for r in events.list_rules()["Rules"]:
        expr = r.get("ScheduleExpression") or ""
        if r.get("State") == "ENABLED" and expr.startswith("cron("):
            targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=r["Name"])["Targets"]
                       if ":states:" in t["Arn"] or ":lambda:" in t["Arn"]]
            rules.append({"name": r["Name"], "arn": r["Arn"], "cron": expr[5:-1], "targets": targets})
    return rules


def fire_rule(rule: dict, at: datetime, region: str) -> list[str]:
    """Do what EventBridge does when ``rule`` fires at ``at``: start each state machine target, or
    invoke each function target, with the scheduled event (moto stores rules but never fires
    them). Returns the execution ARNs, and the functions' answers."""
    event = json.dumps(cron.scheduled_event(rule["arn"], at, region))
    out = []
    for arn in rule["targets"]:
        if ":lambda:" in arn:  # through moto's Lambda, which forwards to the runtime
            r = boto3.client("lambda").invoke(FunctionName=arn, Payload=event.encode())
            out.append(r["Payload"].read().decode())
        else:
            out.append(boto3.client("stepfunctions").start_execution(stateMachineArn=arn, input=event)["executionArn"])
    return out


class Scheduler:
    """Fires EventBridge's scheduled rules on their cron (checked at every UTC minute), each on a
    thread of its own (a function target is invoked and waited for)."""

    def __init__(self, region: str, stop: threading.Event):
        self.region, self.stop = region, stop

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        t.start()
        return t

    def _loop(self) -> None:
        last = None
        while not self.stop.wait(1):
            now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
            if now == last:
                continue
            last = now
            try:
                rules = scheduled_rules()
            except Exception:  # noqa: BLE001
                log.exception("scheduler: listing rules")
                continue
            for rule in rules:
                try:
                    if cron.matches(rule["cron"], now):
                        threading.Thread(target=self._fire, args=(rule, now), name=f"schedule-{rule['name']}",
                                         daemon=True).start()
                except Exception:  # noqa: BLE001
                    log.exception("schedule %s", rule["name"])

    def _fire(self, rule: dict, at: datetime) -> None:
        try:
            log.info("schedule %s fired: %s", rule["name"], fire_rule(rule, at, self.region))
        except Exception:  # noqa: BLE001
            log.exception("schedule %s", rule["name"])
