"""``payrail``: the operator's command line, talking to payrail's public API only (local or deployed).

Connection and credentials: ``--url``, ``--admin-token``, ``--api-key``, ``--profile`` or their
environment variables, or a profile file (:mod:`infra.cli.connection`). Commands that exist for
a merchant and for the operator (``payouts list|show``, ``payments list|show``, ``settlement
start``) act as the merchant when an API key is given and as the operator (across merchants)
otherwise. Every command takes ``--json`` (the API's answer as JSON on stdout, for scripts).
Errors are one line on stderr (``error: 409 invalid_state: …``) and a non-zero exit status.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import requests
import typer
from rich.console import Console
from rich.table import Table

from infra.cli import progress
from infra.cli.connection import ConfigError, Connection
from infra.tools.client import ApiError, Payrail

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Operate payrail through its API: status, payouts, reviews, payments, holds, settlement, "
                       "reconciliation, DLQs, the ledger audit.")
payouts_app = typer.Typer(no_args_is_help=True, help="Payouts: list, show, approve, reject, cancel, reinitiate.")
payments_app = typer.Typer(no_args_is_help=True, help="Mobile-money payments: list, show, cancel, refund.")
settlement_app = typer.Typer(no_args_is_help=True, help="Settlement jobs: start (and watch), show.")
reconciliation_app = typer.Typer(no_args_is_help=True, help="Reconciliation runs and their exceptions: start (and "
                                                            "watch), show, list, exceptions, resolve.")
dlq_app = typer.Typer(no_args_is_help=True, help="Queues and their DLQs: list, redrive.")
ledger_app = typer.Typer(no_args_is_help=True, help="The ledger: audit.")
for sub, name in ((payouts_app, "payouts"), (payments_app, "payments"), (settlement_app, "settlement"),
                  (reconciliation_app, "reconciliation"), (dlq_app, "dlq"), (ledger_app, "ledger")):
    app.add_typer(sub, name=name)

#: piped output (scripts, files) is not cut at 80 columns
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)

Json = Annotated[bool, typer.Option("--json", help="print the API's answer as JSON (for scripts)")]
Limit = Annotated[int, typer.Option(min=1, max=100, help="at most this many (1..100)")]
Merchant = Annotated[Optional[str], typer.Option("--merchant", "-m", help="the payout's merchant id (m_…)")]


class CliError(Exception):
    """A problem the CLI reports as ``error: <message>`` (exit status 1)."""


# ---- the connection ---------------------------------------------------------------------------
class State:
    conn: Connection | None = None
    options: dict = {}


@app.callback()
def main(url: Annotated[Optional[str], typer.Option(envvar="PAYRAIL_URL", help="the API's base URL")] = None,
         admin_token: Annotated[Optional[str], typer.Option(envvar="PAYRAIL_ADMIN_TOKEN",
                                                            help="the operator's bearer token")] = None,
         api_key: Annotated[Optional[str], typer.Option(envvar="PAYRAIL_API_KEY", help="a merchant's API key")] = None,
         profile: Annotated[Optional[str], typer.Option(envvar="PAYRAIL_PROFILE",
                                                        help="a profile of ~/.config/payrail/profiles.toml")] = None,
         timeout: Annotated[float, typer.Option(help="seconds per API request")] = 30.0) -> None:
    """Operate payrail through its API."""
    State.conn = None
    State.options = {"url": url, "admin_token": admin_token, "api_key": api_key, "profile": profile,
                     "timeout": timeout}


def conn() -> Connection:
    if State.conn is None:
        o = State.options
        State.conn = Connection.resolve(o.get("url"), o.get("admin_token"), o.get("api_key"), o.get("profile"))
    return State.conn


def api(*, admin: bool) -> Payrail:
    """A client with the admin token (``admin``) or the merchant key. Raises CliError without it."""
    c = conn()
    if admin and not c.admin_token:
        raise CliError("this command needs the admin token (--admin-token, PAYRAIL_ADMIN_TOKEN or a profile)")
    if not admin and not c.api_key:
        raise CliError("this command needs a merchant API key (--api-key, PAYRAIL_API_KEY or a profile)")
    return Payrail(c.url, api_key=None if admin else c.api_key, admin_token=c.admin_token if admin else None,
                   pool=4, timeout=State.options.get("timeout", 30.0))


def as_merchant() -> bool:
    """Whether a command that exists for both acts as the merchant (an API key is set)."""
    return bool(conn().api_key)


def call(method: str, path: str, body: dict | None = None, *, admin: bool, params: dict | None = None,
         idempotency_key: str | None = None) -> dict:
    params = {k: v for k, v in (params or {}).items() if v is not None}
    return api(admin=admin).request(method, path, body, admin=admin, params=params or None,
                                    idempotency_key=idempotency_key)


def error_line(e: ApiError) -> str:
    """``409 invalid_state: payout is SUCCEEDED; …`` from the API's ``{error}``."""
    detail = (e.body or {}).get("error") or {}
    if not isinstance(detail, dict) or not detail:
        return f"{e.status} {str(e.body)[:300]}"
    line = f"{e.status} {detail.get('code') or detail.get('type') or 'error'}: {detail.get('message', '')}"
    if detail.get("param"):
        line += f" (param {detail['param']})"
    if isinstance(detail.get("provider"), dict):
        line += " [provider " + ", ".join(f"{k}={v}" for k, v in detail["provider"].items()) + "]"
    return line


