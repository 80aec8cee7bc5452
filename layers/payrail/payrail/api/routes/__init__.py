"""One module per resource. The ``api`` function registers every route from :data:`INDEX`
(``payrail.api.routes.index``) and imports a resource's module on the first request one of its
routes serves, so a cold start imports none of them; :func:`load_all` (also ``ALL``) imports every
module (the OpenAPI document, tests)."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from payrail.api.routes.index import INDEX  # noqa: F401 - what the api function registers

if TYPE_CHECKING:
    from payrail.api.edge import Routes

#: the route modules, in the order their routes are registered
MODULES = ("health", "merchants", "wallets", "balances", "orders", "payouts", "beneficiaries", "directory",
           "reservations", "settlements", "webhooks", "callbacks", "payments", "operations", "reconciliations")


def load(module: str) -> Routes:
    """The routes of one module of :data:`MODULES` (imported now, once)."""
    return importlib.import_module(f"{__name__}.{module}").routes


def load_all() -> list[Routes]:
    """The routes of every module, in :data:`MODULES` order."""
    return [load(m) for m in MODULES]


def index_of() -> tuple[tuple[str, str, str, int], ...]:
    """``(module, method, path, success status)`` of every declared route, in registration order:
    what :data:`INDEX` holds (written by ``make openapi``)."""
    return tuple((m, s.method, s.path, s.status) for m in MODULES for s in load(m).specs)


def __getattr__(name: str):
    if name == "ALL":
        return load_all()
    raise AttributeError(name)
