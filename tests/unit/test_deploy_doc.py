"""What docs/deploy.md tells an operator to run exists and says what the code does: the connectors'
secrets and their fields (from the registry), every `payrail` command it names, the stage
configuration of `infra/app.py`; and the CLI's own pieces that need no platform (durations,
where its URL and credentials come from, `make up ARGS=…`)."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess

import pytest
import typer
from typer.testing import CliRunner

from infra import catalog
from infra.cli import connection
from infra.cli.main import app, seconds

DEPLOY = (catalog.ROOT / "docs" / "deploy.md").read_text()


def test_the_secrets_table_lists_every_connector_with_its_secret_fields():
    from payrail.providers import registry

    rows = re.findall(r"^\| `(\w+)` \| `([\w/]+)` \| (.+) \|$", DEPLOY, re.M)
    documented = {name: (secret, tuple(re.findall(r"`(\w+)`", fields))) for name, secret, fields in rows}
    expected = {name: (catalog.connector_secret_name(name), tuple(registry.secret_fields(name)))
                for name in registry.REGISTRY}
    assert documented == expected
    for name, (secret, fields) in expected.items():  # and one put-secret-value per connector, with its fields
        m = re.search(rf"--secret-id {re.escape(secret)} \\\n\s+--secret-string '(\{{.*?\}})'", DEPLOY)
        assert m, f"no put-secret-value for {secret}"
        assert tuple(json.loads(m.group(1))) == fields


def test_every_payrail_command_the_guide_names_exists():
    group = typer.main.get_command(app)
    named = {tuple(m.split()) for m in re.findall(r"(?:^|`|/)payrail((?: [a-z][a-z-]*)+)", DEPLOY, re.M)}
    assert len(named) >= 10
    for words in named:
        cmd = group
        for i, word in enumerate(words):
            if word not in getattr(cmd, "commands", {}):
                assert i > 0, f"`payrail {' '.join(words)}`: no command {word!r}"
                break
            cmd = cmd.commands[word]
        assert not hasattr(cmd, "commands"), f"`payrail {' '.join(words)}` names a group, not a command"


def test_admin_token_needs_no_platform():
    r = CliRunner().invoke(app, ["admin-token", "--token", "s3cret", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == {"token": "s3cret",
                                                         "sha256": hashlib.sha256(b"s3cret").hexdigest()}


def test_stage_configuration_layers_over_cdk_json():
    from aws_cdk import App

    from infra.app import config

    base = json.loads((catalog.ROOT / "cdk.json").read_text())["context"]
    ctx = {**base, "payrail:stages": {"prod": {"CONNECTOR_CASHFREE_BASE_URL": "https://api.cashfree.com"}},
           "payrail:stage": "prod", "payrail:ADMIN_TOKEN_SHA256": "ab" * 32, "payrail:NOT_A_SETTING": "x"}
    got = config(App(context=ctx))
    assert got["CONNECTOR_CASHFREE_BASE_URL"] == "https://api.cashfree.com"
    assert got["ADMIN_TOKEN_SHA256"] == "ab" * 32 and "NOT_A_SETTING" not in got
    assert got["FULFILMENT_URL"] == base["payrail:config"]["FULFILMENT_URL"]
    assert config(App(context={**base, "payrail:config": json.dumps({"FULFILMENT_URL": "https://f.example"})})) == {
        "FULFILMENT_URL": "https://f.example"}
    with pytest.raises(ValueError, match="unknown stage 'qa'"):
        config(App(context={**ctx, "payrail:stage": "qa"}))


@pytest.mark.parametrize("text,expected", [("90", 90), ("90s", 90), ("30m", 1800), ("1h", 3600), ("2d", 172800),
                                           ("1h30m", 5400), ("0s", 0)])
def test_durations(text, expected):
    assert seconds(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "1x", "-1h"])
def test_bad_durations(text):
    with pytest.raises(typer.BadParameter):
        seconds(text)


def test_flags_beat_the_profile_which_beats_the_local_platform(tmp_path, monkeypatch):
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "cloud.json").write_text(json.dumps({"api_url": "http://127.0.0.1:3100",
                                                               "admin_token": "local-token"}))
    monkeypatch.setenv("PAYRAIL_DATA_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("PAYRAIL_PROFILES", str(tmp_path / "profiles.toml"))
    local = connection.Connection.resolve()
    assert (local.url, local.admin_token, local.local["api_url"]) == ("http://127.0.0.1:3100", "local-token",
                                                                      "http://127.0.0.1:3100")
    (tmp_path / "profiles.toml").write_text('[default]\nurl = "https://api.example"\n'
                                            '[staging]\nurl = "https://staging.example"\nadmin_token = "t"\n')
    default = connection.Connection.resolve()
    assert (default.url, default.admin_token, default.local) == ("https://api.example", None, None)
    staging = connection.Connection.resolve(profile="staging")
    assert (staging.url, staging.admin_token) == ("https://staging.example", "t")
    flags = connection.Connection.resolve(url="http://x.example/", admin_token="f", profile="staging")
    assert (flags.url, flags.admin_token) == ("http://x.example", "f")
    with pytest.raises(connection.ConfigError, match="no profile 'prod'"):
        connection.Connection.resolve(profile="prod")
    r = CliRunner().invoke(app, ["--profile", "prod", "dlq", "list"])
    assert r.exit_code == 1 and r.stderr.startswith("error: no profile 'prod'") and r.exception.__class__ is SystemExit


def test_make_up_passes_its_args_through():
    r = subprocess.run(["make", "-n", "up", "ARGS=--api-port 3100 --moto-port 4666"], cwd=catalog.ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "-m infra.local up --api-port 3100 --moto-port 4666" in r.stdout