def handled(func: Callable) -> Callable:
    """Run a command, answering every failure with one ``error:`` line and exit status 1."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ApiError as e:
            err.print(f"error: {error_line(e)}", markup=False, highlight=False)
        except requests.ConnectionError as e:
            reason = "connection refused" if "refused" in str(e).lower() else type(e).__name__
            err.print(f"error: cannot reach {conn().url}: {reason}", markup=False, highlight=False)
        except requests.Timeout:
            err.print(f"error: {conn().url} did not answer in time", markup=False, highlight=False)
        except requests.RequestException as e:
            err.print(f"error: request to {conn().url} failed: {type(e).__name__}: {e}"[:500], markup=False,
                      highlight=False)
        except ValueError as e:  # an answer that is not JSON (a proxy's error page)
            err.print(f"error: the API's answer is not JSON: {e}"[:300], markup=False, highlight=False)
        except (CliError, ConfigError, OSError) as e:
            err.print(f"error: {e}", markup=False, highlight=False)
        raise typer.Exit(1)
    return run


# ---- output -------------------------------------------------------------------------------------
def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def table(rows: list[dict], columns: list[tuple[str, str]], title: str | None = None) -> None:
    """Print ``rows`` as a table of ``columns`` (``(header, key)``; a key may be ``a.b``)."""
    t = Table(title=title, show_lines=False)
    for header, key in columns:  # ids stay whole (copied into the next command)
        t.add_column(header, overflow="fold", no_wrap=key.endswith("_id"))
    for r in rows:
        t.add_row(*(_text(_get(r, key)) for _, key in columns))
    out.print(t)


def _get(row: dict, key: str) -> Any:
    for part in key.split("."):
        row = row.get(part) if isinstance(row, dict) else None
    return row


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str)
    return str(v)


def details(obj: dict, title: str, keys: list[str]) -> None:
    """One object: its ``keys`` that are set, then its status history."""
    t = Table(title=title, show_header=False)
    t.add_column("field", style="bold")
    t.add_column("value", overflow="fold")
    for k in keys:
        if obj.get(k) not in (None, [], {}):
            t.add_row(k, _text(obj[k]))
    out.print(t)
    if obj.get("status_history"):
        table(obj["status_history"], [("status", "status"), ("at", "at"), ("detail", "detail")], "status history")


def age(created_at: str | None) -> str:
    """``3h12m`` since an ISO time."""
    if not created_at:
        return ""
    t = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    s = int((datetime.now(timezone.utc) - t).total_seconds())
    d, rem = divmod(max(s, 0), 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return f"{d}d{h}h" if d else f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


def seconds(text: str) -> int:
    """``90``, ``90s``, ``30m``, ``1h``, ``2d``, ``1h30m`` as seconds. Raises typer.BadParameter."""
    if re.fullmatch(r"\d+", text):
        return int(text)
    parts = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text.strip())
    if not text.strip() or not parts:
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 30m, 1h or 2d")
    d, h, m, s = (int(x or 0) for x in parts.groups())
    return d * 86400 + h * 3600 + m * 60 + s


Duration = Annotated[Optional[str], typer.Option(help="only those created at least this long ago (90s, 30m, 1h, 2d)")]

PAYOUT_COLUMNS = [("payout", "payout_id"), ("merchant", "merchant_id"), ("status", "status"), ("amount", "amount"),
                  ("currency", "currency"), ("provider", "provider"), ("created", "created_at"), ("age", "_age"),
                  ("reason", "_reason")]
PAYOUT_KEYS = ["payout_id", "merchant_id", "status", "amount", "currency", "beneficiary", "merchant_reference",
               "provider", "run", "transfer_id", "provider_reference", "provider_status", "submissions", "checks",
               "next_check_at", "last_error", "failure_reason", "cancel_reason", "hold_reason", "review_reason",
               "review_decision", "cancel_requested_at", "created_at", "updated_at"]
PAYMENT_COLUMNS = [("payment", "payment_id"), ("merchant", "merchant_id"), ("status", "status"), ("amount", "amount"),
                   ("fee", "fee"), ("network", "network"), ("provider", "provider"), ("created", "created_at"),
                   ("age", "_age")]
PAYMENT_KEYS = ["payment_id", "merchant_id", "status", "amount", "fee", "total", "currency", "network", "recipient",
                "provider", "route", "risk", "failovers", "provider_reference", "provider_status", "looks",
                "submissions", "expires_at", "confirmed_at", "failure_reason", "expiry_reason", "cancel_reason",
                "refund", "late_provider_status", "created_at", "updated_at"]


def _decorate(rows: list[dict]) -> list[dict]:
    return [r | {"_age": age(r.get("created_at")),
                 "_reason": r.get("hold_reason") or r.get("review_reason") or r.get("failure_reason")
                 or r.get("last_error")} for r in rows]


def page(data: dict, columns, title: str, as_json: bool) -> None:
    if as_json:
        return emit_json(data)
    table(_decorate(data["data"]), columns, title)
    if data.get("has_more"):
        out.print("(more: narrow with --status, --older-than or --from/--to, or raise --limit)")


# ---- status ---------------------------------------------------------------------------------------
@app.command()
@handled
def status(as_json: Json = False) -> None:
    """Health of every dependency, queue and DLQ depths, and for the local platform its ports."""
    c = conn()
    try:
        health = Payrail(c.url, pool=1, timeout=State.options.get("timeout", 30.0)).request("GET", "/health/detailed")
    except ApiError as e:
        if e.status != 503:
            raise
        health = e.body
    queues = call("GET", "/v1/admin/queues", admin=True)["data"] if c.admin_token else None
    local = None
    if c.local:
        d = c.local
        local = {"target": d.get("target"), "api": d.get("api_url"), "aws_endpoint": d.get("aws_endpoint"),
                 "dynamodb": d.get("dynamodb_endpoint"), "runtime": d.get("runtime_url"),
                 "fulfilment": d.get("fulfilment_url"), "webhook_receiver": d.get("webhook_receiver_url"),
                 **{f"standin:{k}": v for k, v in (d.get("standins") or {}).items()}, "data_dir": d.get("data_dir")}
    if as_json:
        return emit_json({"url": c.url, "health": health, "queues": queues, "local": local})
    ok = health.get("status") == "ok"
    out.print(f"payrail at {c.url}: [{'green' if ok else 'red'}]{health.get('status')}[/]")
    checks = [{"check": k, **v} for k, v in (health.get("checks") or {}).items()]
    checks += [{"check": f"provider:{k}", **v} for k, v in (health.get("providers") or {}).items()]
    table(checks, [("check", "check"), ("ok", "ok"), ("ms", "ms"), ("error", "error")], "health")
    if queues is not None:
        table(queues, [("queue", "queue"), ("messages", "messages"), ("in flight", "in_flight"),
                       ("delayed", "delayed"), ("DLQ messages", "dlq.messages")], "queues")
    else:
        out.print("(queue depths need the admin token)")
    if local:
        table([{"what": k, "where": v} for k, v in local.items() if v], [("local platform", "what"), ("", "where")])


# ---- payouts --------------------------------------------------------------------------------------
def _bounds(older_than: str | None, start: str | None, end: str | None) -> dict:
    return {"older_than_seconds": seconds(older_than) if older_than else None, "created_from": start,
            "created_to": end}


def _list(resource: str, columns, status: str | None, older_than: str | None, start: str | None,
          end: str | None, limit: int, as_json: bool) -> None:
    """List ``resource`` (``payouts``, ``payments``): the merchant's own with an API key, else every
    merchant's through the admin route (the only one that takes ``--older-than``)."""
    if as_merchant():
        if older_than:
            raise CliError("--older-than lists across merchants (admin token, no API key); use --to")
        data = call("GET", f"/v1/{resource}", admin=False, params={"status": status, "created_from": start,
                                                                   "created_to": end, "limit": limit})
    else:
        data = call("GET", f"/v1/admin/{resource}", admin=True,
                    params={"status": status, "limit": limit, **_bounds(older_than, start, end)})
    page(data, columns, resource, as_json)


