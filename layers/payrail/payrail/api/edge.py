"""The API edge: one mechanism gives every route, from its declaration, the same guarantees.

A route module declares its routes on a :class:`Routes` (``auth``, success ``status`` and
``response`` model, the domain ``errors`` it can answer, whether an ``Idempotency-Key`` is
required or optional). :func:`build_app` registers them on a Powertools resolver whose every
request goes through, in this order:

1. routing: an unknown path is 404, a known path with another method 405 (with ``Allow``);
2. **authentication and authorization** from the route's declared security (merchant API key or
   admin bearer token; public routes none) — before anything about the request is looked at;
3. **rate limiting** per caller (merchant, admin, or source IP for public routes and failed
   authentication), shared by all execution environments (``payrail.core.ratelimit``); a route may
   declare a quota of its own instead (``rate_limited=CALLBACKS``: the provider callbacks, per
   source IP, counted apart from the other public routes); a valid merchant key that is refused
   (suspended, or on an admin route) counts against that merchant, not its IP;
4. the **body guard**: size (413), base64 (API Gateway's ``isBase64Encoded``), UTF-8, media type
   (415), JSON syntax and nesting depth (400) — so no malformed input reaches a parser that could fail;
5. **unknown query parameters** (not among the route's declared ``Query`` parameters): 400
   ``parameter_unknown`` naming the first, so a typo is never a silent no-op;
6. Powertools' validation of path, query, header and body against the route's strict models
   (unknown fields, wrong types, bad ids: 400 naming the field);
7. **idempotency** (``payrail.core.idempotency``) around the route function when it takes a key (a
   merchant's keys are its own; the admin's are scoped by the target merchant: :func:`idempotency_scope`); a
   route declared ``idempotency=IN_TRANSACTION`` keeps its own record instead (the object it
   creates, with the request's fingerprint, in the same transaction as its effect: no claim and
   no stored answer, two DynamoDB requests fewer) and calls :func:`replayed` when it answers
   with what an earlier request made.

Errors have one shape (``{"error": {type, code, message, param}}``); a 500 only ever means an
internal fault, logged with the request's correlation id. A dependency that cannot be reached in
time (an AWS call that timed out, lost its connection or stayed throttled, ``payrail.core.ddb.is_outage``;
every call keeps the invocation's deadline) is 503 ``service_unavailable`` with ``Retry-After``,
from any step; such a failure is never stored as a key's answer, so a retry with the key resolves
it. The OpenAPI document lists, for every operation, each status this mechanism or the route can
answer, with typed schemas.
"""
from __future__ import annotations

