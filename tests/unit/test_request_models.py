"""Request models refuse what no caller means: control characters in any text, metadata outside
Stripe's rule; the edge's 400 names the field."""
import inspect
from typing import Optional

import pytest
from pydantic import ValidationError

from payrail.api import models
from payrail.api.edge import validation_error

PAYMENT = {"amount": 100, "currency": "GHS", "recipient": {"phone": "+233241234561", "name": "Ama Mensah"}}
CONTROL = ["\x00", "\r", "\n", "\t", "\x1b", "\x7f", "\x85", "\x9f"]


def refusal(model, body) -> dict | None:
    try:
        model.model_validate(body)
    except ValidationError as e:
        return validation_error(e.errors()).to_dict()["error"]
    return None


def _text_fields():
    for name, cls in inspect.getmembers(models, inspect.isclass):
        if issubclass(cls, models.Strict) and cls is not models.Strict:
            for field, info in cls.model_fields.items():
                if info.annotation in (str, Optional[str]):
                    yield cls, info.alias or field


@pytest.mark.parametrize("model,field", list(_text_fields()), ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("char", CONTROL, ids=repr)
def test_every_text_field_of_every_request_model_refuses_control_characters(model, field, char):
    try:
        model.model_validate({field: f"Ali{char}Raza"})
    except ValidationError as e:
        mine = [err for err in e.errors() if err["loc"] == (field,)]
    else:
        mine = []
    assert mine, (model, field)  # refused, naming the field (a field with a pattern refuses it by its pattern)


@pytest.mark.parametrize("body,param", [
    ({"beneficiary": {"type": "bank_account", "name": "Ali\x00Raza", "bank_code": "HBL",
                      "account_number": "1234567890"}}, "beneficiary.bank_account.name"),
    ({"beneficiary": {"type": "upi", "name": "Ali\r\nRaza", "vpa": "success@upi"}}, "beneficiary.upi.name"),
    ({"beneficiary_id": "ben_" + "0" * 24, "description": "line\nbreak"}, "description"),
])
def test_payout_text_with_control_characters_is_400_naming_the_field(body, param):
    err = refusal(models.PayoutIn, {"amount": 100, "currency": "PKR", **body})
    assert err and (err["code"], err["param"]) == ("parameter_invalid", param) and "control" in err["message"]


def test_recipient_product_merchant_and_reference_refuse_control_characters():
    assert refusal(models.PaymentIn, {**PAYMENT, "recipient": {"phone": "+233241234561", "name": "A\rB"}})[
        "param"] == "recipient.name"
    assert refusal(models.ProductIn, {"name": "x\x00", "price": 1, "currency": "USD", "stock": 1})["param"] == "name"
    assert refusal(models.MerchantIn, {"name": "Shop\n"})["param"] == "name"
    assert refusal(models.TopUpIn, {"merchant_id": "m_" + "0" * 16, "currency": "PKR", "amount": 1,
                                    "reference": "wire\t1"})["param"] == "reference"
    assert refusal(models.MerchantIn, {"name": "Café Ümit 名前 — ok"}) is None  # letters of any script are text


@pytest.mark.parametrize("metadata,param", [
    ({"": ""}, "metadata"), ({"k" * 41: "v"}, "metadata"), ({"a\nb": "v"}, "metadata"),
    ({"k": "v" * 501}, "metadata.k"), ({"k": 1}, "metadata.k"), ({"k": None}, "metadata.k"),
    ({"k": {"nested": "x"}}, "metadata.k"), ({"k": "a\x00b"}, "metadata.k"),
    ({f"k{i}": "v" for i in range(51)}, "metadata"), (["k", "v"], "metadata"),
])
def test_metadata_follows_stripes_rule(metadata, param):
    err = refusal(models.PaymentIn, {**PAYMENT, "metadata": metadata})
    assert err and err["param"] == param and err["code"] == "parameter_invalid", err


def test_metadata_within_the_rule_is_kept():
    metadata = {f"k{i:02d}" + "x" * 37: "v" * 500 for i in range(50)} | {}
    assert models.PaymentIn.model_validate({**PAYMENT, "metadata": metadata}).metadata == metadata
    assert models.PaymentIn.model_validate({**PAYMENT, "metadata": {"order": ""}}).metadata == {"order": ""}


def test_time_bounds_name_real_instants():
    for ok in ("2026-03-01", "2024-02-29", "2026-03-01T12", "2026-03-01T12:00:00.5Z"):
        assert models.time_bound(ok) == ok
    for bad in ("2026-99-99", "T25:61:61Z", "2026-03-01T25:61:61Z", "0000-00-00", "0000-01-01", "2025-02-29",
                "2026-03-01T12:00:00+01:00", "٢٠٢٦-٠٣-٠١"):
        with pytest.raises(ValueError):
            models.time_bound(bad)
