"""The web console's pages, served by the API function next to ``/docs``: ``GET /console`` is the
page, ``GET /console/<asset>`` its script and style sheet. The files are static (HTML, plain JS,
CSS; no build step, nothing from another origin) and the page talks to the public API only, from
the same origin, with the admin token or a merchant key the user types in (kept in the tab's
``sessionStorage``). Like ``/docs`` these routes are outside the declared routes: not in the
OpenAPI document, public, and rate limited as anonymous callers are.

Every answer carries a Content-Security-Policy allowing scripts, styles and requests from the
page's own origin only, so that nothing the API returns can run as code in the page, and the page
cannot be framed by another site.
"""
from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from payrail.core.errors import NotFound

#: the asset files a console folder may hold, by name: their media type
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
#: what the browser is told about every console answer
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
INDEX = "index.html"


def assets(folder: Path) -> dict[str, tuple[str, str]]:
    """``{file name: (media type, text)}`` of the servable files directly in ``folder`` (those
    whose suffix is in :data:`TYPES`); read once. Raises FileNotFoundError when ``folder`` has no
    ``index.html``."""
    out = {p.name: (TYPES[p.suffix], p.read_text(encoding="utf-8"))
           for p in sorted(Path(folder).iterdir()) if p.is_file() and p.suffix in TYPES}
    if INDEX not in out:
        raise FileNotFoundError(Path(folder) / INDEX)
    return out


def register(app, folder: Path, prefix: str = "/console") -> None:
    """Serve ``folder``'s files on ``app`` (a Powertools resolver): ``GET <prefix>`` answers
    ``index.html``, ``GET <prefix>/<name>`` the file of that name, any other name 404 (only the
    files read at registration are ever answered: no path reaches the file system)."""
    files = assets(folder)

    def answer(name: str) -> Response:
        if name not in files:
            raise NotFound("no such console file")
        media_type, text = files[name]
        return Response(status_code=200, content_type=media_type, body=text, headers=dict(HEADERS))

    @app.get(prefix, include_in_schema=False)
    def _console_page():
        return answer(INDEX)

    @app.get(f"{prefix}/<name>", include_in_schema=False)
    def _console_asset(name: str):
        return answer(name)
