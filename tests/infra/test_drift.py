"""One source of truth: the synthesized stack and the catalog (which the local cloud uses) agree."""
import json

from infra import catalog


def test_no_drift_between_catalog_and_stack(synth):
    tpl, _, _ = synth
    res = tpl["Resources"]
    by_type = lambda t: [r["Properties"] for r in res.values() if r["Type"] == t]  # noqa: E731
    for t in catalog.TABLES.values():
        p = next(p for p in by_type("AWS::DynamoDB::Table") if p["TableName"] == t.name)
        keys = {k["KeyType"]: k["AttributeName"] for k in p["KeySchema"]}
        assert keys == {"HASH": t.pk, **({"RANGE": t.sk} if t.sk else {})}
        assert [g["IndexName"] for g in p.get("GlobalSecondaryIndexes", [])] == [i.name for i in t.indexes]
    for q in catalog.QUEUES.values():
        p = next(p for p in by_type("AWS::SQS::Queue") if p.get("QueueName") == q.name)
        assert p["VisibilityTimeout"] == q.visibility_timeout and p["MessageRetentionPeriod"] == q.retention_seconds
    fns = {p["FunctionName"]: p for p in by_type("AWS::Lambda::Function")}
    for f in catalog.FUNCTIONS.values():
        p = fns[f.name]
        assert (p["Timeout"], p["MemorySize"]) == (f.timeout, f.memory)
        env = set(p["Environment"]["Variables"]) - {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE",
                                                     "POWERTOOLS_LOG_LEVEL"}
        assert env == set(catalog.resource_env(f, *_NAMES, {"FULFILMENT_URL": "x", "ADMIN_TOKEN_SHA256": "",
                                                             **_CONNECTOR_URLS}, _SECRETS)) | set(catalog.RUNTIME_ENV)
        assert {k: p["Environment"]["Variables"][k] for k in catalog.RUNTIME_ENV} == catalog.RUNTIME_ENV
    for m in catalog.STATE_MACHINES.values():
        p = next(p for p in by_type("AWS::StepFunctions::StateMachine") if p["StateMachineName"] == m.name)
        assert set(p["DefinitionSubstitutions"]) == set(m.functions) | set(m.queues)
    sizes = {f.sqs.queue: (f.sqs.batch_size, f.sqs.max_concurrency) for f in catalog.FUNCTIONS.values() if f.sqs}
    seen = {(p["BatchSize"], p["ScalingConfig"]["MaximumConcurrency"]) for p in by_type("AWS::Lambda::EventSourceMapping")
            if "ScalingConfig" in p}
    assert seen == set(sizes.values())


_NAMES = ({t: t for t in catalog.TABLES}, {q: q for q in catalog.QUEUES}, {m: m for m in catalog.STATE_MACHINES},
          "bucket")
_SECRETS = {c: f"arn:{c}" for c in catalog.connectors()}
_CONNECTOR_URLS = {f"CONNECTOR_{c.upper()}_BASE_URL": "https://x" for c in catalog.connectors()}


def test_every_settings_variable_a_function_needs_has_a_source():
    from payrail.core.settings import ENV_VARS

    from payrail.providers import registry

    for f in catalog.FUNCTIONS.values():
        assert set(f.env) <= set(ENV_VARS), f.id
        env = catalog.resource_env(f, *_NAMES, {"FULFILMENT_URL": "http://f", "ADMIN_TOKEN_SHA256": ""}, _SECRETS)
        # resource references always have a value; configuration may fall back to the settings default
        assert {v for v in f.env if v.endswith(("_TABLE", "_URL", "_ARN", "_BUCKET"))} <= set(env), f.id
        assert set(env) <= set(catalog.env_names(f))
        # a function calling providers gets each connector's secret, never the credentials themselves
        secrets = {registry.secret_env_name(c) for c in catalog.connectors()}
        assert secrets <= set(env) if f.connectors else not secrets & set(env), f.id
        for c in catalog.connectors():
            creds = {v for v, field in registry.env_names(c).items() if field in registry.secret_fields(c)}
            assert not creds & set(catalog.env_names(f)), f.id


def test_asl_files_are_valid_json_with_known_placeholders():
    for m in catalog.STATE_MACHINES.values():
        doc = catalog.asl(m.id)
        assert doc["StartAt"] in doc["States"]
        assert catalog.placeholders(m.asl) == set(m.functions) | set(m.queues)
        json.loads(m.definition({f: f"arn:{f}" for f in catalog.FUNCTIONS}, {q: f"https://{q}" for q in catalog.QUEUES}))