@payouts_app.command("list")
@handled
def payouts_list(status_: Annotated[Optional[str], typer.Option("--status", help="PENDING, IN_REVIEW, PROCESSING, "
                                                                 "ON_HOLD, SUCCEEDED, FAILED, CANCELLED")] = None,
                 older_than: Duration = None,
                 start: Annotated[Optional[str], typer.Option("--from", help="created from (2026-03-01)")] = None,
                 end: Annotated[Optional[str], typer.Option("--to", help="created up to (inclusive)")] = None,
                 limit: Limit = 20, as_json: Json = False) -> None:
    """Payouts: the merchant's newest first (API key), or every merchant's oldest first (admin)."""
    _list("payouts", PAYOUT_COLUMNS, status_, older_than, start, end, limit, as_json)


def _payout(payout_id: str, merchant: str | None) -> dict:
    if merchant:
        return call("GET", f"/v1/admin/merchants/{merchant}/payouts/{payout_id}", admin=True)
    if as_merchant():
        return call("GET", f"/v1/payouts/{payout_id}", admin=False)
    raise CliError("which merchant's payout? give --merchant m_… (or a merchant API key)")


def _show_payout(p: dict, as_json: bool) -> None:
    if as_json:
        return emit_json(p)
    details(p, f"payout {p['payout_id']}", PAYOUT_KEYS)
    if p.get("attempts"):
        table(p["attempts"], [(k, k) for k in sorted({k for a in p["attempts"] for k in a})], "attempts")


