"""Provider callbacks are requests anyone can send: every registered connector refuses a malformed
one with CallbackRejected (401) before computing anything from it, whatever its headers and body."""
import base64
import hashlib
import hmac
import itertools
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from infra.local.standins import STANDINS
from payrail.providers import registry
from payrail.providers.connectors.base import CallbackHint, CallbackRejected, base64_sha256, hex_sha256, iso_time, unix_time

NOW = time.time()

#: header values that are not what any provider sends: huge or non-ASCII "digits" (``'²'.isdigit()`` is
#: true and ``int('²')`` raises; ``int('١٢٣')`` is 123), numbers too large for a float, signs, control
#: characters, over-long values, undecodable signatures, impossible ISO times
MALFORMED = ["9" * 400, "9" * 5000, "²", "١٧٠٠٠٠٠٠٠٠", "+1700000000", "-1", "1_700_000_000", "1e9", "", " ",
             "\x00", "\r\n", "é", "\udcff", "x" * 100_000, "t=" + "9" * 400 + ",v1=00", "t=²,v1=00",
             f"t={int(NOW)},v1=²", f"t={int(NOW)},v1=" + "0" * 5000, "t=,v1=", "=,=", ",,,", "sha256=²",
             "²" * 64, "é" * 44, "!" * 44, "A" * 43 + "é", "0000-00-00T00:00:00Z", "9999-12-31T23:59:59-23:59",
             "0001-01-01T00:00:00+23:59", "2026-99-99T25:61:61Z", "9" * 40 + "-01-01T00:00:00Z"]
#: values of the right shape (a fresh time, a signature of the right length) that sign nothing here
SHAPED = [str(int(NOW)), str(int(NOW * 1000)), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW)),
          f"t={int(NOW)},v1={'0' * 64}", "0" * 64, "A" * 43 + "="]
BODIES = [b"", b"null", b"[]", b"{}", b"not json", json.dumps({"data": {"transfer_id": "po_1"}}).encode(),
          b"1" * 5000, b"[" * 40 + b"]" * 40]


def connector(name: str):
    s = STANDINS[name]
    return registry.build(name, {"base_url": f"http://127.0.0.1:1{s.base_path}", **s.credentials})


@pytest.mark.parametrize("name", sorted(registry.REGISTRY))
def test_malformed_callback_headers_are_refused_before_any_arithmetic(name):
    conn = connector(name)
    names = conn.callback_headers
    for values in itertools.product(MALFORMED + SHAPED, repeat=len(names)):
        headers = dict(zip(names, values))
        for body in BODIES if names else [b"{}"]:
            with pytest.raises(CallbackRejected):
                conn.parse_callback(headers, body, NOW)
    # the same headers under other spellings, and none at all
    if names:
        for values in itertools.product(MALFORMED, repeat=len(names)):
            with pytest.raises(CallbackRejected):
                conn.parse_callback({n.upper(): v for n, v in zip(names, values)}, b"{}", NOW)
        with pytest.raises(CallbackRejected):
            conn.parse_callback({}, b"{}", NOW)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                     | st.sampled_from(["SUCCESSFUL", "FAILED", "1e999999999", "NaN", "-0", "NOT_ENOUGH_FUNDS"]),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.sampled_from(["code", "message", "status", "amount"]), inner, max_size=3),
                     max_leaves=8)
_keys = st.sampled_from(["externalId", "status", "reason", "amount", "financialTransactionId", "data", "transaction",
                         "id", "reference", "request_id", "transfer_id", "type", "event", "message", "status_code"])


@pytest.mark.parametrize("name", sorted(registry.REGISTRY))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(_keys, _json | st.dictionaries(_keys, _json, max_size=6), max_size=6))
def test_callback_bodies_of_any_shape_are_a_hint_or_refused(name, body):
    conn = connector(name)
    raw = json.dumps(body).encode()
    try:
        hint = conn.parse_callback({}, raw, NOW)
    except CallbackRejected:
        return
    assert isinstance(hint, CallbackHint) and not conn.callback_headers  # only an unsigned provider reads it


def test_shared_parsers_accept_exactly_ascii_digits_and_well_formed_signatures():
    assert unix_time("1700000000", "p") == 1700000000.0
    assert unix_time("1700000000123", "p", millis_above=10**11) == pytest.approx(1700000000.123)
    for bad in ("9" * 14, "²", "١٢٣", " 1", "+1", "", "1.5"):
        with pytest.raises(CallbackRejected):
            unix_time(bad, "p")
    assert iso_time("2026-03-01T12:00:00Z", "p") == 1772366400.0
    for bad in ("2026-03-01T12:00:00", "2026-02-30T00:00:00Z", "2026-03-01T12:00:00+99:00", "٢٠٢٦-03-01T12:00:00Z",
                "2026-03-01T12:00:00." + "0" * 40 + "Z"):
        with pytest.raises(CallbackRejected):
            iso_time(bad, "p")
    assert hex_sha256("AB" * 32, "p") == bytes([0xAB]) * 32
    assert base64_sha256("A" * 43 + "=", "p") == bytes(32)
    for bad in ("ab" * 31, "zz" * 32, "²" * 64):
        with pytest.raises(CallbackRejected):
            hex_sha256(bad, "p")
    for bad in ("A" * 44, "A" * 43 + "é", "-" * 43 + "="):
        with pytest.raises(CallbackRejected):
            base64_sha256(bad, "p")


def test_a_unix_time_with_leading_zeros_is_refused():
    """The same second written longer is not the text the provider signed."""
    for bad in ("0", "01700000000", "0001700000000", "0" * 400 + "1700000000"):
        with pytest.raises(CallbackRejected):
            unix_time(bad, "p")


def test_a_callback_naming_no_possible_transfer_is_refused():
    mtn = connector("mtn_momo")  # unsigned: anyone can send this body
    for external_id in ("", "x" * 257):
        with pytest.raises(CallbackRejected):
            mtn.parse_callback({}, json.dumps({"externalId": external_id, "status": "SUCCESSFUL"}).encode(), NOW)
    at = connector("airteltigo")  # signed, by a provider sending an empty transaction id
    body = json.dumps({"transaction": {"id": "", "status_code": "TS"}}).encode()
    secret = STANDINS["airteltigo"].credentials["callback_secret"].encode()
    signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    with pytest.raises(CallbackRejected):
        at.parse_callback({"X-Signature": signature}, body, NOW)
