"""Execution environments in processes of their own, for functions whose memory is measured.

Lambda runs each execution environment in a process of its own; the local runtime runs most
functions on threads of one process, where one invocation's memory cannot be told from
another's. A function named in ``LocalConfig.process_functions`` gets one child process per
execution environment instead: forked from a server process that has imported boto3, Powertools
and payrail once (``multiprocessing``'s forkserver; :mod:`infra.local.forkserver_preload`), so a
new environment costs about the handler module's own import, as a thread environment does.

Each invocation reports its peak resident set size, the figure Lambda's REPORT line calls
"Max Memory Used": the kernel's high-water mark is reset before the invocation (``5`` written to
``/proc/self/clear_refs``, Linux ≥ 4.0) and ``VmHWM`` is read from ``/proc/self/status`` after it.
It includes the interpreter and every imported module, as Lambda's figure does. A timed-out
environment's process is killed (Lambda discards the environment too).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from infra import catalog

#: imported once by the fork server; every environment forked from it shares what it loads
PRELOAD = ["infra.local.forkserver_preload"]
_lock = threading.Lock()
_context = None
_errors: dict[str, type[Exception]] = {}


def _forkserver():
    global _context
    with _lock:
        if _context is None:
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
        return _context


def start() -> None:
    """Start the fork server now (it imports :data:`PRELOAD`), so that the first environment
    does not wait for it; called when the local cloud starts."""
    from multiprocessing import forkserver

    _forkserver()
    forkserver.ensure_running()


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # not Linux, or not permitted: the peak then spans the environment's life
        pass


def peak_rss_mb() -> float:
    """This process's peak resident set size (``VmHWM``), MiB; 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _serve(conn, fn: catalog.Function, instance: int, env: dict[str, str], log_path: str | None) -> None:
    """The child: import the handler, then run invocations sent over ``conn`` until it closes.
    Receives ``(event, remaining_ms, request_id)``; sends ``(ok, result_or_error, peak_mb)``."""
    from infra.local.runtime import LambdaContext, load_handler

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runtime ends environments (closing conn)
    os.environ.clear()
    os.environ.update(env)
    if log_path:
        sys.stdout = open(log_path, "a", buffering=1)  # the functions' "CloudWatch Logs"
    try:
        handler = load_handler(fn, instance)
    except Exception as e:  # noqa: BLE001 - reported as the environment's init error
        conn.send((False, _error(e), peak_rss_mb()))
        return
    conn.send((True, None, peak_rss_mb()))
    while True:
        try:
            event, remaining_ms, request_id = conn.recv()
        except (EOFError, OSError):
            return
        _reset_peak()
        context = LambdaContext(fn, fn.name)
        context.aws_request_id = request_id
        context._deadline = time.monotonic() + remaining_ms / 1000
        try:
            out = (True, handler(event, context))
        except Exception as e:  # noqa: BLE001 - a function error, reported to the invoker
            out = (False, _error(e))
        conn.send((*out, peak_rss_mb()))


def _error(e: Exception) -> dict:
    return {"errorType": type(e).__name__, "errorMessage": str(e),
            "stackTrace": traceback.format_exc().splitlines()[-5:]}


def _raise(error: dict):
    """Raise an exception whose class name is the remote ``errorType`` (what Step Functions'
    ``Retry``/``Catch`` match on)."""
    name = error["errorType"]
    cls = _errors.setdefault(name, type(name, (Exception,), {}))
    raise cls(error["errorMessage"])


class ProcessEnvironment:
    """One execution environment of ``fn`` in a child process; called like a ``lambda_handler``.

    Attributes:
        last_peak_mb: peak RSS (MiB) of the last invocation (or of the init, before any).
        dead: the process ended; the runtime does not reuse the environment.

    Raises (on creation): the handler module's import error, under its own class name.
    """

    def __init__(self, fn: catalog.Function, instance: int, log_path: Path | None = None):
        ctx = _forkserver()
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, name=f"lambda-{fn.id}-{instance}", daemon=True,
                                 args=(child, fn, instance, dict(os.environ), str(log_path) if log_path else None))
        self._proc.start()
        child.close()
        self.dead = False
        ok, error, self.last_peak_mb = self._receive()
        if not ok:
            self.close()
            _raise(error)

    def _receive(self) -> tuple:
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            self.dead = True
            _raise({"errorType": "Runtime.ExitError", "errorMessage": "the execution environment's process exited"})

    def __call__(self, event: dict, context) -> object:
        self._conn.send((event, context.get_remaining_time_in_millis(), context.aws_request_id))
        ok, result, self.last_peak_mb = self._receive()
        if not ok:
            _raise(result)
        return result

    def close(self) -> None:
        """End the environment's process (a timed-out or discarded environment)."""
        self.dead = True
        self._conn.close()
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(5)


def loader(process_functions: set[str], log_path: Path | None = None):
    """A ``Functions`` loader: :class:`ProcessEnvironment` for the functions in
    ``process_functions``, the runtime's thread environment (``load_handler``) for the others."""
    from infra.local.runtime import load_handler

    def load(fn: catalog.Function, instance: int = 0):
        if fn.id in process_functions:
            return ProcessEnvironment(fn, instance, log_path)
        return load_handler(fn, instance)
    return load