@payouts_app.command("show")
@handled
def payouts_show(payout_id: str, merchant: Merchant = None, as_json: Json = False) -> None:
    """A payout with its status history, attempts and provider answers."""
    _show_payout(_payout(payout_id, merchant), as_json)


def _decide(decision: str, payout_id: str, merchant: str | None, note: str | None, as_json: bool) -> None:
    if not merchant:
        raise CliError(f"{decision} needs the payout's merchant: --merchant m_… (payrail reviews shows it)")
    p = call("POST", f"/v1/admin/merchants/{merchant}/payouts/{payout_id}/{decision}",
             {"note": note} if note else None, admin=True)
    if as_json:
        return emit_json(p)
    out.print(f"payout {p['payout_id']} is {p['status']}")


Note = Annotated[Optional[str], typer.Option(help="why (kept with the decision)")]


@payouts_app.command("approve")
@handled
def payouts_approve(payout_id: str, merchant: Merchant = None, note: Note = None, as_json: Json = False) -> None:
    """Approve a payout IN_REVIEW (admin): it goes to its provider."""
    _decide("approve", payout_id, merchant, note, as_json)


@payouts_app.command("reject")
@handled
def payouts_reject(payout_id: str, merchant: Merchant = None, note: Note = None, as_json: Json = False) -> None:
    """Reject a payout IN_REVIEW, or release one ON_HOLD the provider will not pay (admin)."""
    _decide("reject", payout_id, merchant, note, as_json)


@payouts_app.command("cancel")
@handled
def payouts_cancel(payout_id: str, as_json: Json = False) -> None:
    """Cancel a payout before the provider pays it (merchant API key)."""
    p = call("POST", f"/v1/payouts/{payout_id}/cancel", admin=False)
    emit_json(p) if as_json else out.print(f"payout {p['payout_id']} is {p['status']}")


@payouts_app.command("reinitiate")
@handled
def payouts_reinitiate(payout_id: str, idempotency_key: Annotated[Optional[str], typer.Option(
        help="retry-safe key (default: the payout id and its failed run, so a repeat starts no second run)")] = None,
        as_json: Json = False) -> None:
    """Retry a FAILED payout: a new hold and a new run (merchant API key)."""
    if not idempotency_key:
        run = call("GET", f"/v1/payouts/{payout_id}", admin=False)["run"]
        idempotency_key = f"cli-reinitiate-{payout_id}-run{run}"
    p = call("POST", f"/v1/payouts/{payout_id}/reinitiate", admin=False, idempotency_key=idempotency_key)
    emit_json(p) if as_json else out.print(f"payout {p['payout_id']} is {p['status']} (run {p['run']})")


@app.command()
@handled
def reviews(limit: Limit = 50, as_json: Json = False) -> None:
    """The review queue: payouts IN_REVIEW and ON_HOLD across merchants, oldest first (admin)."""
    rows, more = [], False
    for st in ("IN_REVIEW", "ON_HOLD"):
        data = call("GET", "/v1/admin/payouts", admin=True, params={"status": st, "limit": limit})
        rows += data["data"]
        more = more or data["has_more"]
    rows.sort(key=lambda p: p["created_at"])
    page({"data": rows[:limit], "has_more": more or len(rows) > limit}, PAYOUT_COLUMNS, "reviews", as_json)


