"""HTTP API (API Gateway HTTP API, payload 2.0): parse, authenticate, call the domain, map errors.

Routes, request models and the OpenAPI document (``/openapi.json``, Swagger UI at ``/docs``) come
from Powertools' event handler. Money-moving POSTs take an ``Idempotency-Key`` and run through
Powertools idempotency; the domain derives its ids from the same key, so even a crash between
the write and the stored response cannot charge twice.
"""
import hashlib
import hmac
import json
import os
from typing import Annotated, Any, Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import BaseModel, Field

from payrail import ddb
from payrail.errors import (
    Forbidden,
    IdempotencyInProgress,
    IdempotencyMismatch,
    NotFound,
    PayrailError,
    Unauthorized,
    ValidationFailed,
)
from payrail.ids import derived
from payrail.platform import Platform
from payrail.settings import Settings
from payrail.settlement import ALL

settings = Settings.from_env(os.environ)
platform = Platform(settings)
logger = Logger(service="payrail-api")
tracer = Tracer(service="payrail-api")
metrics = Metrics(namespace="payrail", service="api")
app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(
    path="/docs", title="payrail", version="0.1.0",
    description="Wallets and a double-entry ledger, orders, payouts and settlement. Amounts are integers "
                "in the currency's minor unit.",
    security_schemes={"merchantKey": APIKey(name="X-API-Key", in_=APIKeyIn.header), "adminToken": HTTPBearer()},
)
idempotency_store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=ddb.client())
idempotency_config = IdempotencyConfig(
    event_key_jmespath="[merchant_id, route, key]", payload_validation_jmespath="body",
    expires_after_seconds=settings.idempotency_ttl_seconds, raise_on_no_idempotency_key=True)

MERCHANT = [{"merchantKey": []}]
ADMIN = [{"adminToken": []}]
IdemKey = Annotated[str, Header(alias="idempotency-key", min_length=1, max_length=255,
                                description="client-chosen key; a retry with the same key and body replays")]
Limit = Annotated[int, Query(ge=1, le=100)]


# ---- request models ------------------------------------------------------------------------
class MerchantIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    fee_bps: int | None = Field(default=None, ge=0, le=10_000, description="platform fee in basis points")


class WalletMoveIn(BaseModel):
    merchant_id: str
    customer_id: str = Field(min_length=1, max_length=64)
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217")
    amount: int = Field(gt=0, description="minor units")


class ProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    price: int = Field(gt=0, description="minor units")
    currency: str = Field(min_length=3, max_length=3)
    stock: int = Field(ge=0)


class OrderIn(BaseModel):
    product_id: str
    quantity: int = Field(ge=1, le=1000)
    customer_id: str = Field(min_length=1, max_length=64)


class BeneficiaryIn(BaseModel):
    type: str = "bank_account"
    account_number: str = Field(description="10-16 digits; sandbox suffix 0001 ok, 0002 transient, 0003 fails")
    bank_code: str | None = None
    name: str


class PayoutIn(BaseModel):
    amount: int = Field(gt=0, description="minor units")
    currency: str = Field(min_length=3, max_length=3)
    beneficiary: BeneficiaryIn


class WindowIn(BaseModel):
    from_: str = Field(alias="from", description="first UTC date, YYYY-MM-DD")
    to: str = Field(description="last UTC date, inclusive")


# ---- edge helpers ------------------------------------------------------------------------------
def _json(status: int, body: Any) -> Response[dict]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def _admin() -> None:
    auth = app.current_event.headers.get("authorization") or ""
    token = auth[7:] if auth.startswith("Bearer ") else ""
    if token and settings.admin_token_sha256 and hmac.compare_digest(
            hashlib.sha256(token.encode()).hexdigest(), settings.admin_token_sha256):
        return
    if app.current_event.headers.get("x-api-key"):
        platform.merchants.authenticate(app.current_event.headers.get("x-api-key"))
        raise Forbidden("this route is for the platform admin")
    raise Unauthorized("missing or invalid admin bearer token")


def _merchant() -> dict:
    return platform.merchants.authenticate(app.current_event.headers.get("x-api-key"))


def _idempotent(merchant_id: str, route: str, key: str, body: dict, effect: Callable[[], tuple[int, dict]]) -> Response[dict]:
    """Run ``effect`` once per (merchant, route, key); replay its stored ``(status, body)`` after."""

    @idempotent_function(data_keyword_argument="request", persistence_store=idempotency_store,
                         config=idempotency_config)
    def run(request: dict) -> dict:
        status, payload = effect()
        return {"status": status, "body": payload}

    try:
        out = run(request={"merchant_id": merchant_id, "route": route, "key": key, "body": body})
    except IdempotencyValidationError:
        raise IdempotencyMismatch("this Idempotency-Key was used with a different request body",
                                  param="Idempotency-Key") from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyInProgress("a request with this Idempotency-Key is in progress",
                                    param="Idempotency-Key") from None
    return _json(out["status"], out["body"])


