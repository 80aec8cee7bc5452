"""Provider callbacks that pass the signature check but carry values of the wrong JSON type: signed
as each connector's local stand-in signs (the credentials the local cloud gives it), every string of
a well-formed callback replaced in turn by a number or an array. Each is answered (2xx when the
connector ignores that field, 401 ``callback_rejected`` when it is malformed), never a 500."""
import json
import uuid

import pytest
import requests

from infra.tools.fuzz import json_paths, signers, with_value
from payrail.providers import registry


@pytest.mark.parametrize("connector", list(registry.REGISTRY))
def test_a_signed_callback_with_a_value_of_the_wrong_type_is_refused_not_a_server_error(connector, cloud, tmp_path):
    signer = signers(tmp_path)[connector]
    key = str(uuid.uuid4())
    doc = json.loads(signer.well_formed(key, key, True))
    answers = {}
    for path in json_paths(doc):
        value = doc
        for p in path:
            value = value[p]
        if not isinstance(value, str):
            continue
        for wrong in (5, [value]):
            body = json.dumps(with_value(doc, path, wrong)).encode()
            r = requests.post(f"{cloud['api_url']}/v1/callbacks/{connector}", data=body, headers=signer.signed(body),
                              timeout=30)
            answers[(path, json.dumps(wrong))] = (r.status_code, r.json().get("error", {}).get("code"))
    assert answers, f"{connector}: no string in its callback body"
    wrong = {k: v for k, v in answers.items() if v not in ((200, None), (401, "callback_rejected"))}
    assert wrong == {}
