"""Readiness gate: the go/no-go checklists in the governance docs, held to the release stage.

`readiness.toml` lists every checklist item (id, doc, group, kind) and the current `stage`.
The docs carry the items as task-list lines under `## Readiness checklist`:

    ### Serving & Reliability

    - [ ] **Must** Shadow or canary before any 100% rollout. <!-- rd:serving.canary -->

prototype reports only; beta needs every Must item of the groups in BETA_GROUPS ticked;
production needs every Must item ticked. Malformed docs or manifest entries are reported
one line each and fail the gate whatever the stage.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "readiness.toml"
STAGES = ("prototype", "beta", "production")
KINDS = ("must", "strong")
# Groups whose Must items block a beta: what protects users and lets us roll back.
BETA_GROUPS = frozenset({"Security, Privacy & Compliance", "Serving & Reliability"})

HEADING = "## Readiness checklist"
# Any Markdown bullet; evidence (a link, a PR number) may follow the marker on the line.
ITEM = re.compile(
    r"^ {0,3}[-*+] \[(?P<tick>[ xX])\] \*\*(?P<kind>Must|Strong)\*\* (?P<text>.*?)\s*"
    r"<!-- rd:(?P<id>[a-z0-9][a-z0-9._-]*) -->.*$"
)
MARKER = re.compile(r"<!--\s*rd:\s*([A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Item:
    id: str
    doc: str
    group: str
    kind: str


@dataclass(frozen=True)
class Found:
    """An item as written in its doc."""

    id: str
    doc: str
    group: str
    kind: str
    ticked: bool
    line: int


class ReadinessError(Exception):
    """The manifest itself is unusable (missing, not TOML, bad stage)."""


def load_manifest(root: Path) -> tuple[str, list[Item], list[str]]:
    """The stage, the items, and one message per malformed item entry."""
    path = root / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReadinessError(f"{MANIFEST}: file not found") from None
    except UnicodeDecodeError:
        raise ReadinessError(f"{MANIFEST}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ReadinessError(f"{MANIFEST}: invalid TOML ({error})") from None
    stage = data.get("stage")
    if stage is None:
        raise ReadinessError(f"{MANIFEST}: no `stage = ...` line ({', '.join(STAGES)})")
    if stage not in STAGES:
        raise ReadinessError(f"{MANIFEST}: stage {stage!r} is not one of {', '.join(STAGES)}")
    raw_items = data.get("item", [])
    if not isinstance(raw_items, list) or not raw_items:
        raise ReadinessError(f"{MANIFEST}: no [[item]] entries")
    items: list[Item] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_items, 1):
        if not isinstance(raw, dict):
            problems.append(f"{MANIFEST}: item #{number} is not an [[item]] table")
            continue
        fields = {key: raw.get(key) for key in ("id", "doc", "group", "kind")}
        bad = [key for key, value in fields.items() if not isinstance(value, str) or not value]
        if bad:
            problems.append(f"{MANIFEST}: item #{number} lacks a string {', '.join(bad)}")
            continue
        item = Item(**{key: str(value) for key, value in fields.items()})
        if item.kind not in KINDS:
            problems.append(f"{MANIFEST}: item {item.id}: kind {item.kind!r} is not must or strong")
        elif item.id in seen:
            problems.append(f"{MANIFEST}: duplicate id {item.id}")
        else:
            seen.add(item.id)
            items.append(item)
    return stage, items, problems


def parse_doc(root: Path, doc: str, mentioned: set[str]) -> tuple[list[Found], list[str]]:
    """The checklist items of one doc, and one message per malformed line.

    Ids named on malformed lines are added to `mentioned`, so they are not also reported
    as missing.
    """
    path = root / doc
    if not path.is_file():
        return [], [f"{doc}: file not found (it holds readiness items)"]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        return [], [f"{doc}: not UTF-8 text (byte {error.start})"]
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == HEADING)
    except StopIteration:
        return [], [f"{doc}: no '{HEADING}' heading; the gate reads items under it"]
    found: list[Found] = []
    problems: list[str] = []
    group = ""
    for index in range(start + 1, len(lines)):
        line, number = lines[index], index + 1
        if line.startswith("## "):
            break
        if line.startswith("### "):
            group = line[4:].strip()
            continue
        match = ITEM.match(line)
        if match:
            if not group:
                problems.append(f"{doc}:{number}: item {match['id']} is not under a ### group")
                continue
            ticked = match["tick"] != " "
            kind = match["kind"].lower()
            found.append(Found(match["id"], doc, group, kind, ticked, number))
        elif marker := MARKER.search(line):  # lines without a marker are the team's own
            if marker[1]:
                mentioned.add(marker[1])
            problems.append(
                f"{doc}:{number}: malformed checklist line; expected "
                "'- [ ] **Must|Strong** text <!-- rd:ID -->'"
            )
    if not found and not problems:
        problems.append(f"{doc}: '{HEADING}' has no items")
    return found, problems


def check(root: Path) -> tuple[str, list[Item], dict[str, Found], list[str]]:
    """Cross-check the manifest with the docs: every item exactly once, where it says."""
    stage, items, problems = load_manifest(root)
    found: dict[str, Found] = {}
    reported: set[str] = set()  # ids already named in a problem: no second message
    manifest = {item.id: item for item in items}
    for doc in dict.fromkeys(item.doc for item in items):
        entries, doc_problems = parse_doc(root, doc, reported)
        problems += doc_problems
        if doc_problems and not entries:
            reported |= {item.id for item in items if item.doc == doc}
        for entry in entries:
            where = f"{entry.doc}:{entry.line}"
            item = manifest.get(entry.id)
            reported.add(entry.id)
            if entry.id in found:
                problems.append(f"{where}: duplicate id {entry.id}")
            elif item is None:
                problems.append(f"{where}: unknown id {entry.id} (not in {MANIFEST})")
            elif item.doc != entry.doc:
                problems.append(f"{where}: {entry.id} belongs in {item.doc}")
            elif item.group != entry.group:
                problems.append(f"{where}: {entry.id} is under '{entry.group}', not '{item.group}'")
            elif item.kind != entry.kind:
                problems.append(f"{where}: {entry.id} is marked {entry.kind}, not {item.kind}")
            else:
                found[entry.id] = entry
    for item in items:
        if item.id not in reported:
            problems.append(
                f"{item.doc}: item {item.id} is missing (its '<!-- rd:{item.id} -->' line "
                "was removed or edited beyond recognition)"
            )
    return stage, items, found, problems


def blocking(stage: str, items: Sequence[Item], found: dict[str, Found]) -> list[Item]:
    """The unticked items the stage does not allow."""
    if stage == "prototype":
        return []
    return [
        item
        for item in items
        if item.kind == "must"
        and not found[item.id].ticked
        and (stage == "production" or item.group in BETA_GROUPS)
    ]


def report(stage: str, items: Sequence[Item], found: dict[str, Found]) -> list[str]:
    """Ticked/total per doc and group, with Must and Strong counted apart."""
    lines = [f"{'doc':28} {'group':34} {'must':>7} {'strong':>7}"]
    keys = dict.fromkeys((item.doc, item.group) for item in items)
    for doc, group in keys:
        counts = []
        for kind in KINDS:
            members = [i for i in items if (i.doc, i.group, i.kind) == (doc, group, kind)]
            ticked = sum(found[i.id].ticked for i in members)
            counts.append(f"{ticked}/{len(members)}" if members else "-")
        lines.append(f"{doc:28} {group:34} {counts[0]:>7} {counts[1]:>7}")
    for kind in KINDS:
        members = [i for i in items if i.kind == kind]
        if members:  # an L3 project has no Strong items: no "0/0" line
            ticked = sum(found[i.id].ticked for i in members)
            lines.append(f"{kind.capitalize()} items ticked: {ticked}/{len(members)}")
    return lines


def run(root: Path, min_stage: str = "prototype") -> int:
    """Exit code: 0 go, 1 no-go (unticked blockers or a stage below `min_stage`), 2 bad input."""
    try:
        stage, items, found, problems = check(root)
    except ReadinessError as error:
        print(f"readiness: error: {error}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(f"readiness: error: {problem}", file=sys.stderr)
        print(f"readiness: {len(problems)} problem(s) in the checklists; fix them first")
        return 2
    print("\n".join(report(stage, items, found)))
    if STAGES.index(stage) < STAGES.index(min_stage):
        print(
            f"readiness: NO-GO: stage {stage} is below {min_stage}, which this run requires; "
            f"raise `stage` in {MANIFEST} once its items are ticked"
        )
        return 1
    blockers = blocking(stage, items, found)
    for item in blockers:
        entry = found[item.id]
        print(f"BLOCKING {item.id} ({item.group}) unticked at {entry.doc}:{entry.line}")
    if blockers:
        scope = (
            "every Must item"
            if stage == "production"
            else "Must items of " + ", ".join(sorted(BETA_GROUPS))
        )
        print(f"readiness: NO-GO for stage {stage}: {len(blockers)} unticked ({scope})")
        return 1
    note = " (prototype: report only)" if stage == "prototype" else ""
    print(f"readiness: GO for stage {stage}{note}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "readiness", help="go/no-go: checklist items ticked in the docs vs the release stage"
    )
    parser.add_argument("--root", type=Path, default=Path(), help="project root (default: .)")
    parser.add_argument(
        "--min-stage",
        choices=STAGES,
        default="prototype",
        help="fail unless readiness.toml declares at least this stage (releases use beta)",
    )
    parser.set_defaults(handler=lambda args: run(args.root, args.min_stage))
