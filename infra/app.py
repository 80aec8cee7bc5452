"""CDK entry point (``cdk synth`` / ``make synth``): the payrail stack checked by cdk-nag.

The functions' configuration (:func:`config`) comes from the context, each later source winning:
``payrail:config`` (``cdk.json``), ``payrail:stages`` → the stage named by ``-c payrail:stage=<name>``,
then single values given as ``-c payrail:<NAME>=<value>`` (``-c payrail:ADMIN_TOKEN_SHA256=…``).
"""
from __future__ import annotations

import json
import os

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra import catalog
from infra.stack import PayrailStack


def _mapping(value, what: str) -> dict:
    if isinstance(value, str):  # -c payrail:config='{"…": "…"}' arrives as a string
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object of NAME: value")
    return value


def config(app: App) -> dict[str, str]:
    """The functions' configuration from the context (module docstring).

    Raises:
        ValueError: an unknown stage, or a value that is not an object.
    """
    from infra import catalog

    ctx = app.node.try_get_context
    out = dict(_mapping(ctx("payrail:config") or {}, "payrail:config"))
    stage = ctx("payrail:stage")
    if stage:
        stages = _mapping(ctx("payrail:stages") or {}, "payrail:stages")
        if stage not in stages:
            raise ValueError(f"unknown stage {stage!r}; payrail:stages has {sorted(stages) or 'none'}")
        out |= _mapping(stages[stage], f"payrail:stages.{stage}")
    names = {v for fn in catalog.FUNCTIONS.values() for v in catalog.env_names(fn)}
    for name in sorted(names):
        if (value := ctx(f"payrail:{name}")) is not None:
            out[name] = str(value)
    return {k: str(v) for k, v in out.items()}


def build(app: App | None = None) -> tuple[App, PayrailStack]:
    app = app or App()
    stack = PayrailStack(
        app, "payrail", config=config(app),
        alarms=catalog.Alarms.from_context(app.node.try_get_context("payrail:alarms")),
        env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app, stack


if __name__ == "__main__":
    build()[0].synth()
