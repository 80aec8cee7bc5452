"""Products with limited stock, and orders paid from a customer's wallet."""

from payrail.api import models
from payrail.api.edge import ADMIN, IN_TRANSACTION, MERCHANT, Routes, call, replayed
from payrail.api.params import IdempotencyKey, MerchantIdPath, OrderIdPath, ProductIdPath
from payrail.core.errors import NotFound
from payrail.core.merchants import Merchant

routes = Routes("orders")


@routes.post("/v1/products", operation_id="createProduct", auth=MERCHANT, status=201, response=models.Product)
def create_product(body: models.ProductIn) -> dict:
    """Create a product with a price (minor units) and a stock."""
    return call().platform.orders.create_product(call().merchant_id, body.name, body.price, body.currency,
                                                 body.stock).view()


@routes.get("/v1/products/<product_id>", operation_id="getProduct", auth=MERCHANT, response=models.Product)
def get_product(product_id: ProductIdPath) -> dict:
    """A product with its remaining stock."""
    return call().platform.orders.get_product(call().merchant_id, product_id).view()


@routes.post("/v1/orders", operation_id="createOrder",
             auth=MERCHANT, status=201, response=models.Order, errors=(402, 404, 409),
             idempotency=IN_TRANSACTION)
def place_order(body: models.OrderIn, idempotency_key: IdempotencyKey) -> dict:
    """Reserve stock and pay from the customer's wallet in one transaction (402 funds, 409 stock)."""
    c = call()
    order, created = c.platform.orders.place(c.merchant_id, body.product_id, body.quantity, body.customer_id,
                                             idempotency_key, fingerprint=c.fingerprint)
    if not created:
        replayed()
    return order.view()


@routes.get("/v1/orders/<order_id>", operation_id="getOrder", auth=MERCHANT, response=models.Order)
def get_order(order_id: OrderIdPath) -> dict:
    """An order with its status history."""
    return call().platform.orders.order(call().merchant_id, order_id).view()


def _merchant(merchant_id: str) -> Merchant:
    merchant = call().platform.merchants.get(merchant_id)
    if not merchant:
        raise NotFound("merchant not found", param="merchant_id")
    return merchant


@routes.post("/v1/admin/merchants/<merchant_id>/orders/<order_id>/fail", operation_id="failOrder",
             auth=ADMIN, response=models.Order,
             errors=(409,))
def fail_order(merchant_id: MerchantIdPath, order_id: OrderIdPath, body: models.DecisionIn | None = None) -> dict:
    """Settle a FULFILMENT_UNKNOWN order as failed: the customer is refunded (journal), the stock
    restored, the fulfilment service told. Any other status, a repeat included, answers 409
    invalid_state naming it; the money never moves twice."""
    _merchant(merchant_id)
    return call().platform.orders.operator_fail(merchant_id, order_id, body.note if body else None).view()


@routes.post("/v1/admin/merchants/<merchant_id>/orders/<order_id>/fulfil", operation_id="fulfilOrder",
             auth=ADMIN, response=models.Order,
             errors=(409,))
def fulfil_order(merchant_id: MerchantIdPath, order_id: OrderIdPath, body: models.OrderFulfilIn | None = None) -> dict:
    """Settle a FULFILMENT_UNKNOWN order as fulfilled: the payment is captured (journal, the
    merchant's fee). Any other status, a repeat included, answers 409 invalid_state naming it."""
    merchant = _merchant(merchant_id)
    return call().platform.orders.operator_fulfil(merchant_id, order_id, int(merchant.get("fee_bps", 0)),
                                                  body.fulfilment_id if body else None,
                                                  body.note if body else None).view()
