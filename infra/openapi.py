"""``python -m infra.openapi [--check]``: write (or check) the committed OpenAPI document
``functions/api/openapi.json`` from the API function's Powertools resolver."""
from __future__ import annotations

import json
import os
import sys

from infra import catalog

OPENAPI_FILE = catalog.ROOT / "functions" / "api" / "openapi.json"


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from infra.local.runtime import load_handler

    load_handler(catalog.FUNCTIONS["api"], instance=0)
    module = sys.modules["payrail_fn_api_0"]
    return json.dumps(module.openapi_document(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    doc = generate()
    if "--check" in argv:
        if OPENAPI_FILE.read_text() != doc:
            print(f"{OPENAPI_FILE} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    OPENAPI_FILE.write_text(doc)
    print(f"wrote {OPENAPI_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
