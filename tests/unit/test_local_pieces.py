"""The local cloud's own pieces: the HTTP API event."""
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