@app.command()
@handled
def holds(older_than: Annotated[str, typer.Option(help="created at least this long ago (90s, 30m, 1h, 2d)")] = "1h",
          limit: Limit = 20, as_json: Json = False) -> None:
    """Payouts still holding money (PENDING, IN_REVIEW, PROCESSING, ON_HOLD) older than a bound (admin)."""
    data = call("GET", "/v1/admin/holds", admin=True, params={"older_than_seconds": seconds(older_than),
                                                              "limit": limit})
    if as_json:
        return emit_json(data)
    page(data, PAYOUT_COLUMNS, f"holds older than {older_than}", False)
    if data.get("oldest_age_seconds") is not None:
        out.print(f"oldest: {data['oldest_age_seconds']} s")


# ---- payments -------------------------------------------------------------------------------------
@payments_app.command("list")
@handled
def payments_list(status_: Annotated[Optional[str], typer.Option("--status", help="INITIATED, VALIDATING, PENDING, "
                  "PROCESSING, CONFIRMED, FAILED, EXPIRED, REFUNDED, CANCELLED")] = None,
                  older_than: Duration = None,
                  start: Annotated[Optional[str], typer.Option("--from", help="created from (2026-03-01)")] = None,
                  end: Annotated[Optional[str], typer.Option("--to", help="created up to (inclusive)")] = None,
                  limit: Limit = 20, as_json: Json = False) -> None:
    """Payments: the merchant's newest first (API key), or every merchant's oldest first (admin)."""
    _list("payments", PAYMENT_COLUMNS, status_, older_than, start, end, limit, as_json)


@payments_app.command("show")
@handled
def payments_show(payment_id: str, merchant: Annotated[Optional[str], typer.Option(
        "--merchant", "-m", help="the payment's merchant id (admin)")] = None, as_json: Json = False) -> None:
    """A payment with its risk, route, attempts and failovers."""
    if merchant:
        p = call("GET", f"/v1/admin/merchants/{merchant}/payments/{payment_id}", admin=True)
    elif as_merchant():
        p = call("GET", f"/v1/payments/{payment_id}", admin=False)
    else:
        raise CliError("which merchant's payment? give --merchant m_… (or a merchant API key)")
    emit_json(p) if as_json else details(p, f"payment {p['payment_id']}", PAYMENT_KEYS)


@payments_app.command("cancel")
@handled
def payments_cancel(payment_id: str, as_json: Json = False) -> None:
    """Cancel a PENDING payment (merchant API key)."""
    p = call("POST", f"/v1/payments/{payment_id}/cancel", admin=False)
    emit_json(p) if as_json else out.print(f"payment {p['payment_id']} is {p['status']}")


@payments_app.command("refund")
@handled
def payments_refund(payment_id: str, as_json: Json = False) -> None:
    """Refund a CONFIRMED payment through the provider's reversal (merchant API key)."""
    p = call("POST", f"/v1/payments/{payment_id}/refund", admin=False)
    emit_json(p) if as_json else out.print(f"payment {p['payment_id']} is {p['status']}")


# ---- settlement -------------------------------------------------------------------------------------
FINAL_JOB = ("COMPLETED", "FAILED", "CANCELLED")


def _job_path(job_id: str | None = None) -> tuple[str, bool]:
    admin = not as_merchant()
    base = "/v1/admin/settlements" if admin else "/v1/settlements"
    return (f"{base}/{job_id}" if job_id else base), admin


def follow(obj: dict, noun: str, id_key: str, unit: str, path: str, admin: bool, final: set | frozenset,
           poll: float, timeout: float, quiet: bool) -> dict:
    """Poll a background job at ``path`` (a settlement job's slices, a reconciliation run's shards:
    ``<unit>_done`` of ``<unit>_total``) until its status is in ``final``, with the progress bar every
    tool shows (:func:`infra.cli.progress.bar`) on stderr. Raises CliError after ``timeout`` seconds."""
    done, total = f"{unit}_done", f"{unit}_total"
    deadline = time.monotonic() + timeout
    with progress.bar(unit, console=err, disable=quiet) as bar:
        task = bar.add_task(f"{obj[id_key]} {obj['status']}", total=max(obj[total], 1), completed=obj[done])
        while obj["status"] not in final:
            if time.monotonic() > deadline:
                raise CliError(f"{noun} {obj[id_key]} still {obj['status']} after {timeout:.0f} s "
                               f"({obj[done]}/{obj[total]} {unit})")
            time.sleep(poll)
            obj = call("GET", path, admin=admin)
            bar.update(task, total=max(obj[total], 1), completed=obj[done],
                       description=f"{obj[id_key]} {obj['status']}")
    return obj


