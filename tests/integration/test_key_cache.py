"""The edge's API key cache on DynamoDB Local: a key and its merchant refreshed in one read."""
import pytest


class Clock:
    def __init__(self):
        import time
        self.t, self.wall = 1000.0, time.time()

    def now(self):
        return self.wall + self.t

    def monotonic(self):
        return self.t


def test_an_expired_key_is_read_again_with_its_merchant_in_one_request_and_sees_a_suspension(admin, platform):
    """Resolved once (the key, then its merchant), served from the cache while fresh, then both
    refreshed by one BatchGetItem — which sees the merchant suspended meanwhile."""
    from payrail.core import clock
    from payrail.core.errors import Forbidden, Unauthorized
    from payrail.core.merchants import Merchants

    m = admin.create_merchant("key cache")
    mid, api_key = m["merchant"]["merchant_id"], m["api_key"]
    merchants = Merchants(platform.main, cache_seconds=2)
    sent: list[str] = []

    def count(event_name, **_):
        sent.append(event_name.rsplit(".", 1)[-1])
    db = platform.main.db
    db.meta.events.register("before-call.dynamodb", count, unique_id="test-key-cache")
    fake = Clock()
    clock.set_source(fake)
    try:
        assert merchants.authenticate(api_key).merchant_id == mid
        first = list(sent)
        fake.t += 1.5
        assert merchants.authenticate(api_key).merchant_id == mid
        cached = sent[len(first):]
        platform.merchants.set_status(mid, "SUSPENDED", "test")
        fake.t += 1.0
        del sent[:]
        with pytest.raises(Forbidden):
            merchants.authenticate(api_key)
        refreshed = list(sent)
        fake.t += 2.5
        with pytest.raises(Unauthorized):
            merchants.authenticate("pk_test_" + "x" * 40)
    finally:
        clock.reset()
        db.meta.events.unregister("before-call.dynamodb", unique_id="test-key-cache")
    assert first == ["GetItem", "GetItem"]
    assert cached == []
    assert refreshed == ["BatchGetItem"]
