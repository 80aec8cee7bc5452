"""The loopback HTTP server pieces shared by the API emulator, the invoke endpoint and the
local stand-ins for the outside world."""
from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    """A threaded server whose request threads never keep the process alive."""

    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):  # a client that left is no error
            super().handle_error(request, client_address)


class JsonHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 handler with JSON helpers and no access log."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self) -> dict:
        n = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(n) or b"{}") if n else {}

    def reply(self, status: int, payload, headers: dict | None = None, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        if raw is None:
            self.send_header("content-type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve(host: str, port: int, handler: type[BaseHTTPRequestHandler], name: str,
          poll_interval: float = 0.5) -> LoopbackServer:
    """Start ``handler`` on ``host:port`` in a daemon thread; returns the server (``shutdown()``
    stops it within ``poll_interval`` seconds)."""
    server = LoopbackServer((host, port), handler)
    threading.Thread(target=server.serve_forever, args=(poll_interval,), name=name, daemon=True).start()
    return server
