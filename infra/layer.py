"""The payrail Lambda layer's content, built without Docker: ``pip install --platform
manylinux2014_x86_64`` of the layer's requirements plus the ``payrail`` package into
``<out>/python`` (the layout Lambda puts on ``sys.path`` under ``/opt``); offline from the
wheelhouse ``.build/wheels`` when ``make setup`` has filled it. Used by the CDK stack's local
bundling and by the LocalStack Docker path (whose community edition has no layers, so each
function's zip carries this content)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from infra.catalog import ROOT

LAYER_DIR = ROOT / "layers" / "payrail"
WHEELHOUSE = ROOT / ".build" / "wheels"  # filled by `make setup` (pip download)


def build(output_dir: Path) -> Path:
    """Build the layer into ``output_dir/python``; returns that directory. Raises
    CalledProcessError when pip fails."""
    target = Path(output_dir) / "python"
    source = ["--no-index", "--find-links", str(WHEELHOUSE)] if (WHEELHOUSE / ".fetched").exists() else []
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "-r",
                    str(LAYER_DIR / "requirements.txt"), "--target", str(target), "--platform",
                    "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.11",
                    "--only-binary=:all:", *source], check=True)
    shutil.copytree(LAYER_DIR / "payrail", target / "payrail", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target
