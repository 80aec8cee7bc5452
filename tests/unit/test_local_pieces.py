"""The local cloud's own pieces: the HTTP API event, the API emulator's HTTP/1.1 connection handling."""
from infra.local.runtime import http_event
from tests.conftest import load_event


def test_http_event_matches_payload_format_2():
    sample = load_event("apigw/health_live")
    ours = http_event("GET", "/health/live?x=1&x=2", {"host": "h"}, b"", "127.0.0.1")
    assert set(sample) <= set(ours) | {"body"}
    assert set(sample["requestContext"]) <= set(ours["requestContext"])
    assert ours["queryStringParameters"] == {"x": "1,2"} and ours["rawQueryString"] == "x=1&x=2"


def test_http_event_passes_text_bodies_as_text_and_base64_encodes_the_rest():
    import base64

    def event(content_type, body):
        return http_event("POST", "/v1/orders", {"content-type": content_type} if content_type else {}, body, "127.0.0.1")

    for ct in ("application/json", "application/json; charset=utf-8", "text/plain", "application/problem+json"):
        e = event(ct, b'{"a": "\xc3\xa9"}')
        assert (e["isBase64Encoded"], e["body"]) == (False, '{"a": "\u00e9"}'), ct
    for ct, body in (("application/json", b'{"name": "\xff\xfe"}'), ("multipart/form-data", b"x"),
                     ("application/x-www-form-urlencoded", b"a=1"), (None, b"{}")):
        e = event(ct, body)
        assert e["isBase64Encoded"] and base64.b64decode(e["body"]) == body, ct
    empty = event("application/json", b"")
    assert not empty["isBase64Encoded"] and "body" not in empty


def test_the_h11_edge_answers_100_continue_refuses_oversized_bodies_and_serves_pipelined_requests():
    import http.client
    import socket

    from infra.local.httpserver import H11Handler, serve

    class Echo(H11Handler):
        max_body_bytes = 1_000

        def respond(self, method, target, headers, body):
            return 200, [("content-type", "text/plain")], f"{method} {target} {len(body)}".encode()

    server = serve("127.0.0.1", 0, Echo, "echo-test", poll_interval=0.05)
    port = server.server_address[1]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:  # the interim answer comes first
            s.sendall(b"POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            assert s.recv(100).startswith(b"HTTP/1.1 100 ")
            s.sendall(b"abc")
            assert s.recv(1000).split(b"\r\n\r\n", 1)[1] == b"POST /up 3"
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/small", body=b"abc")
        assert c.getresponse().read() == b"POST /small 3"
        c.request("POST", "/big", body=b"x" * 1_001)  # on the same kept-alive connection
        r = c.getresponse()
        assert (r.status, r.getheader("connection")) == (413, "close")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:  # two requests in one write
            s.sendall(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        assert out.count(b"HTTP/1.1 200 OK") == 2 and b"GET /a 0" in out and b"GET /b 0" in out
    finally:
        server.shutdown()
        server.server_close()
