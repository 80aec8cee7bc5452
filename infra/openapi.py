"""``python -m infra.openapi [--check]``: write (or check) the committed OpenAPI document
``functions/api/openapi.json`` from the API function's Powertools resolver, the list of every
operation in ``docs/api.md`` from that document, and the index of every route the API function
registers before importing its module (``payrail/api/routes/index.py``)."""
from __future__ import annotations

import json
import os
import sys

from infra import catalog

OPENAPI_FILE = catalog.ROOT / "functions" / "api" / "openapi.json"
ROUTE_INDEX = catalog.ROOT / "layers" / "payrail" / "payrail" / "api" / "routes" / "index.py"
API_DOC = catalog.ROOT / "docs" / "api.md"
BEGIN, END = "<!-- operations: written by `make openapi` -->", "<!-- /operations -->"


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from infra.local.runtime import load_handler

    load_handler(catalog.FUNCTIONS["api"], instance=0)
    module = sys.modules["payrail_fn_api_0"]
    return json.dumps(module.openapi_document(), indent=2, sort_keys=True) + "\n"


def route_index() -> str:
    """The text of ``payrail/api/routes/index.py``: every route module's routes, from their declarations."""
    from payrail.api.routes import index_of

    rows = "".join(f"    {row!r},\n" for row in index_of())
    return ('"""Every route of the ``api`` function: ``(module, method, path, success status)``, in registration\n'
            'order, so the function registers them all and imports a module on its first request. Written by\n'
            '``make openapi`` from the route modules\' declarations (a test checks it is current)."""\n'
            f"INDEX = (\n{rows})\n")


def with_operations(markdown: str, doc: dict) -> str:
    """``markdown`` with the text between BEGIN and END replaced by one line per tag listing that
    tag's operations (``METHOD /path`` and its operationId, sorted by path then method), and one
    line listing the webhooks (event types)."""
    by_tag: dict[str, list[tuple[str, str, str]]] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for tag in op.get("tags") or ["other"]:
                by_tag.setdefault(tag, []).append((path, method.upper(), op.get("operationId", "")))
    lines = [f"- **{tag}**: " + ", ".join(f"`{m} {p}` ({i})" if i else f"`{m} {p}`" for p, m, i in sorted(ops))
             for tag, ops in sorted(by_tag.items())]
    if doc.get("webhooks"):
        lines.append("- **webhooks** (sent to your endpoints): " + ", ".join(f"`{t}`" for t in doc["webhooks"]))
    head, rest = markdown.split(BEGIN, 1)
    return head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + rest.split(END, 1)[1]


def main(argv: list[str]) -> int:
    doc = generate()
    api_doc = with_operations(API_DOC.read_text(), json.loads(doc))
    files = ((OPENAPI_FILE, doc), (API_DOC, api_doc), (ROUTE_INDEX, route_index()))
    if "--check" in argv:
        stale = [str(f) for f, text in files if f.read_text() != text]
        if stale:
            print(f"{', '.join(stale)} out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    for f, text in files:
        f.write_text(text)
    print(f"wrote {OPENAPI_FILE}, the operations of {API_DOC} and {ROUTE_INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
