"""``python -m infra.sdk [--check]``: regenerate (or check) the Python SDK in ``sdk/python/payrail_client``
from the committed OpenAPI document ``functions/api/openapi.json`` with openapi-python-client.

The generator runs in a temporary directory with ``sdk/python/generator.yaml`` (its post-hooks run ruff
``--isolated``, so no configuration of the checkout changes the output) and the custom templates in
``sdk/python/templates`` (the package's ``__init__`` exports the hand-written layer too; ``api/__init__``
lists the operations that take an ``Idempotency-Key``). Its files then replace the generated files of
the package; the hand-written files (:data:`HAND_WRITTEN`) stay.

One pre-processing step, on a copy of the document (:func:`for_generator`): every ``idempotency-key``
header parameter becomes optional, because the SDK's transport supplies a fresh key when the caller
passes none (``payrail_client.payrail``). The API itself still requires the key where it says so.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from infra import catalog

SDK_DIR = catalog.ROOT / "sdk" / "python"
PACKAGE = "payrail_client"
PACKAGE_DIR = SDK_DIR / PACKAGE
CONFIG = SDK_DIR / "generator.yaml"
TEMPLATES = SDK_DIR / "templates"
OPENAPI_FILE = catalog.ROOT / "functions" / "api" / "openapi.json"
#: files of the package written by hand (relative to it): never overwritten or removed by generation
HAND_WRITTEN = frozenset({"payrail.py", "webhooks.py", "py.typed"})


def for_generator(doc: dict) -> dict:
    """A copy of the OpenAPI document ``doc`` as the generator is given it: every ``idempotency-key``
    header parameter optional (the SDK sends one on every such request, the caller's or a fresh one)."""
    doc = copy.deepcopy(doc)
    for ops in doc["paths"].values():
        for op in ops.values():
            for p in op.get("parameters", []):
                if p["in"] == "header" and p["name"].lower() == "idempotency-key":
                    p["required"] = False
    return doc


def generate(out: Path) -> Path:
    """Generate the package into ``out/payrail_client`` (``out`` must exist); returns that directory.

    Raises ``RuntimeError`` with the generator's output when it fails or reports a problem."""
    source = out / "openapi.json"
    source.write_text(json.dumps(for_generator(json.loads(OPENAPI_FILE.read_text())), indent=2))
    target = out / PACKAGE
    bin_dir = str(Path(sys.executable).parent)  # the venv's ruff, for the post-hooks
    env = os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(source), "--meta", "none",
         "--config", str(CONFIG), "--custom-template-path", str(TEMPLATES), "--output-path", str(target)],
        cwd=out, env=env, capture_output=True, text=True, timeout=600)
    output = (run.stdout + run.stderr).strip()
    # a clean run prints only "Generating <dir>"; anything else (a skipped post-hook, an endpoint it
    # could not read) is a problem to fix, not to commit
    if run.returncode != 0 or output != f"Generating {target}":
        raise RuntimeError(f"openapi-python-client failed or warned:\n{output}")
    return target


def files(package_dir: Path, generated_only: bool = True) -> dict[str, bytes]:
    """``{relative path: content}`` of the package's files (without caches and, by default, without
    the hand-written files)."""
    out = {}
    for f in sorted(package_dir.rglob("*")):
        rel = f.relative_to(package_dir).as_posix()
        if f.is_file() and "__pycache__" not in f.parts and not (generated_only and rel in HAND_WRITTEN):
            out[rel] = f.read_bytes()
    return out


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="payrail-sdk-") as tmp:
        fresh = files(generate(Path(tmp)))
        if "--check" in argv:
            if files(PACKAGE_DIR) != fresh:
                print(f"{PACKAGE_DIR} out of date: run `make sdk`", file=sys.stderr)
                return 1
            return 0
        for rel in files(PACKAGE_DIR):
            (PACKAGE_DIR / rel).unlink()
        for d in sorted((p for p in PACKAGE_DIR.rglob("*") if p.is_dir()), reverse=True):
            if not any(f.is_file() and "__pycache__" not in f.parts for f in d.rglob("*")):
                shutil.rmtree(d)
        for rel, content in fresh.items():
            (PACKAGE_DIR / rel).parent.mkdir(parents=True, exist_ok=True)
            (PACKAGE_DIR / rel).write_bytes(content)
    print(f"wrote {len(fresh)} generated files into {PACKAGE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