# ---- errors --------------------------------------------------------------------------------------
@app.exception_handler(PayrailError)
def _domain_error(e: PayrailError) -> Response[dict]:
    if e.status >= 500:
        logger.exception("domain error")
    return _json(e.status, e.to_dict())


@app.exception_handler(RequestValidationError)
def _validation_error(e: RequestValidationError) -> Response[dict]:
    err = e.errors()[0]
    loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "header")]
    param = ".".join(loc) or None
    if param == "from_":
        param = "from"
    return _json(400, ValidationFailed(f"{param or 'request'}: {err.get('msg')}", param=param).to_dict())


@app.not_found
def _not_found(_e: Exception) -> Response[dict]:
    return _json(404, NotFound("no such route").to_dict())


# ---- health --------------------------------------------------------------------------------------
@app.get("/health/live", tags=["health"])
def live() -> dict:
    return {"status": "ok"}


@app.get("/health/ready", tags=["health"])
def ready() -> Response[dict]:
    h = platform.health()
    return _json(200 if h["ok"] else 503, {"status": "ok" if h["ok"] else "unavailable"})


@app.get("/health/detailed", tags=["health"])
def detailed() -> Response[dict]:
    h = platform.health()
    return _json(200 if h["ok"] else 503, {"status": "ok" if h["ok"] else "unavailable", **h})


# ---- admin --------------------------------------------------------------------------------------
@app.post("/v1/admin/merchants", tags=["admin"], security=ADMIN)
def create_merchant(body: MerchantIn) -> Response[dict]:
    _admin()
    merchant, api_key = platform.merchants.create(
        body.name, settings.default_fee_bps if body.fee_bps is None else body.fee_bps)
    metrics.add_metric(name="MerchantsCreated", unit=MetricUnit.Count, value=1)
    return _json(201, {"merchant": merchant, "api_key": api_key})


def _wallet_move(direction: str, body: WalletMoveIn, key: str) -> Response[dict]:
    _admin()
    if not platform.merchants.get(body.merchant_id):
        raise NotFound("merchant not found", param="merchant_id")

    def effect():
        return 200, platform.wallets.move(body.merchant_id, body.customer_id, body.currency, body.amount,
                                          direction, key)

    return _idempotent(body.merchant_id, f"wallet_{direction}", key, body.model_dump(), effect)


@app.post("/v1/admin/wallets/credit", tags=["admin"], security=ADMIN)
def credit_wallet(body: WalletMoveIn, idempotency_key: IdemKey) -> Response[dict]:
    return _wallet_move("credit", body, idempotency_key)


@app.post("/v1/admin/wallets/debit", tags=["admin"], security=ADMIN)
def debit_wallet(body: WalletMoveIn, idempotency_key: IdemKey) -> Response[dict]:
    return _wallet_move("debit", body, idempotency_key)


# ---- settlement (admin: every merchant; merchant: its own) ----------------------------------------
def _start_settlement(scope: str, body: WindowIn, key: str | None) -> Response[dict]:
    job_id = derived("stl", scope, key) if key else None
    job, _ = platform.settlements.create_job(scope, body.from_, body.to, job_id=job_id)
    try:
        ddb.client("stepfunctions").start_execution(
            stateMachineArn=settings.settlement_state_machine_arn, name=job["job_id"],
            input=json.dumps({"scope": scope, "job_id": job["job_id"]}))
    except ddb.client("stepfunctions").exceptions.ExecutionAlreadyExists:
        pass
    return _json(202, _job_view(job))


def _stop_execution(execution_arn: str) -> None:
    sfn = ddb.client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn, cause="settlement job cancelled")
    except sfn.exceptions.ExecutionDoesNotExist:
        pass


def _job_view(job: dict) -> dict:
    job = {k: v for k, v in job.items() if k != "type"}
    job["download_url"] = platform.settlements.download_url(job, settings.presign_seconds)
    return job


@app.post("/v1/admin/settlements", tags=["admin"], security=ADMIN)
def admin_settlement(body: WindowIn, idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None) -> Response[dict]:
    _admin()
    return _start_settlement(ALL, body, idempotency_key)


@app.get("/v1/admin/settlements/<job_id>", tags=["admin"], security=ADMIN)
def admin_settlement_get(job_id: str) -> Response[dict]:
    _admin()
    return _json(200, _job_view(platform.settlements.get(ALL, job_id)))


@app.post("/v1/admin/settlements/<job_id>/cancel", tags=["admin"], security=ADMIN)
def admin_settlement_cancel(job_id: str) -> Response[dict]:
    _admin()
    return _json(200, _job_view(platform.settlements.cancel(ALL, job_id, _stop_execution)))


