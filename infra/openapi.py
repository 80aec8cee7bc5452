"""``python -m infra.openapi [--check]``: write (or check) the committed OpenAPI document
``functions/api/openapi.json`` from the API function's Powertools resolver, and the list of every
operation in ``docs/api.md`` from that document."""
from __future__ import annotations

import json
import os
import sys

from infra import catalog

OPENAPI_FILE = catalog.ROOT / "functions" / "api" / "openapi.json"
API_DOC = catalog.ROOT / "docs" / "api.md"
BEGIN, END = "<!-- operations: written by `make openapi` -->", "<!-- /operations -->"


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from infra.local.runtime import load_handler

    load_handler(catalog.FUNCTIONS["api"], instance=0)
    module = sys.modules["payrail_fn_api_0"]
    return json.dumps(module.openapi_document(), indent=2, sort_keys=True) + "\n"


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
    if "--check" in argv:
        stale = [str(f) for f, text in ((OPENAPI_FILE, doc), (API_DOC, api_doc)) if f.read_text() != text]
        if stale:
            print(f"{', '.join(stale)} out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    OPENAPI_FILE.write_text(doc)
    API_DOC.write_text(api_doc)
    print(f"wrote {OPENAPI_FILE} and the operations of {API_DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
