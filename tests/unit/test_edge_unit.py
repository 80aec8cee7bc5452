"""The API edge in process (no cloud): the quota a route declares, and the query parameters it
declares being the only ones it takes. The rate limiter is an in-memory stand-in with the same
interface; everything else is the real resolver."""
import json
from types import SimpleNamespace
from typing import Annotated

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import edge
from payrail.api.params import TimeBound
from payrail.api.routes import ALL, callbacks
from payrail.core.ratelimit import Quota
from payrail.core.settings import Settings
from tests.conftest import load_event


class CountingLimiter:
    """``RateLimiter.hit`` in memory: one window that never rolls over."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def hit(self, caller: str, limit: int, now: float | None = None) -> Quota:
        n = self.counts.get(caller, 0)
        if n >= limit:
            return Quota(False, limit, 0, 60)
        self.counts[caller] = n + 1
        return Quota(True, limit, limit - n - 1, 60)


class FakeCallbacks:
    def __init__(self):
        self.received = []

    def receive(self, connector, headers, body, now):
        self.received.append(connector)
        from payrail.providers.callbacks import CallbackAck

        return CallbackAck(received=True, outcome="unknown_transfer")


def app_with(route_sets, monkeypatch, **settings):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    platform = SimpleNamespace(callbacks=FakeCallbacks())
    app = edge.build_app(platform, Settings(**settings), route_sets, title="t", version="1", description="d")
    app.edge.limiter = CountingLimiter()
    return app, platform


def request(app, method: str, path: str, query: dict | None = None, source_ip: str = "198.51.100.7",
            body: str | None = None) -> tuple[int, dict, dict]:
    event = load_event("apigw/health_live")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["sourceIp"] = source_ip
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    if body is not None:
        event["body"], event["headers"]["content-type"] = body, "application/json"
    out = app.resolve(event, SimpleNamespace(aws_request_id="req-1"))
    headers = out.get("headers") or {}
    is_json = "json" in headers.get("Content-Type", "") and out.get("body")
    return out["statusCode"], json.loads(out["body"]) if is_json else {}, headers


def test_callback_routes_count_against_their_own_per_ip_quota(monkeypatch):
    app, platform = app_with([callbacks.routes], monkeypatch, callback_rate_limit_per_minute=3,
                             anonymous_rate_limit_per_minute=1)
    answers = [request(app, "POST", "/v1/callbacks/cashfree", body="{}") for _ in range(4)]
    assert [a[0] for a in answers] == [200, 200, 200, 429]  # 3 per minute, not the anonymous quota of 1
    assert answers[0][2]["RateLimit-Limit"] == "3" and answers[2][2]["RateLimit-Remaining"] == "0"
    assert answers[3][1]["error"]["code"] == "rate_limited" and answers[3][2]["Retry-After"] == "60"
    assert len(platform.callbacks.received) == 3  # the refused one never reached the route
    assert request(app, "POST", "/v1/callbacks/cashfree", source_ip="203.0.113.9", body="{}")[0] == 200  # per IP
    assert set(app.edge.limiter.counts) == {"ip:198.51.100.7#callbacks", "ip:203.0.113.9#callbacks"}


def test_a_route_declares_only_known_quotas():
    with pytest.raises(ValueError, match="unknown quota"):
        edge.Routes("x").post("/x", auth=None, rate_limited="callback")


def test_openapi_lists_429_for_the_callback_route(monkeypatch):
    app, _ = app_with(ALL, monkeypatch)
    doc = edge.openapi_document(app, title="t", version="1", description="d")
    op = doc["paths"]["/v1/callbacks/{connector}"]["post"]
    assert "429" in op["responses"] and "Retry-After" in op["responses"]["429"]["headers"]


probe = edge.Routes("probe")


@probe.get("/probe", auth=None)
def _probe(kind: Annotated[str | None, Query(alias="type")] = None, limit: Annotated[int, Query()] = 1) -> dict:
    return {"kind": kind, "limit": limit}


@probe.get("/bare", auth=None)
def _bare() -> dict:
    return {"ok": True}


def test_undeclared_query_parameters_are_refused_naming_the_first(monkeypatch):
    app, _ = app_with([probe], monkeypatch)
    assert request(app, "GET", "/probe", {"type": "a", "limit": "2"})[:2] == (200, {"kind": "a", "limit": 2})
    for query, unknown in (({"kind": "a"}, "kind"), ({"type": "a", "limt": "2"}, "limt"), ({"z": "1", "b": "2"}, "b")):
        status, body, _ = request(app, "GET", "/probe", query)
        assert status == 400 and body["error"] == {"type": "invalid_request_error", "code": "parameter_unknown",
                                                   "message": f"unknown query parameter {unknown}",
                                                   "param": unknown}, (query, body)
    assert request(app, "GET", "/bare")[0] == 200
    assert request(app, "GET", "/bare", {"dry_run": "true"})[1]["error"]["param"] == "dry_run"
    assert request(app, "GET", "/docs", {"format": "json"})[0] == 200  # the documents take theirs


@probe.get("/since", auth=None)
def _since(created_from: TimeBound = None) -> dict:
    return {"created_from": created_from}


@pytest.mark.parametrize("value", ["2026-99-99", "2026-03-01T25:61:61Z", "0000-00-00", "0000-01-01", "2026-02-30",
                                   "٢٠٢٦-03-01", "2026-03-01T12:00:00+05:00", "2026-3-1", "yesterday"])
def test_impossible_time_bounds_are_refused_naming_the_parameter(monkeypatch, value):
    app, _ = app_with([probe], monkeypatch)
    status, body, _ = request(app, "GET", "/since", {"created_from": value})
    assert (status, body["error"]["code"], body["error"]["param"]) == (400, "parameter_invalid", "created_from")
    assert "RFC 3339" in body["error"]["message"] or "not a real date" in body["error"]["message"], body


@pytest.mark.parametrize("value", ["2026-03-01", "2024-02-29", "2026-03-01T12", "2026-03-01T12:30",
                                   "2026-03-01T23:59:59Z", "2026-03-01T12:00:00.123456Z"])
def test_real_dates_and_times_in_the_documented_forms_are_accepted(monkeypatch, value):
    app, _ = app_with([probe], monkeypatch)
    assert request(app, "GET", "/since", {"created_from": value})[:2] == (200, {"created_from": value})