@app.post("/v1/settlements", tags=["settlement"], security=MERCHANT)
def settlement(body: WindowIn, idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None) -> Response[dict]:
    return _start_settlement(_merchant()["merchant_id"], body, idempotency_key)


@app.get("/v1/settlements/<job_id>", tags=["settlement"], security=MERCHANT)
def settlement_get(job_id: str) -> Response[dict]:
    return _json(200, _job_view(platform.settlements.get(_merchant()["merchant_id"], job_id)))


@app.post("/v1/settlements/<job_id>/cancel", tags=["settlement"], security=MERCHANT)
def settlement_cancel(job_id: str) -> Response[dict]:
    return _json(200, _job_view(platform.settlements.cancel(_merchant()["merchant_id"], job_id, _stop_execution)))


# ---- balances and wallets ---------------------------------------------------------------------------
@app.get("/v1/balances", tags=["balances"], security=MERCHANT)
def balances(currency: Annotated[str, Query(min_length=3, max_length=3)]) -> dict:
    return platform.wallets.merchant_balances(_merchant()["merchant_id"], currency)


@app.get("/v1/balances/history", tags=["balances"], security=MERCHANT)
def balance_history(currency: Annotated[str, Query(min_length=3, max_length=3)], account: str = "available",
                    limit: Limit = 10, starting_after: int | None = None) -> dict:
    return platform.wallets.merchant_history(_merchant()["merchant_id"], account, currency, limit, starting_after)


@app.get("/v1/customers/<customer_id>/wallets/<currency>", tags=["wallets"], security=MERCHANT)
def wallet_balance(customer_id: str, currency: str) -> dict:
    return platform.wallets.wallet_balance(_merchant()["merchant_id"], customer_id, currency)


@app.get("/v1/customers/<customer_id>/wallets/<currency>/history", tags=["wallets"], security=MERCHANT)
def wallet_history(customer_id: str, currency: str, limit: Limit = 10, starting_after: int | None = None) -> dict:
    return platform.wallets.wallet_history(_merchant()["merchant_id"], customer_id, currency, limit, starting_after)


# ---- products and orders -------------------------------------------------------------------------
@app.post("/v1/products", tags=["orders"], security=MERCHANT)
def create_product(body: ProductIn) -> Response[dict]:
    m = _merchant()
    return _json(201, platform.orders.create_product(m["merchant_id"], body.name, body.price, body.currency, body.stock))


@app.get("/v1/products/<product_id>", tags=["orders"], security=MERCHANT)
def get_product(product_id: str) -> dict:
    return platform.orders.get_product(_merchant()["merchant_id"], product_id)


@app.post("/v1/orders", tags=["orders"], security=MERCHANT)
def place_order(body: OrderIn, idempotency_key: IdemKey) -> Response[dict]:
    mid = _merchant()["merchant_id"]

    def effect():
        order, created = platform.orders.place(mid, body.product_id, body.quantity, body.customer_id, idempotency_key)
        if created:
            metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
        return 201, order

    return _idempotent(mid, "orders", idempotency_key, body.model_dump(), effect)


@app.get("/v1/orders/<order_id>", tags=["orders"], security=MERCHANT)
def get_order(order_id: str) -> dict:
    return platform.orders.get_order(_merchant()["merchant_id"], order_id)


# ---- payouts ----------------------------------------------------------------------------------------
@app.post("/v1/payouts", tags=["payouts"], security=MERCHANT)
def create_payout(body: PayoutIn, idempotency_key: IdemKey) -> Response[dict]:
    mid = _merchant()["merchant_id"]

    def effect():
        payout, created = platform.payouts.create(mid, body.amount, body.currency, body.beneficiary.model_dump(),
                                                  idempotency_key)
        if created:
            metrics.add_metric(name="PayoutsCreated", unit=MetricUnit.Count, value=1)
        return 201, payout

    return _idempotent(mid, "payouts", idempotency_key, body.model_dump(), effect)


@app.get("/v1/payouts/<payout_id>", tags=["payouts"], security=MERCHANT)
def get_payout(payout_id: str) -> dict:
    return platform.payouts.get(_merchant()["merchant_id"], payout_id)


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> dict:
    return json.loads(openapi_document())


def openapi_document() -> str:
    """The OpenAPI 3.1 document (also committed as ``openapi.json``)."""
    return app.get_openapi_json_schema(
        title="payrail", version="0.1.0",
        description="Wallets and a double-entry ledger, orders, payouts and settlement. Amounts are integers "
                    "in the currency's minor unit.",
        security_schemes={"merchantKey": APIKey(name="X-API-Key", in_=APIKeyIn.header), "adminToken": HTTPBearer()})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    idempotency_config.register_lambda_context(context)
    return app.resolve(event, context)
