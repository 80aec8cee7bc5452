"""Where the ``payrail`` CLI finds the API and its credentials.

Each value comes from the first of: the command line (``--url``, ``--admin-token``,
``--api-key``), the environment (``PAYRAIL_URL``, ``PAYRAIL_ADMIN_TOKEN``, ``PAYRAIL_API_KEY``),
the profile file (``--profile`` / ``PAYRAIL_PROFILE``, default ``default``, in
``~/.config/payrail/profiles.toml`` or ``$PAYRAIL_PROFILES``), and — for the URL and the admin
token only — the local platform ``make up`` runs (its ``.local/cloud.json``, or
``$PAYRAIL_DATA_DIR/cloud.json``).

A profile file::

    [default]
    url = "http://127.0.0.1:3000"
    admin_token = "local-admin-token"

    [staging]
    url = "https://abc123.execute-api.eu-west-1.amazonaws.com"
    admin_token = "…"
    api_key = "sk_…"
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from infra.catalog import ROOT

DEFAULT_URL = "http://127.0.0.1:3000"
FIELDS = ("url", "admin_token", "api_key")


class ConfigError(Exception):
    """The CLI's configuration cannot be used (unreadable profile file, unknown profile)."""


def profiles_path() -> Path:
    """The profile file: ``$PAYRAIL_PROFILES`` or ``~/.config/payrail/profiles.toml``."""
    return Path(os.environ.get("PAYRAIL_PROFILES") or Path.home() / ".config" / "payrail" / "profiles.toml")


def local_description(data_dir: Path | None = None) -> dict | None:
    """The description the local platform writes while it runs (``<data_dir>/cloud.json``), or None."""
    data_dir = data_dir or Path(os.environ.get("PAYRAIL_DATA_DIR") or ROOT / ".local")
    try:
        return json.loads((data_dir / "cloud.json").read_text())
    except (OSError, ValueError):
        return None


def read_profile(name: str | None) -> dict:
    """The named profile's values (``{}`` when there is no profile file and no name was asked for).

    Raises:
        ConfigError: the file is not TOML, or ``name`` was asked for and is not in it.
    """
    path = profiles_path()
    if not path.exists():
        if name:
            raise ConfigError(f"profile {name!r} asked for, but {path} does not exist")
        return {}
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None
    if name and name not in profiles:
        raise ConfigError(f"no profile {name!r} in {path} (profiles: {', '.join(profiles) or 'none'})")
    values = profiles.get(name or "default", {})
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(sorted(unknown))} in profile {name or 'default'} of {path}")
    return values


@dataclass
class Connection:
    """The API's URL and the credentials to use; ``local`` is the running local platform's
    description when the URL is its API."""

    url: str
    admin_token: str | None = None
    api_key: str | None = None
    local: dict | None = field(default=None, repr=False)

    @classmethod
    def resolve(cls, url: str | None = None, admin_token: str | None = None, api_key: str | None = None,
                profile: str | None = None) -> "Connection":
        """Flags (the arguments; typer fills them from the environment too), then the profile,
        then the local platform (module docstring). Raises ConfigError."""
        prof = read_profile(profile)
        local = local_description()
        url = url or prof.get("url") or (local or {}).get("api_url") or DEFAULT_URL
        is_local = bool(local) and local.get("api_url", "").rstrip("/") == url.rstrip("/")
        admin_token = admin_token or prof.get("admin_token") or (local.get("admin_token") if is_local else None)
        return cls(url.rstrip("/"), admin_token, api_key or prof.get("api_key"), local if is_local else None)