def saved_report(obj: dict, id_key: str, output: Path | None) -> dict:
    """``{"csv": path, "bytes": n}`` once a COMPLETED job's report is downloaded to ``output``
    (default ``./<id>.csv``); both None when it has none."""
    if obj["status"] != "COMPLETED" or not obj.get("download_url"):
        return {"csv": None, "bytes": None}
    dest = output or Path(f"{obj[id_key]}.csv")
    return {"csv": str(dest), "bytes": download(obj["download_url"], dest)}


def download(url: str, dest: Path) -> int:
    """Save ``url`` (the job's presigned link) to ``dest``; returns its size in bytes."""
    with requests.get(url, timeout=State.options.get("timeout", 30.0), stream=True) as r:
        if r.status_code != 200:
            raise CliError(f"download of the CSV failed: {r.status_code} {r.text[:200]}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        with open(dest, "wb") as f:
            for chunk in r.iter_content(1 << 16):
                f.write(chunk)
                size += len(chunk)
    return size


@settlement_app.command("start")
@handled
def settlement_start(start: Annotated[str, typer.Option("--from", help="first UTC day (YYYY-MM-DD)")] = "",
                     end: Annotated[str, typer.Option("--to", help="last UTC day, inclusive (default --from)")] = "",
                     watch: Annotated[bool, typer.Option(help="follow its progress, then download the CSV")] = False,
                     output: Annotated[Optional[Path], typer.Option(
                         "--output", "-o", help="where the CSV goes (default ./<job id>.csv)")] = None,
                     idempotency_key: Annotated[Optional[str], typer.Option(help="a repeat with it is harmless")] = None,
                     poll: Annotated[float, typer.Option(help="seconds between looks")] = 0.5,
                     timeout: Annotated[float, typer.Option(help="give up watching after this many seconds")] = 3600,
                     as_json: Json = False) -> None:
    """Start a settlement over a window of days: every merchant's (admin) or the merchant's own (API key)."""
    start = start or date.today().isoformat()
    path, admin = _job_path()
    job = call("POST", path, {"from": start, "to": end or start}, admin=admin, idempotency_key=idempotency_key)
    if not watch:
        return emit_json(job) if as_json else out.print(f"settlement job {job['job_id']} is {job['status']}")
    job = follow(job, "settlement job", "job_id", "slices", _job_path(job["job_id"])[0], admin, FINAL_JOB, poll,
                 timeout, quiet=as_json)
    result = {"job": job} | saved_report(job, "job_id", output)
    if as_json:
        emit_json(result)
    elif result["csv"]:
        out.print(f"settlement job {job['job_id']} COMPLETED: {job.get('rows')} rows, totals {job.get('totals')}; "
                  f"CSV ({result['bytes']} bytes) saved to {result['csv']}")
    if job["status"] != "COMPLETED":
        raise CliError(f"settlement job {job['job_id']} ended {job['status']}"
                       + (f": {job['failure_reason']}" if job.get("failure_reason") else ""))


@settlement_app.command("show")
@handled
def settlement_show(job_id: str, as_json: Json = False) -> None:
    """A settlement job with its progress and, once complete, its download link."""
    path, admin = _job_path(job_id)
    job = call("GET", path, admin=admin)
    emit_json(job) if as_json else details(job, f"settlement {job_id}", [
        "job_id", "scope", "from", "to", "status", "slices_done", "slices_total", "progress", "rows", "totals",
        "failure_reason", "download_url", "created_at", "updated_at"])


# ---- reconciliation ---------------------------------------------------------------------------------
FINAL_RUN = ("COMPLETED", "FAILED", "CANCELLED")
RUN_COLUMNS = [("run", "run_id"), ("provider", "provider"), ("from", "from"), ("to", "to"), ("status", "status"),
               ("shards", "_shards"), ("rows", "rows"), ("breaks", "_breaks"), ("trigger", "trigger"),
               ("created", "created_at")]
RUN_KEYS = ["run_id", "provider", "from", "to", "source", "trigger", "status", "shards_done", "shards_total",
            "progress", "rows", "float", "failure_reason", "download_url", "created_at", "updated_at"]
EXCEPTION_COLUMNS = [("exception", "exception_id"), ("class", "class"), ("provider", "provider"),
                     ("status", "status"), ("transfer", "transfer_id"), ("merchant", "merchant_id"),
                     ("run", "run_id"), ("resolution", "resolution"), ("created", "created_at")]


def _runs(rows: list[dict]) -> list[dict]:
    return [r | {"_shards": f"{r['shards_done']}/{r['shards_total']}",
                 "_breaks": sum(n for c, n in (r.get("counts") or {}).items() if c != "matched")
                 if r.get("counts") else None} for r in rows]


def counts_table(run: dict) -> None:
    """A completed run's transfers per class (``float_drift``: 0 or 1)."""
    table([{"class": c, "count": n} for c, n in (run.get("counts") or {}).items()], [("class", "class"),
                                                                                    ("count", "count")],
          f"reconciliation {run['run_id']} by class")


@reconciliation_app.command("start")
@handled
def reconciliation_start(provider: Annotated[str, typer.Option(help="the connector whose books are compared")],
                         start: Annotated[str, typer.Option("--from", help="first UTC day (YYYY-MM-DD)")] = "",
                         end: Annotated[str, typer.Option("--to", help="last UTC day, inclusive (default --from)")] = "",
                         watch: Annotated[bool, typer.Option(help="follow its progress, then download the report "
                                                                  "CSV")] = False,
                         output: Annotated[Optional[Path], typer.Option(
                             "--output", "-o", help="where the CSV goes (default ./<run id>.csv)")] = None,
                         idempotency_key: Annotated[Optional[str], typer.Option(
                             help="a repeat with it is harmless")] = None,
                         poll: Annotated[float, typer.Option(help="seconds between looks")] = 0.5,
                         timeout: Annotated[float, typer.Option(help="give up watching after this many seconds")] = 3600,
                         as_json: Json = False) -> None:
    """Start a reconciliation of one provider's books against the ledger over a window of days (admin)."""
    start = start or date.today().isoformat()
    run = call("POST", "/v1/admin/reconciliations", {"provider": provider, "from": start, "to": end or start},
               admin=True, idempotency_key=idempotency_key)
    if not watch:
        return emit_json(run) if as_json else out.print(f"reconciliation run {run['run_id']} is {run['status']}")
    run = follow(run, "reconciliation run", "run_id", "shards", f"/v1/admin/reconciliations/{run['run_id']}", True,
                 FINAL_RUN, poll, timeout, quiet=as_json)
    result = {"run": run} | saved_report(run, "run_id", output)
    if as_json:
        emit_json(result)
    elif run["status"] == "COMPLETED":
        counts_table(run)
        out.print(f"reconciliation run {run['run_id']} COMPLETED: {run.get('rows')} transfers"
                  + (f"; CSV ({result['bytes']} bytes) saved to {result['csv']}" if result["csv"] else ""))
    if run["status"] != "COMPLETED":
        raise CliError(f"reconciliation run {run['run_id']} ended {run['status']}"
                       + (f": {run['failure_reason']}" if run.get("failure_reason") else ""))


@reconciliation_app.command("show")
@handled
def reconciliation_show(run_id: str, as_json: Json = False) -> None:
    """A reconciliation run with its progress, counts per class and, once complete, its report link."""
    run = call("GET", f"/v1/admin/reconciliations/{run_id}", admin=True)
    if as_json:
        return emit_json(run)
    details(run, f"reconciliation {run_id}", RUN_KEYS)
    if run.get("counts"):
        counts_table(run)


@reconciliation_app.command("list")
@handled
def reconciliation_list(provider: Annotated[Optional[str], typer.Option(help="only this provider's")] = None,
                        limit: Limit = 20, as_json: Json = False) -> None:
    """Reconciliation runs, newest first, with their breaks (transfers not matched)."""
    data = call("GET", "/v1/admin/reconciliations", admin=True, params={"provider": provider, "limit": limit})
    if as_json:
        return emit_json(data)
    table(_runs(data["data"]), RUN_COLUMNS, "reconciliation runs")
    if data.get("has_more"):
        out.print("(more: narrow with --provider, or raise --limit)")


@reconciliation_app.command("exceptions")
@handled
def reconciliation_exceptions(cls: Annotated[Optional[str], typer.Option(
                                  "--class", help="missing_at_provider, unknown_to_payrail, paid_after_release, "
                                                  "amount_mismatch, currency_mismatch, status_mismatch, float_drift")] = None,
                              provider: Annotated[Optional[str], typer.Option(help="only this provider's")] = None,
                              status_: Annotated[Optional[str], typer.Option("--status", help="open or resolved")] = None,
                              limit: Limit = 20, as_json: Json = False) -> None:
    """The breaks reconciliation runs found, newest first (admin)."""
    data = call("GET", "/v1/admin/reconciliation_exceptions", admin=True,
                params={"class": cls, "provider": provider, "status": status_, "limit": limit})
    if as_json:
        return emit_json(data)
    table(data["data"], EXCEPTION_COLUMNS, "reconciliation exceptions")
    if data.get("has_more"):
        out.print("(more: narrow with --class, --provider or --status, or raise --limit)")


@reconciliation_app.command("resolve")
@handled
def reconciliation_resolve(exception_id: str,
                           resolution: Annotated[str, typer.Option(help="receivable, write_off, reverse_capture or "
                                                                        "acknowledge")],
                           reason: Annotated[str, typer.Option(help="why, for the audit trail")],
                           as_json: Json = False) -> None:
    """Resolve a reconciliation exception; receivable, write_off and reverse_capture post one journal."""
    e = call("POST", f"/v1/admin/reconciliation_exceptions/{exception_id}/resolve",
             {"resolution": resolution, "reason": reason}, admin=True)
    emit_json(e) if as_json else out.print(f"exception {e['exception_id']} is {e['status']} ({e.get('resolution')}"
                                           + (f", journal {e['journal_id']}" if e.get("journal_id") else "") + ")")


# ---- queues and DLQs --------------------------------------------------------------------------------
@dlq_app.command("list")
@handled
def dlq_list(as_json: Json = False) -> None:
    """Every queue's depth and its DLQ's (admin)."""
    data = call("GET", "/v1/admin/queues", admin=True)
    if as_json:
        return emit_json(data)
    table(data["data"], [("queue", "queue"), ("messages", "messages"), ("in flight", "in_flight"),
                         ("DLQ messages", "dlq.messages"), ("DLQ in flight", "dlq.in_flight"), ("DLQ", "dlq.url")],
          "queues")


@dlq_app.command("redrive")
@handled
def dlq_redrive(queue: str, max_per_second: Annotated[Optional[int], typer.Option(
        min=1, max=500, help="messages moved per second at most")] = None, as_json: Json = False) -> None:
    """Move a queue's DLQ messages back to the queue (SQS StartMessageMoveTask; admin)."""
    r = call("POST", f"/v1/admin/queues/{queue}/redrive",
             {"max_per_second": max_per_second} if max_per_second else None, admin=True)
    emit_json(r) if as_json else out.print(f"moving {r['messages']} message(s) from {queue}'s DLQ back to {queue} "
                                           f"(task {r['task_handle']})")


# ---- the ledger ------------------------------------------------------------------------------------
@ledger_app.command("audit")
@handled
def ledger_audit(as_json: Json = False) -> None:
    """Audit the whole ledger (admin); exit status 1 when a check fails."""
    with progress.status("auditing the ledger …", console=err, disable=as_json):
        a = call("GET", "/v1/admin/ledger/audit", admin=True)
    if as_json:
        emit_json(a)
    else:
        out.print(f"ledger {'ok' if a['ok'] else 'NOT OK'}: {a['journals']} journals, {a['accounts']} accounts, "
                  f"{a['postings']} postings; totals by currency {a['total_by_currency']}")
        for k in ("unbalanced_journals", "account_mismatches", "orphan_postings"):
            if a[k]:
                out.print(f"{k}: {', '.join(a[k][:50])}" + (" …" if len(a[k]) > 50 else ""))
    if not a["ok"]:
        raise CliError("the ledger audit found problems")


# ---- the admin token ----------------------------------------------------------------------------------
@app.command("admin-token")
@handled
def admin_token(token: Annotated[Optional[str], typer.Option(help="hash this token instead of a new one")] = None,
                as_json: Json = False) -> None:
    """Generate an admin token and print it with its SHA-256 (the stack's ADMIN_TOKEN_SHA256)."""
    token = token or secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    if as_json:
        return emit_json({"token": token, "sha256": digest})
    typer.echo(f"token:  {token}\nsha256: {digest}\n"
               "Keep the token secret; deploy with -c payrail:ADMIN_TOKEN_SHA256=<sha256> (docs/deploy.md).")


from infra.cli import hooks  # noqa: E402,F401 - registers listen and trigger

if __name__ == "__main__":
    app()
