"""The loopback HTTP server pieces shared by the API emulator, the invoke endpoint and the
local stand-ins for the outside world.

The stand-ins and internal endpoints use ``http.server`` (:class:`JsonHandler`). The API emulator,
which plays API Gateway's part at the edge, parses requests with **h11** (:class:`H11Handler`), a
strict HTTP/1.1 implementation, so it refuses what API Gateway refuses instead of guessing:
two differing ``Content-Length`` headers, a request line without an HTTP version (HTTP/0.9),
malformed framing; and it decodes ``Transfer-Encoding: chunked`` bodies (API Gateway HTTP APIs
accept them).
"""
from __future__ import annotations

import email.utils
import json
import re
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import h11


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


#: ``method SP request-target SP HTTP-version`` (RFC 9112 §3), the shape h11 parses
_REQUEST_LINE = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ ]+ HTTP/[0-9]\.[0-9]$")


class BadRequest(Exception):
    """A request the edge refuses before it reaches the function: ``status`` (4xx) and why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class H11Handler(socketserver.BaseRequestHandler):
    """One client connection of a threaded server, HTTP/1.1 parsed by h11, kept alive between requests.

    Subclasses implement :meth:`respond`. A request h11 refuses (a malformed request line — HTTP/0.9
    has no version —, conflicting ``Content-Length`` headers, bad chunked framing, oversized headers,
    an unknown transfer coding) and one with both ``Content-Length`` and ``Transfer-Encoding`` (the
    request-smuggling pair, RFC 9112 §6.1) is answered with a 4xx ``{"message": ...}`` (API
    Gateway's error shape), after which the connection is closed. ``Expect: 100-continue`` is
    honoured. A body over :attr:`max_body_bytes` is refused with 413 without reading it all.
    """

    #: methods passed to :meth:`respond`; another is answered 405
    methods = frozenset({b"GET", b"POST", b"PUT", b"PATCH", b"DELETE", b"OPTIONS"})
    max_body_bytes = 10 * 1024 * 1024  # API Gateway's payload limit
    max_header_bytes = 16 * 1024
    recv_bytes = 65536

    def respond(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
                ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one request: ``(status, headers, body)`` (``content-length`` is added).
        ``headers`` are the request's as sent (names lower-cased, in order)."""
        raise NotImplementedError

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_header_bytes)
        while True:
            try:
                request = self._read(conn, sock)
                if request is None:
                    return
                status, headers, data = self.respond(*request)
            except (h11.RemoteProtocolError, BadRequest) as e:
                hint = e.status if isinstance(e, BadRequest) else e.error_status_hint
                self._refuse(conn, sock, hint if 400 <= hint < 500 else 400, str(e))
                return
            except (ConnectionError, TimeoutError, OSError):
                return
            self._send(conn, sock, status, headers, data)
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return  # h11 says this connection ends here (Connection: close, HTTP/1.0)
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return

    def _read(self, conn: h11.Connection, sock: socket.socket):
        request, chunks, size = None, [], 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                if request is None:
                    self._check_request_line(conn.trailing_data[0])
                elif conn.they_are_waiting_for_100_continue:
                    sock.sendall(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
                conn.receive_data(sock.recv(self.recv_bytes))
            elif isinstance(event, h11.Request):
                if event.http_version not in (b"1.0", b"1.1"):
                    raise BadRequest(400, f"HTTP/{event.http_version.decode('latin-1')} is not served here; "
                                          "use HTTP/1.1")
                names = [n for n, _ in event.headers]
                if b"transfer-encoding" in names and b"content-length" in names:
                    raise BadRequest(400, "both Content-Length and Transfer-Encoding")
                if event.method not in self.methods:
                    raise BadRequest(405, f"method {event.method.decode('latin-1')} is not served")
                for n, v in event.headers:
                    if n == b"content-length" and int(v) > self.max_body_bytes:
                        raise BadRequest(413, "request body too large")
                request = event
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > self.max_body_bytes:
                    raise BadRequest(413, "request body too large")
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.headers]
                return request.method.decode("ascii"), request.target.decode("latin-1"), headers, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                return None

    @staticmethod
    def _check_request_line(buffered: bytes) -> None:
        """h11 waits for a whole header block; an HTTP/0.9 request (``GET /path`` and a line end,
        no version, no headers) never sends one, so its request line is refused as soon as it is in."""
        start = len(buffered) - len(buffered.lstrip(b"\r\n"))  # empty lines before a request are allowed
        end = buffered.find(b"\n", start)
        if end >= 0 and not _REQUEST_LINE.match(buffered[start:end].rstrip(b"\r")):
            raise BadRequest(400, "malformed request line: HTTP/1.1 (or 1.0) with its version is required; "
                                  "HTTP/0.9 is not served")

    def _send(self, conn: h11.Connection, sock: socket.socket, status: int, headers: list[tuple[str, str]],
              data: bytes) -> None:
        try:
            reason = HTTPStatus(status).phrase.encode()
        except ValueError:
            reason = b""
        out = [(k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding")]
        out += [("content-length", str(len(data))), ("date", email.utils.formatdate(usegmt=True))]
        sock.sendall(conn.send(h11.Response(status_code=status, headers=out, reason=reason))
                     + conn.send(h11.Data(data=data)) + conn.send(h11.EndOfMessage()))

    @staticmethod
    def _refuse(conn: h11.Connection, sock: socket.socket, status: int, why: str) -> None:
        """Answer a refused request (written as it is: h11 sends a response only to a request it
        parsed) and let the connection close."""
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return  # an answer is already under way: the connection just closes
        phrase = HTTPStatus(status).phrase
        data = json.dumps({"message": f"{phrase}: {why}"}).encode()
        head = (f"HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n"
                f"date: {email.utils.formatdate(usegmt=True)}\r\nconnection: close\r\n\r\n")
        try:
            sock.sendall(head.encode("ascii") + data)
        except OSError:
            pass


def serve(host: str, port: int, handler: type[socketserver.BaseRequestHandler], name: str,
          poll_interval: float = 0.5) -> LoopbackServer:
    """Start ``handler`` on ``host:port`` in a daemon thread; returns the server (``shutdown()``
    stops it within ``poll_interval`` seconds)."""
    server = LoopbackServer((host, port), handler)
    threading.Thread(target=server.serve_forever, args=(poll_interval,), name=name, daemon=True).start()
    return server
