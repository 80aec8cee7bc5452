"""requests sessions with bounded retries (urllib3 ``Retry``): the one way payrail calls out."""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def session(attempts: int, backoff_seconds: float = 0.5, retry_statuses=(429, 500, 502, 503, 504)) -> requests.Session:
    """A session that makes up to ``attempts`` tries per request on connection errors, timeouts and
    ``retry_statuses``, sleeping ``backoff_seconds * 2**n`` between tries (exponential backoff).

    Retries are made for every method, so callers must send an idempotency key with POSTs.
    """
    retry = Retry(total=attempts - 1, connect=attempts - 1, read=attempts - 1, status=attempts - 1,
                  backoff_factor=backoff_seconds, status_forcelist=retry_statuses, allowed_methods=None,
                  raise_on_status=False, respect_retry_after_header=False)
    s = requests.Session()
    s.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=32))
    s.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=32))
    return s
