"""The payrail Lambda layer's content, built without Docker: ``pip install --platform
manylinux2014_x86_64`` of the layer's requirements plus the ``payrail`` package into
``<out>/python`` (the layout Lambda puts on ``sys.path`` under ``/opt``); offline from the
wheelhouse ``.build/wheels`` when ``make setup`` has filled it. Used by the CDK stack's local
bundling and by the LocalStack Docker path (whose community edition has no layers, so each
function's zip carries this content).

The layer ships its bytecode: Lambda's ``/opt`` is read-only, so without ``__pycache__`` every cold
start compiles every module it imports (measured here for the api handler: 0.84–1.33 s of CPU
without bytecode, 0.39–0.46 s with it). The ``.pyc`` files are written for the build's Python,
which must be the runtime's minor version (3.11: ``RUNTIME`` in ``infra/stack.py``; another version's
files would be ignored), with ``unchecked-hash`` invalidation so they stay valid whatever the
files' times in the asset."""
from __future__ import annotations

import compileall
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

from infra.catalog import ROOT

LAYER_DIR = ROOT / "layers" / "payrail"
PYTHON_VERSION = "3.11"  # the functions' runtime (infra/stack.py RUNTIME)
WHEELHOUSE = ROOT / ".build" / "wheels"  # filled by `make setup` (pip download)


def build(output_dir: Path) -> Path:
    """Build the layer into ``output_dir/python``; returns that directory. Raises
    CalledProcessError when pip fails."""
    target = Path(output_dir) / "python"
    source = ["--no-index", "--find-links", str(WHEELHOUSE)] if (WHEELHOUSE / ".fetched").exists() else []
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "-r",
                    str(LAYER_DIR / "requirements.txt"), "--target", str(target), "--platform",
                    "manylinux2014_x86_64", "--implementation", "cp", "--python-version", PYTHON_VERSION,
                    "--only-binary=:all:", *source], check=True)
    return package(target)


def package(target: Path) -> Path:
    """Copy the ``payrail`` package into ``target`` (a layer's ``python`` directory) and write the
    bytecode of everything there as the layer ships it (for the build's Python when it is the
    runtime's version). Returns ``target``."""
    shutil.copytree(LAYER_DIR / "payrail", target / "payrail", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == PYTHON_VERSION:
        compileall.compile_dir(str(target), quiet=1, workers=0,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    return target
