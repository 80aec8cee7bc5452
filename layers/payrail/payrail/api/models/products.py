"""Products with limited stock."""

from pydantic import Field

from payrail.api.models import Amount, Currency, Strict, examples
from payrail.commerce.model import Product

__all__ = ["ProductIn", "Product"]


class ProductIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    price: Amount
    currency: Currency
    stock: int = Field(strict=True, ge=0, le=10**9)

    model_config = examples(
        {"name": "Gift card", "price": 2500, "currency": "USD", "stock": 100},
    )