import base64
import binascii
import contextvars
import functools
import hashlib
import hmac
import inspect
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from payrail.core import ddb, deadline
from payrail.core.errors import (
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayrailError,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from payrail.core.idempotency import IdempotencyStore, fingerprint
from payrail.core.ratelimit import Quota, RateLimiter
from payrail.core import clock

if TYPE_CHECKING:  # built by the handler; imported here for the types only
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from payrail.core.merchants import Merchant
    from payrail.core.settings import Settings
    from payrail.platform import Platform

MERCHANT, ADMIN = "merchant", "admin"
#: ``idempotency=`` value of a route whose created object is its idempotency record (key required)
IN_TRANSACTION = "in_transaction"
#: the header of an answer replayed for a repeated Idempotency-Key
REPLAYED = "Idempotent-Replayed"
SECURITY = {MERCHANT: [{"merchantKey": []}], ADMIN: [{"adminToken": []}]}
#: ``rate_limited=`` of the provider callback routes: per source IP, ``Settings.callback_rate_limit_per_minute``
CALLBACKS = "callbacks"
#: the quotas a route may declare instead of its caller's: name -> the ``Settings`` field of its limit
QUOTAS = {CALLBACKS: "callback_rate_limit_per_minute"}


def security_schemes() -> dict:
    """The OpenAPI security schemes (Powertools' OpenAPI models are imported only to build the
    documents: they cost about a fifth of the api's cold start)."""
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

    return {"merchantKey": APIKey(name="X-API-Key", in_=APIKeyIn.header), "adminToken": HTTPBearer()}
#: deepest JSON nesting a request body may have
MAX_JSON_DEPTH = 32

logger = Logger(service="payrail-api")

_DESCRIPTIONS = {
    400: "Invalid request: a field is missing, unknown, of the wrong type or out of range (`param` names it); "
         "or the body is not UTF-8 JSON",
    401: "Missing, unknown or expired credentials",
    402: "Not enough funds",
    403: "Valid credentials that may not use this route, or a suspended merchant",
    404: "No such object for this caller (another merchant's ids do not exist for you)",
    409: "Conflict with the object's current state, or a request with this Idempotency-Key is in progress",
    413: "Request body larger than the limit",
    415: "Request body is not application/json",
    422: "This Idempotency-Key was used with a different request",
    429: "Rate limit reached: retry after `Retry-After` seconds",
    502: "The payout provider refused or failed the transfer (`error.provider` has its details)",
    503: "A dependency is unavailable: retry after `Retry-After` seconds (with the same Idempotency-Key)",
    504: "The payout provider gave no answer: the outcome is reconciled later (`error.provider` has its details)",
}
_RATE_HEADERS = {h: {"description": d, "schema": {"type": "integer"}} for h, d in (
    ("RateLimit-Limit", "requests allowed per window"), ("RateLimit-Remaining", "requests left in this window"),
    ("RateLimit-Reset", "seconds until the window resets"))}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


# ---- declarations --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteSpec:
    """One route as declared by its resource module (see :meth:`Routes.route`)."""

    method: str
    path: str
    func: Callable
    tag: str
    auth: str | None
    status: int
    response: type[BaseModel] | None
    errors: tuple[int, ...]
    idempotency: str | None  # "required", "optional", IN_TRANSACTION or None
    rate_limited: bool | str  # True: the caller's quota; a name in QUOTAS: that quota; False: none
    summary: str | None
    also: tuple[tuple[int, type[BaseModel]], ...] = ()  # further success statuses (e.g. 202) and their bodies
    operation_id: str = ""  # the OpenAPI operationId: ``createPayout``
    description: str = ""  # the route function's docstring

    @property
    def tags(self) -> list[str]:
        """The OpenAPI tags: the resource's, prefixed ``admin `` on the admin's routes."""
        return [f"admin {self.tag}" if self.auth == ADMIN else self.tag]

    @property
    def name(self) -> str:
        """Stable route id (part of idempotency records): ``POST /v1/orders``."""
        return f"{self.method} {self.path}"


def camel(name: str) -> str:
    """``create_payout`` (or ``payout.succeeded``) in camelCase: ``createPayout``."""
    first, *rest = name.replace(".", "_").strip("_").split("_")
    return first + "".join(w[:1].upper() + w[1:] for w in rest)


def summary_of(doc: str) -> str:
    """The one-sentence summary of a docstring: its first clause (up to the first ``. ``, ``: ``,
    ``; `` or `` (``), ending with a period."""
    text = " ".join(doc.split())
    cut = min((i for i in (text.find(m) for m in (". ", ": ", "; ", " (")) if i > 0), default=len(text))
    return text[:cut].rstrip(".") + "."


class Routes:
    """The routes of one resource (one per route module).

    Example::

        routes = Routes("orders")

        @routes.post("/v1/orders", auth=MERCHANT, status=201, response=Order, errors=(402, 404, 409),
                     idempotency="required")
        def place_order(body: OrderIn, idempotency_key: IdempotencyKey) -> dict: ...
    """

    def __init__(self, tag: str):
        self.tag = tag
        self.specs: list[RouteSpec] = []

    def route(self, method: str, path: str, *, auth: str | None, status: int = 200,
              response: type[BaseModel] | None = None, errors: tuple[int, ...] = (), idempotency: str | None = None,
              rate_limited: bool | str = True, summary: str | None = None, operation_id: str | None = None,
              also: tuple[tuple[int, type[BaseModel]], ...] = ()) -> Callable:
        """Declare a route. The function takes Powertools-annotated parameters (body model, ``Path``,
        ``Query``, ``Header``) and returns the response body (a dict) for ``status``, or a
        ``Response`` for a success status declared in ``also``. ``rate_limited``: True counts the
        request against its caller's quota, the name of a quota in ``QUOTAS`` against that one
        (per caller, apart from the caller's own), False against none. ``operation_id``: the
        OpenAPI operationId, by default the function's name in camelCase (``create_payout`` ->
        ``createPayout``); ``summary``: one sentence, by default the docstring's first clause (the
        whole docstring is the operation's description).

        Raises: ValueError for a quota name not in ``QUOTAS``.
        """
        if not isinstance(rate_limited, bool) and rate_limited not in QUOTAS:
            raise ValueError(f"unknown quota {rate_limited!r}; known: {', '.join(QUOTAS)}")

        def register(func: Callable) -> Callable:
            doc = inspect.cleandoc(func.__doc__ or "")
            self.specs.append(RouteSpec(method, path, func, self.tag, auth, status, response, tuple(errors),
                                        idempotency, rate_limited, summary or summary_of(doc), tuple(also),
                                        operation_id or camel(func.__name__), doc))
            return func
        return register

    def get(self, path: str, **kw) -> Callable:
        return self.route("GET", path, **kw)

    def post(self, path: str, **kw) -> Callable:
        return self.route("POST", path, **kw)


# ---- the current call --------------------------------------------------------------------------
@dataclass
class Call:
    """Who is calling and with what budget; route functions read it with :func:`call`.

    Attributes:
        caller: rate-limit identity: ``m:<merchant_id>``, ``admin`` or ``ip:<addr>``; also whose
            idempotency keys a request's are (the admin's per target merchant: :func:`idempotency_scope`).
        platform: the domain (:class:`payrail.platform.Platform`) the route function calls.
        merchant: the authenticated merchant (merchant routes).
        request_id: the invocation's id (owner of idempotency claims).
        deadline: ``clock.monotonic()`` by which the answer must be sent (``payrail.core.deadline``).
        fingerprint: the request's idempotency fingerprint (keyed routes), stored on created objects.
    """

    platform: Platform
    caller: str
    request_id: str
    deadline: float
    merchant: Merchant | None = None
    fingerprint: str | None = None
    quota: Quota | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # the request's, names lower-cased
    body: bytes = b""  # the request body as sent (after the body guard: checked UTF-8 JSON)

    @property
    def merchant_id(self) -> str:
        """The authenticated merchant's id (merchant routes only)."""
        return self.merchant.merchant_id

    def remaining(self) -> float:
        """Seconds left before the answer is due."""
        return max(0.0, self.deadline - clock.monotonic())


_current: contextvars.ContextVar[Call] = contextvars.ContextVar("payrail_call")


def call() -> Call:
    """The :class:`Call` of the request being handled."""
    return _current.get()


def replayed() -> None:
    """An ``IN_TRANSACTION`` route answers with what an earlier request with its key made."""
    call().extra_headers[REPLAYED] = "true"


# ---- the body guard -----------------------------------------------------------------------------
def lower_keys(headers: dict[str, str] | None) -> dict[str, str]:
    """Header names lower-cased (HTTP header names are case-insensitive)."""
    return {k.lower(): v for k, v in (headers or {}).items()}


def _depth(value: object) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def guard_body(event: dict, max_bytes: int) -> tuple[dict, PayrailError | None]:
    """Decode an API Gateway (payload 2.0) request body to checked UTF-8 JSON text.

    Returns:
        ``(event, error)``: the event with a plain-text ``body`` (``isBase64Encoded`` false), and
        the error to answer with instead (413 too large, 415 not JSON, 400 undecodable, invalid
        JSON or nested deeper than MAX_JSON_DEPTH), or None.
    """
    raw = event.get("body")
    if raw is None or raw == "":
        return event, None
    if event.get("isBase64Encoded"):
        if len(raw) > max_bytes * 4 // 3 + 4:
            return event, PayloadTooLarge(f"request body larger than {max_bytes} bytes")
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return event, ValidationFailed("request body is marked base64 but is not valid base64", code="invalid_body")
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        return event, PayloadTooLarge(f"request body larger than {max_bytes} bytes")
    headers = lower_keys(event.get("headers"))
    media = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if media != "application/json":
        return event, UnsupportedMediaType(f"request body must be application/json, not {media or 'empty'}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return event, ValidationFailed(f"request body is not valid UTF-8 (byte {e.start})", code="invalid_body")
    too_deep = ValidationFailed(f"request body is nested deeper than {MAX_JSON_DEPTH} levels", code="invalid_json")
    try:
        parsed = json.loads(text)
    except RecursionError:
        return event, too_deep
    except ValueError as e:
        return event, ValidationFailed(f"request body is not valid JSON: {e}", code="invalid_json")
    if _depth(parsed) > MAX_JSON_DEPTH:
        return event, too_deep
    return {**event, "body": text, "isBase64Encoded": False}, None


# ---- validation errors ------------------------------------------------------------------------------
_TYPE_MESSAGES = {
    "int_type": "must be an integer", "int_parsing": "must be an integer", "int_from_float": "must be an integer",
    "string_type": "must be a string", "bool_type": "must be true or false", "dict_type": "must be an object",
    "model_type": "must be an object", "list_type": "must be an array",
}


#: what a value of a long pattern must be, said in words (``payrail.api.models.TIME_BOUND``)
_TIME_BOUND_MESSAGE = "must be an RFC 3339 date (2026-03-01) or UTC time (2026-03-01T12:00:00Z) that exists"


def validation_error(errors: list[dict]) -> ValidationFailed:
    """The first of Powertools/pydantic's validation errors as payrail's 400, naming the field."""
    err = errors[0] if errors else {}
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie")]
    key = None
    if loc[-1:] == ["[key]"]:  # a dict's key (metadata): name the dict, quote the key
        key, loc = loc[-2], loc[:-2]
    param = ".".join(loc).replace("from_", "from") or None
    kind = err.get("type", "")
    more = f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    if key is not None:
        msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        return ValidationFailed(f"{param} key {json.dumps(key)[:60]} is invalid: {msg}{more}", param=param,
                                code="parameter_invalid")
    if kind == "missing":
        return ValidationFailed(f"{param or 'request body'} is required{more}", param=param, code="parameter_missing")
    if kind == "extra_forbidden":
        return ValidationFailed(f"unknown parameter {param}{more}", param=param, code="parameter_unknown")
    if not param and kind in ("dict_type", "model_type", "model_attributes_type"):
        return ValidationFailed("request body must be a JSON object", code="invalid_body")
    msg = _TYPE_MESSAGES.get(kind) or str(err.get("msg", "is invalid")).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern")
        from payrail.api.models import TIME_BOUND  # loaded with the route that validated it

        msg = _TIME_BOUND_MESSAGE if pattern == TIME_BOUND else f"must match {pattern}"
    return ValidationFailed(f"{param or 'request'} {msg}{more}", param=param, code="parameter_invalid")


# ---- query parameters -----------------------------------------------------------------------------
def query_names(route) -> frozenset[str]:
    """The query parameter names a Powertools ``route`` declares (each ``Query`` parameter's alias,
    or the fields of a model taken from the query string), computed once per route."""
    names = getattr(route, "_payrail_query_names", None)
    if names is None:
        out = set()
        for f in route.dependant.query_params:
            model = getattr(f.field_info, "annotation", None)
            if isinstance(model, type) and issubclass(model, BaseModel):
                out |= {fi.alias or n for n, fi in model.model_fields.items()}
            else:
                out.add(f.alias)
        names = route._payrail_query_names = frozenset(out)
    return names


def unknown_query_parameter(params: dict[str, str], declared: frozenset[str]) -> str | None:
    """The first of ``params``' names (sorted) that is not ``declared``, or None."""
    return next((name for name in sorted(params) if name not in declared), None)


# ---- the resolver ---------------------------------------------------------------------------------
class Edge:
    """The per-execution-environment edge: settings, authentication, limiter, idempotency store."""

    def __init__(self, platform: Platform, settings: Settings):
        self.platform = platform
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_table)
        self.idempotency = IdempotencyStore(settings.idempotency_table, settings.idempotency_ttl_seconds)

    def admin_token_ok(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization") or ""
        token = auth[7:] if auth[:7].lower() == "bearer " else ""
        return bool(token and self.settings.admin_token_sha256 and hmac.compare_digest(
            hashlib.sha256(token.encode()).hexdigest(), self.settings.admin_token_sha256))

    def authenticate(self, spec: RouteSpec, headers: dict[str, str], source_ip: str
                     ) -> tuple[str, Merchant | None, int]:
        """``(caller, merchant, limit)`` for ``spec``'s declared security.

        Raises:
            Unauthorized (401), Forbidden (403).
        """
        s = self.settings
        if spec.auth == ADMIN:
            if self.admin_token_ok(headers):
                return "admin", None, s.admin_rate_limit_per_minute
            if headers.get("x-api-key"):
                m = self.platform.merchants.authenticate(headers.get("x-api-key"))
                raise Forbidden("this route is for the platform admin", merchant=m)
            raise Unauthorized("missing or invalid admin bearer token")
        if spec.auth == MERCHANT:
            m = self.platform.merchants.authenticate(headers.get("x-api-key"))
            caller, limit = self.merchant_quota(m)
            return caller, m, limit
        return f"ip:{source_ip}", None, s.anonymous_rate_limit_per_minute

    def quota_of(self, spec: RouteSpec, caller: str, caller_limit: int) -> tuple[str, int]:
        """``(counter, limit)`` that ``spec``'s requests from ``caller`` count against: the caller's
        own, or the declared quota's (a counter per caller and quota)."""
        if spec.rate_limited is True:
            return caller, caller_limit
        return f"{caller}#{spec.rate_limited}", getattr(self.settings, QUOTAS[spec.rate_limited])

    def merchant_quota(self, merchant: Merchant) -> tuple[str, int]:
        """``(caller, limit)`` of a merchant: its requests per minute (its own or the default)."""
        return f"m:{merchant.merchant_id}", merchant.rate_limit_per_minute or self.settings.rate_limit_per_minute

    def limit(self, caller: str, limit: int | None = None) -> Quota:
        """Count the request against ``limit`` a minute (default: the anonymous limit, which also
        counts failed authentication); raises RateLimited (429) over it."""
        limit = self.settings.anonymous_rate_limit_per_minute if limit is None else limit
        quota = self.limiter.hit(caller, limit)
        if not quota.allowed:
            raise RateLimited(f"rate limit of {limit} requests per minute reached; retry in {quota.reset} s",
                              headers=quota.headers())
        return quota


class PayrailResolver(APIGatewayHttpResolver):
    """Powertools' HTTP API resolver with payrail's edge in front of every route (module docstring)."""

    def __init__(self, edge: Edge, load: Callable[[str], Routes] | None = None):
        super().__init__(enable_validation=True)
        self.edge = edge
        self.specs: dict[tuple[str, str], RouteSpec] = {}
        #: ``(method, path)`` -> the module declaring that route, until it is imported (``load(module)``)
        self.unloaded: dict[tuple[str, str], str] = {}
        self._load = load
        self._pending: PayrailError | None = None
        self._context: LambdaContext | None = None

    def register(self, spec: RouteSpec) -> None:
        """Serve ``spec``'s route behind the edge; a route registered from the index (:func:`build_app`)
        gets its function and declaration now."""
        func = _keyed(spec, self.edge.idempotency) if spec.idempotency else spec.func
        declared = dict(tags=spec.tags, security=SECURITY.get(spec.auth), summary=spec.summary,
                        description=spec.description, operation_id=spec.operation_id, responses=_responses(spec),
                        status_code=spec.status)
        known = next((r for r in self._static_routes + self._dynamic_routes
                      if (r.method, r.path) == (spec.method, spec.path)), None)
        if known is None:
            self.route(spec.path, spec.method, **declared)(func)
        else:  # not called yet: Powertools builds its validation and middleware stack on the first call
            for name, value in declared.items():
                setattr(known, name, value)
            known.func = known._middleware_stack = func
            known._dependant = known._body_field = None
        self.specs[(spec.method, spec.path)] = spec

    def load_module(self, module: str) -> None:
        """Import a route module of the index and serve its routes."""
        for spec in self._load(module).specs:
            self.register(spec)
        self.unloaded = {k: m for k, m in self.unloaded.items() if m != module}

    def load_all(self) -> None:
        """Import every route module not imported yet (the OpenAPI document describes them all)."""
        for module in dict.fromkeys(self.unloaded.values()):
            self.load_module(module)

    def resolve(self, event: dict, context: LambdaContext | None) -> dict:
        event, self._pending = guard_body(event, self.edge.settings.max_body_bytes)
        self._context = context
        try:
            return super().resolve(event, context)
        finally:
            self._pending = self._context = None

    def _call_route(self, route, route_arguments):
        try:
            c = self._before(route)
        except Exception as exc:  # noqa: BLE001 - answered through the exception handlers, as route errors are
            builder = self._call_exception_handler(exc, route)
            if builder is None:
                raise
            return builder
        token = _current.set(c)
        try:
            builder = super()._call_route(route, route_arguments)
            if c.quota:
                builder.response.headers.update(c.quota.headers())
            builder.response.headers.update(c.extra_headers)
            return builder
        finally:
            _current.reset(token)

    def _before(self, route) -> Call:
        """Steps 1-5 of the module docstring: the request's :class:`Call`, or the error to answer."""
        ev, ctx = self.current_event, self._context
        if (route.method, route.path) in self.unloaded:  # the first request this route serves here
            self.load_module(self.unloaded[(route.method, route.path)])
        spec = self.specs.get((route.method, route.path))
        left = deadline.remaining()  # set by the handler from the Lambda context
        c = Call(self.edge.platform, f"ip:{ev.request_context.http.source_ip}",
                 getattr(ctx, "aws_request_id", None) or ev.request_context.request_id,
                 clock.monotonic() + (left if left != math.inf else 27.0))
        if spec is None:  # the documents (/openapi.json, /docs) or Powertools' not-found route
            registered = self._static_routes + self._dynamic_routes
            allowed = sorted({r.method for r in registered if r.rule.match(route.path)})
            if route not in registered and allowed:  # a known path with another method
                raise MethodNotAllowed(f"{route.method} is not allowed here; use {', '.join(allowed)}",
                                       headers={"Allow": ", ".join(allowed)})
            c.quota = self.edge.limit(c.caller)
            return c
        c.headers, c.body = lower_keys(ev.headers), (ev.body or "").encode("utf-8", "surrogatepass")
        try:
            c.caller, c.merchant, limit = self.edge.authenticate(spec, c.headers, ev.request_context.http.source_ip)
        except Forbidden as e:
            if e.merchant is None:
                self.edge.limit(c.caller)
            else:  # a valid key, refused: the merchant's own quota, never its address's (others share it)
                self.edge.limit(*self.edge.merchant_quota(e.merchant))
            raise
        except Unauthorized:
            self.edge.limit(c.caller)  # slows key guessing
            raise
        if spec.rate_limited:
            c.quota = self.edge.limit(*self.edge.quota_of(spec, c.caller, limit))
        if self._pending is not None:
            raise self._pending
        unknown = unknown_query_parameter(ev.query_string_parameters or {}, query_names(route))
        if unknown is not None:
            raise ValidationFailed(f"unknown query parameter {unknown}", param=unknown, code="parameter_unknown")
        return c


def _error_json(e: PayrailError) -> Response:
    return Response(status_code=e.status, content_type=content_types.APPLICATION_JSON, body=e.to_dict(),
                    headers=dict(e.headers or {}))


def idempotency_scope(caller: str, request: dict) -> str:
    """Whose keys an ``Idempotency-Key`` is one of (with the route, it names the idempotency record).

    A merchant's keys are its own (``m:<merchant_id>``). The admin acts for many merchants, so its
    keys are scoped by the merchant a request is for — the ``merchant_id`` of its path or of its
    body — on every admin route: ``admin:m:<merchant_id>``, so one key may be used once for each
    merchant (as the records that keyed admin routes create are per merchant anyway: journal ids
    derive from the merchant and the key). A platform-wide admin request (no merchant) is ``admin``.

    Args:
        caller: :attr:`Call.caller`. request: the validated arguments (bodies as JSON dicts).
    """
    if caller != "admin":
        return caller
    target = request.get("merchant_id")
    if not isinstance(target, str):
        target = next((v["merchant_id"] for v in request.values()
                       if isinstance(v, dict) and isinstance(v.get("merchant_id"), str)), None)
    return f"admin:m:{target}" if target else caller


def _keyed(spec: RouteSpec, store: IdempotencyStore) -> Callable:
    """Wrap a route function that takes ``idempotency_key`` in payrail's idempotency."""
    func = spec.func

    @functools.wraps(func)
    def run(**kwargs):
        key = kwargs.get("idempotency_key")
        c = call()
        request = {k: (v.model_dump(mode="json", by_alias=True) if isinstance(v, BaseModel) else v)
                   for k, v in kwargs.items() if k != "idempotency_key"}
        c.fingerprint = fingerprint(spec.name, request)
        if key is None or spec.idempotency == IN_TRANSACTION:
            return func(**kwargs)
        out = store.run(caller=idempotency_scope(c.caller, request), route=spec.name, key=key, fingerprint=c.fingerprint, owner=c.request_id,
                        lease_seconds=c.remaining() + deadline.SAFETY_MARGIN_SECONDS,  # until the function's timeout
                        effect=lambda: (spec.status, func(**kwargs)))
        if out.replayed:
            replayed()
        return Response(status_code=out.status, content_type=content_types.APPLICATION_JSON, body=out.body)

    return run


def _responses(spec: RouteSpec) -> dict[int, dict]:
    """Every status ``spec`` can answer, for the OpenAPI document."""
    # any route may get an undeclared query parameter, or find a dependency unavailable
    codes = set(spec.errors) | {400, 503}
    if spec.auth:
        codes |= {401, 403}
    if spec.rate_limited:
        codes.add(429)
    if spec.method == "POST":
        codes |= {413, 415}
    if "<" in spec.path:
        codes.add(404)
    if spec.idempotency:
        codes |= {409, 422}
    ok: dict = {"description": "Success", "headers": dict(_RATE_HEADERS) if spec.rate_limited else {}}
    if spec.response is not None:
        ok["content"] = {"application/json": {"model": spec.response}}
    out = {spec.status: ok}
    for code, model in spec.also:
        out[code] = {**ok, "description": "Accepted: under way" if code == 202 else "Success",
                     "content": {"application/json": {"model": model}}}
    from payrail.api.models import ErrorBody  # loaded with the route modules

    for code in sorted(codes):
        out[code] = {"description": _DESCRIPTIONS[code], "content": {"application/json": {"model": ErrorBody}}}
        if code in (429, 503):
            out[code]["headers"] = {**_RETRY_AFTER, **(_RATE_HEADERS if code == 429 else {})}
    return out


def _unloaded_route():  # registered from the index; replaced by the route's function before any call
    raise RuntimeError("a route served before its module was imported")


def build_app(platform: Platform, settings: Settings, route_sets: list[Routes], *, title: str, version: str,
              description: str, index: tuple[tuple[str, str, str, int], ...] = (),
              load: Callable[[str], Routes] | None = None) -> PayrailResolver:
    """A resolver with every route of ``route_sets`` behind the edge (one per execution environment),
    and every route of ``index`` (``(module, method, path, status)``) registered without importing
    its module: ``load(module)`` imports it on the first request one of its routes serves, before
    anything else of the request is looked at (the edge's steps need the route's declaration)."""
    edge = Edge(platform, settings)
    app = PayrailResolver(edge, load)
    for routes in route_sets:
        for spec in routes.specs:
            app.register(spec)
    for module, method, path, status in index:
        app.route(path, method, status_code=status)(_unloaded_route)
        app.unloaded[(method, path)] = module

    @app.exception_handler(PayrailError)
    def _domain_error(e: PayrailError) -> Response:
        if e.status >= 500:
            logger.exception("domain error")
        return _error_json(e)

    @app.exception_handler(RequestValidationError)
    def _invalid(e: RequestValidationError) -> Response:
        return _error_json(validation_error(e.errors()))

    @app.exception_handler(Exception)
    def _fault(e: Exception) -> Response:
        if ddb.is_outage(e):  # the one place a dependency's outage becomes an answer
            logger.warning("dependency unavailable: %s: %s", type(e).__name__, e)
            return _error_json(ServiceUnavailable(
                f"a service this request depends on did not answer in time; retry in {ServiceUnavailable.retry_after} s"
                " (with the same Idempotency-Key)"))
        logger.exception("internal error")
        rid = getattr(app._context, "aws_request_id", None)
        return _error_json(PayrailError(f"internal error; correlation id {rid}"))

    @app.not_found
    def _not_found(_e: Exception) -> Response:
        return _error_json(NotFound("no such route"))

    @app.get("/docs", include_in_schema=False)
    def _docs():  # Swagger UI (Powertools' page; its OpenAPI machinery loaded on the first view)
        from aws_lambda_powertools.event_handler import openapi as powertools_openapi
        from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

        ui = Path(powertools_openapi.__file__).parent / "swagger_ui"
        spec = json.dumps(openapi_document(app, title=title, version=version, description=description))
        html = generate_swagger_html(spec.replace("</", "<\\/"), (ui / "swagger-ui-bundle.min.js").read_text(),
                                     (ui / "swagger-ui.min.css").read_text(), "", None)
        # the link under the title names the served document (next to /docs), not the page itself
        html = html.replace('currentUrl.pathname + "?format=json"', 'new URL("openapi.json", currentUrl).href')
        return Response(status_code=200, content_type="text/html", body=html)
    return app


def openapi_document(app: PayrailResolver, *, title: str, version: str, description: str) -> dict:
    """The OpenAPI 3.1 document, without Powertools' generic 422 where a route cannot answer it."""
    app.load_all()
    doc = json.loads(app.get_openapi_json_schema(title=title, version=version, description=description,
                                                 security_schemes=security_schemes()))
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            spec = app.specs.get((method.upper(), path.replace("{", "<").replace("}", ">")))
            if spec is not None and 422 not in _responses(spec):
                op["responses"].pop("422", None)
    schemas = doc.get("components", {}).get("schemas", {})
    for ops in doc.get("paths", {}).values():
        for op in ops.values():  # a request body's examples, for Swagger UI's "Try it out" and its list
            media = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = media.get("schema", {})  # a model, or an optional one (anyOf the model and null)
            ref = next((s["$ref"] for s in [schema, *schema.get("anyOf", [])] if "$ref" in s), "").rsplit("/", 1)[-1]
            bodies = schemas.get(ref, {}).get("examples")
            if bodies:
                media["examples"] = {f"example{i + 1}": {"value": b} for i, b in enumerate(bodies)}
    from payrail.api.models.examples import RESPONSE_EXAMPLES

    for ops in doc.get("paths", {}).values():
        for op in ops.values():  # a resource's example answer on each success status that returns it
            for status, answer in op.get("responses", {}).items():
                media = answer.get("content", {}).get("application/json", {})
                name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                if status.startswith("2") and name in RESPONSE_EXAMPLES:
                    media["examples"] = {"example1": {"value": RESPONSE_EXAMPLES[name]}}
    doc["webhooks"] = webhooks_section()
    event = RESPONSE_EXAMPLES.get("Event")
    if event and event["type"] in doc["webhooks"]:
        media = doc["webhooks"][event["type"]]["post"]["requestBody"]["content"]["application/json"]
        media["examples"] = {"example1": {"value": event}}
    schemas = doc.get("components", {}).get("schemas", {})
    paths = json.dumps(doc.get("paths"))
    for name, also in (("HTTPValidationError", "ValidationError"), ("ResponseValidationError", None)):
        if f"schemas/{name}" not in paths:
            schemas.pop(name, None)
            schemas.pop(also, None)
    return doc


#: the schema (in ``components``) of the object a family's events carry as ``data.object``
EVENT_OBJECTS = {"order": "Order", "payout": "Payout", "reservation": "Reservation", "settlement": "SettlementJob",
                 "payment": "Payment", "reconciliation": "ReconciliationException",
                 # an event type whose object is not its family's
                 "reconciliation.completed": "ReconciliationRun"}


def webhooks_section() -> dict:
    """The OpenAPI 3.1 ``webhooks``: one per event type of ``payrail.core.events.EVENT_TYPES``, the
    request payrail sends to a subscribed endpoint (the ``Event`` envelope, its ``type`` that one and
    its ``data.object`` the resource's schema), answered 2xx to be counted delivered."""
    from payrail.core.events import EVENT_TYPES

    out = {}
    for name, meaning in EVENT_TYPES.items():
        family = name.split(".")[0]
        out[name] = {"post": {
            "operationId": camel(f"{name}_event"),
            "summary": summary_of(meaning[:1].upper() + meaning[1:]),
            "description": f"{meaning[:1].upper()}{meaning[1:]}. Sent to endpoints subscribed to `{name}`, `{family}.*` or `*`, signed as Standard "
                           "Webhooks (`webhook-id` is the event_id, `webhook-timestamp`, `webhook-signature`).",
            "tags": [f"{family} events"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "allOf": [{"$ref": "#/components/schemas/Event"}],
                "properties": {"type": {"const": name},
                               "data": {"type": "object", "required": ["object"], "properties": {
                                   "object": {"$ref": f"#/components/schemas/{EVENT_OBJECTS.get(name, EVENT_OBJECTS[family])}"}}}}}}}},
            "responses": {"2XX": {"description": "Received: the delivery counts as delivered"},
                          "default": {"description": "Not received: payrail retries with backoff"}},
        }}
    return out
