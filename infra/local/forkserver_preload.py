"""Imported once by the fork server of ``infra.local.environments`` (never elsewhere): what every
execution environment forked from it would otherwise load on its own — boto3 with the service
models of the clients the functions make, Powertools (X-Ray SDK included), pydantic, payrail and
the runtime. An environment then costs about its handler module's own import, as a thread
environment of the runtime does."""
import boto3
import aws_xray_sdk.core  # noqa: F401 - Powertools' Tracer
import aws_lambda_powertools.event_handler.api_gateway  # noqa: F401
import payrail.platform  # noqa: F401

import infra.local.environments  # noqa: F401
import infra.local.runtime  # noqa: F401

# models and endpoint rules are cached by the default session, which every forked environment inherits;
# the clients themselves are dropped (no connection is ever opened here)
for _service in ("dynamodb", "s3", "stepfunctions", "sqs"):
    boto3.client(_service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
