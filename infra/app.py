"""CDK entry point (``cdk synth`` / ``make synth``): the payrail stack checked by cdk-nag."""
from __future__ import annotations

import os

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra import catalog
from infra.stack import PayrailStack


def build(app: App | None = None) -> tuple[App, PayrailStack]:
    app = app or App()
    stack = PayrailStack(
        app, "payrail", config=app.node.try_get_context("payrail:config") or {},
        alarms=catalog.Alarms.from_context(app.node.try_get_context("payrail:alarms")),
        env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app, stack


if __name__ == "__main__":
    build()[0].synth()
