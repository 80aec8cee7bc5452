"""Connectors by name. Adding one = its own folder under ``payrail/providers/connectors/``
(``__init__.py``, ``connector.py``, ``transformers.py``), one entry in ``REGISTRY`` and its stand-in
under ``infra/local/standins/`` with its entry in ``STANDINS`` (whose ``Contract`` gives the
connector contract suite, ``tests/integration/test_connector_contract.py``, its inputs).

    build("cashfree", {"base_url": ..., "client_id": ..., "client_secret": ...}) -> CashfreeConnector
    candidates("upi", "INR", "IN") == ["cashfree"]
    settings_from_env("cashfree", os.environ)   # CONNECTOR_CASHFREE_BASE_URL, ..._CLIENT_SECRET
    secret_env_name("cashfree") == "CONNECTOR_CASHFREE_SECRET_ARN"   # deployed: the credentials' secret
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from importlib import import_module

from payrail.providers.connectors.base import Capabilities, Connector, ConnectorSettings, DirectoryEntry
from payrail.providers.statements import StatementSource


class Entry:
    """A registered connector, found by its package under ``payrail.providers.connectors``: its class, its
    settings model, what it can do and what a merchant can pay through it (its directory). The
    package (and the libraries its connector needs) is imported on first use of any of these, so
    that a function importing the registry loads only the connectors it calls. ``statement`` is
    the source a reconciliation reads the provider's side from (:mod:`payrail.providers.statements`)."""

    def __init__(self, package: str, cls: str, settings: str, capabilities: str = "CAPABILITIES",
                 directory: str | None = None, statement: StatementSource = "status_lookup"):
        self.package, self._names = package, (cls, settings, capabilities, directory)
        self.statement: StatementSource = statement

    @cached_property
    def _module(self):
        return import_module(f"payrail.providers.connectors.{self.package}")

    @cached_property
    def cls(self) -> type:
        return getattr(self._module, self._names[0])

    @cached_property
    def settings(self) -> type[ConnectorSettings]:
        return getattr(self._module, self._names[1])

    @cached_property
    def capabilities(self) -> Capabilities:
        return getattr(self._module, self._names[2])

    @cached_property
    def directory(self) -> tuple[DirectoryEntry, ...]:
        return tuple(getattr(self._module, self._names[3])) if self._names[3] else ()


REGISTRY: dict[str, Entry] = {
    "cashfree": Entry("cashfree", "CashfreeConnector", "CashfreeSettings", directory="DIRECTORY"),
    "safepay": Entry("safepay", "SafepayConnector", "SafepaySettings", directory="DIRECTORY"),
    # Ghana mobile money (payments, payrail.payments): GHS to mobile wallets, with reversal and balance
    "mtn_momo": Entry("mtn_momo", "MtnMomoConnector", "MtnMomoSettings"),
    "airteltigo": Entry("airteltigo", "AirtelTigoConnector", "AirtelTigoSettings"),
    "telecel": Entry("telecel", "TelecelConnector", "TelecelSettings"),
}


def entry(name: str) -> Entry:
    """Raises KeyError naming the known connectors."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown connector {name!r}; known: {sorted(REGISTRY)}") from None


def build(name: str, settings: ConnectorSettings | Mapping) -> Connector:
    """A connector instance from its settings (a model, or a mapping validated into one).

    Raises: KeyError (unknown name), pydantic.ValidationError (bad settings), TypeError
    (settings of another connector).
    """
    e = entry(name)
    if isinstance(settings, Mapping):
        settings = e.settings.model_validate(dict(settings))
    if not isinstance(settings, e.settings):
        raise TypeError(f"{name} needs {e.settings.__name__}, got {type(settings).__name__}")
    return e.cls(settings)


def candidates(rail: str, currency: str, country: str) -> list[str]:
    """Names of the connectors that can pay ``rail`` in ``currency`` to ``country`` (registry order)."""
    return [name for name, e in REGISTRY.items() if e.capabilities.covers(rail, currency, country)]


def directory() -> list[tuple[str, DirectoryEntry]]:
    """``(connector name, entry)`` for every directory entry of every connector, in registry order."""
    return [(name, d) for name, e in REGISTRY.items() for d in e.directory]


def env_names(name: str) -> dict[str, str]:
    """Environment variable -> settings field for connector ``name``:
    ``CONNECTOR_<NAME>_<FIELD>`` for every field of its settings model."""
    prefix = f"CONNECTOR_{name.upper()}_"
    return {prefix + field.upper(): field for field in entry(name).settings.model_fields}


def secret_env_name(name: str) -> str:
    """The variable holding the ARN of connector ``name``'s AWS Secrets Manager secret (a JSON
    object of its ``secret_fields``), set where the credentials are not in the environment."""
    return f"CONNECTOR_{name.upper()}_SECRET_ARN"


def secret_fields(name: str) -> tuple[str, ...]:
    """The settings fields of connector ``name`` kept in its secret."""
    return entry(name).settings.secret_fields


def settings_from_env(name: str, env: Mapping[str, str], secret: Mapping[str, str] | None = None) -> ConnectorSettings:
    """The settings of connector ``name`` from an environment mapping (unset variables take
    the model's defaults) and, deployed, the JSON object of its secret (``secret``, whose
    fields win). Locally the environment holds the credentials.

    Raises: pydantic.ValidationError naming the missing or malformed fields.
    """
    values = {field: env[var] for var, field in env_names(name).items() if var in env}
    return entry(name).settings.model_validate(values | {k: v for k, v in (secret or {}).items()
                                                         if k in secret_fields(name)})
