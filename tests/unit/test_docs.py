"""The documentation says what the code is: the README's architecture picture names exactly the
catalog's resources and what feeds each function, every `make` target is in the README, the API
reference lists every operation of the OpenAPI document, relative links resolve, every measured
figure carries its date, commit and machine, and nothing speaks of the project's internal work."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra import catalog

ROOT = catalog.ROOT
README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOC_FILES = [README, *sorted(DOCS.glob("*.md"))]

#: the picture's sections, by the start of their header line, and the catalog they must equal
SECTIONS = {"functions/": "functions", "state machines": "state machines", "queues": "queues",
            "schedules": "schedules", "tables": "tables"}
CATALOG = {"functions": catalog.FUNCTIONS, "state machines": catalog.STATE_MACHINES, "queues": catalog.QUEUES,
           "schedules": catalog.SCHEDULES, "tables": catalog.TABLES}
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a Markdown text (up to the next ``## ``)."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"no '## {heading}' section"
    return m.group(1)


def picture(text: str | None = None) -> dict[str, dict[str, str]]:
    """The README's architecture picture: section -> {name: its row (continuation lines joined)}.

    A section starts at an unindented line naming it (``functions/…``, ``state machines …``); its
    rows are lines indented by two spaces, the name first, then two or more spaces and the row's
    text; a line indented deeper continues the row above. Any other unindented line ends a section.
    """
    body = section(README.read_text() if text is None else text, "Architecture")
    m = re.search(r"^```\n(.*?)^```", body, re.M | re.S)
    assert m, "the Architecture section has no picture"
    out: dict[str, dict[str, str]] = {kind: {} for kind in SECTIONS.values()}
    kind = row = None
    for line in m.group(1).splitlines():
        if not line.startswith(" "):
            kind = next((k for start, k in SECTIONS.items() if line.startswith(start)), None)
            row = None
        elif kind and (r := re.match(r"^  (\S+) {2,}(\S.*)$", line)):
            row = r.group(1)
            assert row not in out[kind], f"{row} twice in the picture's {kind}"
            out[kind][row] = r.group(2)
        elif kind and row and re.match(r"^ {3,}\S", line):
            out[kind][row] += " " + line.strip()
    return out


def test_readme_is_a_guide_read_in_ten_minutes():
    lines = README.read_text().splitlines()
    assert len(lines) <= 350, f"README.md has {len(lines)} lines; move the detail into docs/"
    headings = [line for line in lines if line.startswith("## ")]
    for h in ("## Two commands", "## Try it", "## Architecture", "## The rules of money",
              "## Where each product lives", "## Adding a connector", "## Deploying"):
        assert h in headings


def test_readme_keeps_the_two_commands():
    block = section(README.read_text(), "Two commands")
    assert re.search(r"^make up +# ", block, re.M) and re.search(r"^make test +# ", block, re.M)


def test_every_make_target_is_in_the_readme():
    readme = README.read_text()
    ci = re.findall(r"^\s*make ([\w-]+)", (ROOT / ".ci" / "run").read_text(), re.M)
    assert ci, ".ci/run runs no make target"
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    missing = [t for t in dict.fromkeys(ci + phony) if not re.search(rf"`make {re.escape(t)}[`\s]", readme)]
    assert not missing, f"make targets the README does not name: {missing}"


@pytest.mark.parametrize("kind", list(CATALOG))
def test_the_architecture_picture_names_exactly_the_catalog(kind):
    shown, declared = set(picture()[kind]), set(CATALOG[kind])
    assert shown == declared, (f"{kind}: in infra/catalog.py but not in the README's picture: "
                               f"{sorted(declared - shown)}; in the picture but not in the catalog: "
                               f"{sorted(shown - declared)}")


def test_the_picture_shows_what_feeds_each_function():
    pic = picture()
    fns, queues, tables, schedules = pic["functions"], pic["queues"], pic["tables"], pic["schedules"]
    feeds: dict[str, list[str]] = {f: [] for f in catalog.FUNCTIONS}
    for fn in catalog.FUNCTIONS.values():
        if fn.http:
            feeds[fn.id].append("HTTP:")
        if fn.sqs:
            feeds[fn.id].append(f"queue {fn.sqs.queue}:")
            assert re.match(rf"→ {fn.id}\b", queues[fn.sqs.queue]), f"queue {fn.sqs.queue} feeds {fn.id}"
        if fn.stream:
            feeds[fn.id].append(f"stream of {fn.stream.table} ")
            assert f"stream to {fn.id}" in tables[fn.stream.table], f"table {fn.stream.table}'s stream feeds {fn.id}"
    for s in catalog.SCHEDULES.values():
        target = f"sm {s.state_machine}" if s.state_machine else s.function
        assert re.search(rf"→ {target}$", schedules[s.id]), f"schedule {s.id} -> {target}"
        if s.function:
            feeds[s.function].append(f"schedule {s.id}:")
        minute, hour = s.cron.split()[:2]
        if hour == "*":
            when = "every minute" if minute == "*" else f"every {int(minute.removeprefix('*/'))} min"
        else:
            when = f"{int(hour):02d}:{int(minute):02d} daily"
        assert schedules[s.id].startswith(when), f"schedule {s.id} runs {when} ({s.cron})"
    for m in catalog.STATE_MACHINES.values():
        for fid in set(m.functions.values()):
            feeds[fid].append(f"tasks of sm {m.id}:")
            assert f"({fid})" in pic["state machines"][m.id], f"state machine {m.id} runs {fid}"
    for fid, sources in feeds.items():
        assert sources, f"nothing feeds function {fid} in the catalog"
        assert any(fns[fid].startswith(src) for src in sources), \
            f"the picture's row of {fid} must start with what feeds it, one of {sources}: {fns[fid]!r}"


def test_the_picture_check_fails_on_a_missing_function():
    """The picture test is not vacuous: a picture without a catalog function does not match it."""
    text = README.read_text()
    row = next(line for line in text.splitlines() if line.startswith("  payout_steps "))
    assert "payout_steps" not in picture(text.replace(row + "\n", ""))["functions"]
    assert "payout_steps" in picture(text)["functions"]


def openapi_operations() -> set[str]:
    doc = json.loads((ROOT / "functions" / "api" / "openapi.json").read_text())
    return {f"{method.upper()} {path}" for path, ops in doc["paths"].items() for method in ops
            if method in ("get", "post", "put", "patch", "delete")}


def test_the_api_reference_lists_every_operation_of_the_openapi_document():
    listed = set(re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /[^`\s]*)`",
                            section((DOCS / "api.md").read_text(), "Every operation")))
    documented = openapi_operations()
    assert listed == documented, (f"in openapi.json but not in docs/api.md: {sorted(documented - listed)}; "
                                  f"in docs/api.md but not in openapi.json: {sorted(listed - documented)}")


def slugs(text: str) -> set[str]:
    """GitHub's anchors for a Markdown text's headings (lower case, punctuation dropped, spaces to
    dashes, ``-1``, ``-2`` … for repeats)."""
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", FENCE.sub("", doc.read_text())):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            broken.append(target)
        elif anchor and (file.is_dir() or anchor not in slugs(file.read_text())):
            broken.append(target)
    assert not broken, f"{doc.name}: links to nothing: {broken}"


def test_every_measured_figure_carries_its_date_commit_and_machine():
    text = FENCE.sub("", (DOCS / "benchmarks.md").read_text())
    tables = re.findall(r"^(\|.+\|\n\|[-| ]+\|\n(?:\|.+\|\n?)+)", text, re.M)
    assert tables, "docs/benchmarks.md has no table"
    for table in tables:
        header, _, *rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.strip().splitlines()]
        assert {"date", "commit", "machine"} <= set(header), f"a table without date, commit and machine: {header}"
        at = {name: header.index(name) for name in ("date", "commit", "machine")}
        for row in rows:
            assert len(row) == len(header), row
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[at["date"]]), row
            assert re.fullmatch(r"[0-9a-f]{7,40}", row[at["commit"]]), row
            assert row[at["machine"]], row


def test_measured_figures_stay_out_of_the_readme():
    readme = README.read_text()
    assert not re.search(r"\b(orders/s|p50|p99|passed in|ratio \d)", readme), "figures belong in docs/benchmarks.md"


#: words that name the project's internal work instead of the product (patterns written so that
#: they do not match themselves)
INTERNAL = re.compile(r"\b[Ii]ssues? #?[0-9]+|\b[Ss]eed[ -][0-9]{3}\b|\bwork[ ]items?\b", re.I)
SCANNED = ("functions", "layers", "infra", "tests", "docs", "events")


def test_no_document_docstring_or_test_names_internal_work_items():
    files = [README] + [p for d in SCANNED for p in (ROOT / d).rglob("*")
                        if p.suffix in (".py", ".md", ".json") and p.is_file()]
    hits = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in files
            for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if INTERNAL.search(line)]
    assert not hits, "say what the code does instead:\n" + "\n".join(hits)
