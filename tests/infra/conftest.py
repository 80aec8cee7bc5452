import json
import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """Synthesize the app once (bundling skipped: no pip download in tests) with cdk-nag on.
    Returns ``(template dict, assertions Template, cloud assembly directory)``."""
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from infra.app import build
    from infra.catalog import ROOT

    outdir = tmp_path_factory.mktemp("cdk.out")
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app, stack = build(App(outdir=str(outdir), context={**context, "aws:cdk:bundling-stacks": []}))
    app.synth()  # raises if cdk-nag reports an unacknowledged error
    template = Template.from_stack(stack)
    return template.to_json(), template, outdir
