"""Governance docs: checklist tables, section selection and rendered output.

Renders the template in-process (working tree, uncommitted changes included) and
caches each distinct set of answers for the whole module.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy

Render = Callable[..., dict[str, str]]

ROOT = Path(__file__).resolve().parents[1]
INCLUDES = ROOT / "template" / "_includes"

TRACKS = ["applied-ml", "platform", "genai-rag", "rl", "vision", "edge", "search"]
LEVELS = ["L3", "L4", "L5", "L6"]
CAPABILITIES = ["genai", "rl", "edge", "vision"]
DEFAULT_CAPS = {"genai-rag": ["genai"], "rl": ["rl"], "edge": ["edge"], "vision": ["vision"]}
DOCS = {
    "design_doc": "docs/design_doc.md",
    "eval_pack": "docs/eval_pack.md",
    "runbook": "ops/runbook.md",
    "safety_checklist": "safety/safety_checklist.md",
    "cost_dashboard_spec": "cost/cost_dashboard_spec.md",
    "registries": "versioning/registries.md",
    "model_card": "docs/model_card.md",
    "data_card": "docs/data_card.md",
}
OUTPUTS = [*DOCS.values(), "docs/adr/0001-record-architecture-decisions.md", "readiness.toml"]
# Code the docs describe, and the other files that talk about releases, read next to them
# (a glob: the package directory varies).
CODE = {
    "registry.py": "src/*/supply_chain/registry.py",
    "registry.schema.json": "versioning/registry.schema.json",
    "evals/config.toml": "evals/config.toml",
    "README.md": "README.md",
    "SECURITY.md": "SECURITY.md",
    "security/signing.toml": "security/signing.toml",
}
GROUPS = {
    "Documentation & Decisions",
    "Data",
    "RAG",
    "Search & Retrieval",
    "Training",
    "Evaluation",
    "Vision & Perception",
    "Edge & On-device",
    "Serving & Reliability",
    "Cost & FinOps",
    "Security, Privacy & Compliance",
    "Human Factors",
    "Reinforcement Learning",
    "Versioning & Provenance",
}
ITEM_KEYS = {"id", "doc", "group", "level", "kind", "scope", "text"}
SECTION_KEYS = {"title", "body", "scope", "exclude", "level"}
FILTERS = {
    "sensitivity": ("data_sensitivity", {"public", "internal", "personal"}),
    "risk": ("ai_act_risk", {"minimal", "limited", "high"}),
    "signing": ("signing", {"keyless", "key", "none"}),
    "ci": ("ci_provider", {"github", "gitlab", "none"}),
}
BASE = {
    "data_sensitivity": "internal",
    "ai_act_risk": "minimal",
    "signing": "keyless",
    "ci_provider": "github",
}
ITEM_LINE = re.compile(
    r"^- \[ \] \*\*(Must|Strong)\*\* (\S.*\S) <!-- rd:([a-z0-9][a-z0-9.-]*) -->$"
)

# Hand-written content each track (or capability) must bring, per doc. `True` marks
# strings that no other track or capability may produce.
MARKERS: dict[str, list[tuple[str, str, bool]]] = {
    "applied-ml": [
        ("docs/design_doc.md", "## Modelling and experiment plan", True),
        ("docs/eval_pack.md", "## Product-model metrics", True),
        ("docs/eval_pack.md", "calibrated (reliability diagram, ECE)", True),
    ],
    "platform": [
        ("docs/design_doc.md", "## Service architecture and SLOs", True),
        ("docs/eval_pack.md", "## Load, resilience and SLO conformance", True),
        ("ops/runbook.md", "## SLOs and error budgets", False),
        ("ops/runbook.md", "| Availability | _99.5%_ | 28 days |", True),
        ("ops/runbook.md", "<!-- rd:serving.slo -->", True),
        ("cost/cost_dashboard_spec.md", "## Vendor cut-over thresholds", False),
        ("cost/cost_dashboard_spec.md", "<!-- rd:cost.vendor-cutover -->", True),
    ],
    "genai": [
        ("docs/design_doc.md", "## Retrieval and generation design", True),
        ("docs/eval_pack.md", "**`support_coverage`**", True),
        ("docs/eval_pack.md", "contains the claim text verbatim", True),
        ("docs/eval_pack.md", "an entailment check", True),
        ("docs/eval_pack.md", "**`faithfulness@k`**", True),
        ("docs/eval_pack.md", "**`abstain_recall`**", True),
        ("docs/eval_pack.md", "## LLM-as-judge hygiene", True),
        ("docs/eval_pack.md", "Pairwise comparisons", True),
        ("docs/eval_pack.md", "Fixed anchor examples", True),
        ("docs/eval_pack.md", "Confidence intervals on win-rates", True),
        ("docs/eval_pack.md", "Human agreement sampling", True),
        ("safety/safety_checklist.md", "## Prompt injection, tools and egress", True),
        ("versioning/registries.md", "## Prompts, retrievers and indices", True),
    ],
    "rl": [
        ("docs/design_doc.md", "## Decision problem (MDP) and safety envelope", True),
        ("safety/safety_checklist.md", "## Reward specification and safety constraints", True),
        ("docs/data_card.md", "## Offline RL datasets", True),
        ("docs/eval_pack.md", "## Off-policy evaluation (IPS, SNIPS, DR)", True),
        ("docs/eval_pack.md", "| FQE (sequential policies only) |", True),
        ("docs/eval_pack.md", "| 95% CI |", True),
        ("ops/runbook.md", "## Kill-switch and policy rollback", True),
        ("ops/runbook.md", "kill-switch", True),
        ("versioning/registries.md", "## Environments, policies and rewards", True),
    ],
    "edge": [
        ("docs/design_doc.md", "## Target devices and on-device budget", True),
        ("docs/eval_pack.md", "## On-device acceptance test", True),
        ("docs/eval_pack.md", "ms on the target device", True),
        ("docs/eval_pack.md", "## Quantisation deltas", True),
        ("versioning/registries.md", "Conversion (ONNX, Core ML, TFLite or GGUF)", True),
    ],
    "search": [
        ("docs/eval_pack.md", "## Retrieval metrics: Recall@k and NDCG", True),
        ("docs/eval_pack.md", "## Counterfactual evaluation with IPS", True),
        ("docs/eval_pack.md", "NDCG@k", True),
        ("docs/design_doc.md", "## Retrieval architecture", True),
    ],
    "vision": [
        ("docs/eval_pack.md", "## Detection and segmentation metrics", True),
        ("docs/eval_pack.md", "mAP@[.5:.95]", True),
        ("docs/eval_pack.md", "## Export parity", True),
        ("docs/design_doc.md", "## Perception pipeline", True),
    ],
}


# The members a release pins, per track with its default capabilities: the `--KIND` flags
# of the release command in ops/runbook.md and versioning/registries.md, in this order.
RELEASE_MEMBERS = {
    "applied-ml": ["model", "dataset"],
    "platform": ["model", "dataset"],
    "genai-rag": ["model", "prompt", "retriever", "index", "judge"],
    "rl": ["policy", "environment", "reward"],
    "vision": ["model", "dataset"],
    "edge": ["model", "dataset"],
    "search": ["model", "retriever", "index"],
}
RELEASE_LINE = re.compile(r"^uv run (\S+) release (\S+)((?: \S+ \S+)+)$", re.MULTILINE)
GATE_ROW = re.compile(r"^\| `([a-z]+)` \| `([^`]+)` \| \| \|$", re.MULTILINE)
KIND_ROW = re.compile(r"^\| [^|`]+ \| `([a-z-]+)` \| `([^`]+)` \| \| \| \|$", re.MULTILINE)
# Wording that belongs to GenAI/search projects (prompts, indices, judges) or to supervised
# learning on labelled rows, and must not leak into the docs of other projects.
GENAI_WORDING = [
    "prompt and index", "--prompt", "`prompt`", "### RAG", "Data & RAG", "judge", "indices",
]  # fmt: skip
RL_FREE_WORDING = ["label leakage", "label proxies", "inter-annotator", "judge"]
# Wording of one kind of project that must not reach others: (tokens any of which allow
# it, words). Tokens are the track and the capabilities.
TRACK_WORDING = [
    ({"genai-rag", "genai"}, ["tokenizer", "1k tokens", "retrieval-only"]),
    ({"rl"}, ["per episode"]),
    ({"applied-ml"}, ["weekly retained users"]),
]
# Each doc's checklist opens with its own group (the _core table in macros.jinja).
CORE_GROUP = {
    "docs/design_doc.md": "Documentation & Decisions",
    "docs/eval_pack.md": "Evaluation",
    "ops/runbook.md": "Serving & Reliability",
    "safety/safety_checklist.md": "Security, Privacy & Compliance",
    "cost/cost_dashboard_spec.md": "Cost & FinOps",
    "versioning/registries.md": "Versioning & Provenance",
    "docs/model_card.md": "Documentation & Decisions",
    "docs/data_card.md": "Data",
}
LEVEL_MARK = {"L5": "_Staff scope:_ ", "L6": "_Principal scope:_ "}
# GitHub-only wording: must not appear where CI is GitLab or absent.
GITHUB_WORDING = re.compile(
    r"\bgh (secret|attestation)|workflow|\.github/|release\.yml|build\.yml|GitHub", re.IGNORECASE
)
# Claims that CI signs or attests: must not appear where there is no CI.
CI_SIGNING_WORDING = re.compile(
    r"signed in CI|CI signs|CI emits|release job|attestations?\b(?! are produced)", re.IGNORECASE
)


def _load(name: str) -> Any:
    return yaml.safe_load((INCLUDES / name).read_text(encoding="utf-8"))


ITEMS: list[dict[str, Any]] = _load("items.yml")
SECTIONS: dict[str, list[dict[str, Any]]] = _load("sections.yml")


def applies(entry: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Python twin of the selection rule in macros.jinja."""
    tokens = {answers["track"], *answers["capabilities"]}
    scope = entry.get("scope", ["all"])
    if entry.get("level", "L3") > answers["level"]:
        return False
    if "all" not in scope and not tokens & set(scope):
        return False
    if tokens & set(entry.get("exclude", [])):
        return False
    filters = ((key, answer) for key, (answer, _) in FILTERS.items() if key in entry)
    return all(answers[answer] in entry[key] for key, answer in filters)


def full_answers(**answers: Any) -> dict[str, Any]:
    merged = {**BASE, "level": "L3", "track": "applied-ml", **answers}
    merged.setdefault("capabilities", DEFAULT_CAPS.get(merged["track"], []))
    return merged


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render once per distinct answers; return {relative path: text} of the governance outputs."""
    cache: dict[str, dict[str, str]] = {}

    def _render(**answers: Any) -> dict[str, str]:
        answers = {**BASE, **answers}
        key = json.dumps(answers, sort_keys=True)
        if key not in cache:
            dst = tmp_path_factory.mktemp("docs")
            run_copy(
                src_path=str(ROOT),
                dst_path=dst,
                data=answers,
                defaults=True,
                vcs_ref="HEAD",
                quiet=True,
                unsafe=False,
            )
            files = {rel: dst / rel for rel in OUTPUTS}
            for name, pattern in CODE.items():
                (files[name],) = dst.glob(pattern)
            cache[key] = {rel: path.read_text(encoding="utf-8") for rel, path in files.items()}
        return cache[key]

    return _render


def checklist_lines(text: str) -> Iterator[tuple[str, str]]:
    """Yield (group, line) for each task line under `## Readiness checklist`."""
    _, _, tail = text.partition("\n## Readiness checklist\n")
    group = ""
    in_comment = False
    for line in tail.splitlines():
        if in_comment:
            in_comment = "-->" not in line
            continue
        if line.startswith("<!--") and not line.startswith("<!-- rd:"):
            in_comment = "-->" not in line
            continue
        if line.startswith("### "):
            group = line[4:]
        elif line:
            yield group, line


# --- the data tables ---------------------------------------------------------


def every_answer_set() -> Iterator[dict[str, Any]]:
    """Every track x capability subset x filter answers (levels do not split variants)."""
    subsets = [
        list(c)
        for n in range(len(CAPABILITIES) + 1)
        for c in itertools.combinations(CAPABILITIES, n)
    ]
    filter_values = [sorted(allowed) for _, allowed in FILTERS.values()]
    for track, caps, values in itertools.product(
        TRACKS, subsets, itertools.product(*filter_values)
    ):
        answers = {
            answer: value for (answer, _), value in zip(FILTERS.values(), values, strict=True)
        }
        yield {**answers, "track": track, "capabilities": caps, "level": "L6"}


def check_variants_never_meet(variants: dict[str, list[dict[str, Any]]]) -> None:
    """Entries sharing a key (item id, section title) must never apply to the same answers."""
    shared = {key: entries for key, entries in variants.items() if len(entries) > 1}
    for answers in every_answer_set():
        for key, entries in shared.items():
            hits = [e for e in entries if applies(e, answers)]
            assert len(hits) <= 1, (key, answers["track"], answers["capabilities"], hits)


def test_item_table_is_well_formed() -> None:
    variants: dict[str, list[dict[str, Any]]] = {}
    for item in ITEMS:
        variants.setdefault(item["id"], []).append(item)
    for item_id, entries in variants.items():
        # Variants of one item differ in text and selection only: the gate sees one item.
        same = {(e["doc"], e["group"], e["level"], e["kind"]) for e in entries}
        assert len(same) == 1, (item_id, same)
    check_variants_never_meet(variants)
    tokens = {"all", *TRACKS, *CAPABILITIES}
    for item in ITEMS:
        assert set(item) <= {*ITEM_KEYS, "exclude", *FILTERS}, item
        assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", item["id"]), item["id"]
        assert item["doc"] in DOCS, item
        assert item["group"] in GROUPS, item
        assert item["level"] in LEVELS, item
        assert item["kind"] in {"must", "strong"}, item
        assert {"L3": "must", "L4": "strong"}.get(item["level"], item["kind"]) == item["kind"], item
        assert item["scope"], item
        assert set(item["scope"]) <= tokens, item
        assert set(item.get("exclude", [])) <= tokens, item
        for key, (_, allowed) in FILTERS.items():
            assert set(item.get(key, allowed)) <= allowed, item
        assert item["text"].strip(), item
        assert "\n" not in item["text"], item


def test_items_are_one_per_line() -> None:
    lines = (INCLUDES / "items.yml").read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line.startswith("- ")]
    assert len(entries) == len(ITEMS)
    assert all(line.startswith("- {id: ") and line.endswith("}") for line in entries)


def test_section_table_is_well_formed() -> None:
    tokens = {"all", *TRACKS, *CAPABILITIES}
    assert set(SECTIONS) == set(DOCS)
    for doc, sections in SECTIONS.items():
        assert sections, doc
        variants: dict[str, list[dict[str, Any]]] = {}
        for section in sections:
            variants.setdefault(section["title"], []).append(section)
        check_variants_never_meet(variants)
        for section in sections:
            assert set(section) <= {*SECTION_KEYS, *FILTERS}, (doc, section)
            assert section["title"].strip(), (doc, section)
            assert section["body"].strip(), (doc, section)
            assert set(section.get("scope", ["all"])) <= tokens, (doc, section)
            assert section.get("level", "L3") in LEVELS, (doc, section)
            for key, (_, allowed) in FILTERS.items():
                assert set(section.get(key, allowed)) <= allowed, (doc, section)


def test_data_files_hold_no_template_syntax() -> None:
    for name in ("items.yml", "sections.yml"):
        text = (INCLUDES / name).read_text(encoding="utf-8")
        assert not re.search(r"\{[{%#]", text), name


# --- rendered docs, full track x level matrix -----------------------------------


def check_whitespace(rel: str, text: str) -> None:
    assert text.endswith("\n"), rel
    assert not text.endswith("\n\n"), rel
    assert not text.startswith("\n"), rel
    assert "\n\n\n" not in text, f"{rel}: two blank lines in a row"
    trailing = [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip()]
    assert not trailing, f"{rel}: trailing whitespace on lines {trailing}"
    assert not re.search(r"\{[{%#]", text), f"{rel}: template syntax left in output"


def check_group_order_and_level_marks(out: dict[str, str]) -> None:
    """The doc's own group opens its checklist; Staff and Principal items say so."""
    levels = {i["id"]: i["level"] for i in ITEMS}
    for rel in DOCS.values():
        groups = [group for group, _ in checklist_lines(out[rel])]
        if CORE_GROUP[rel] in groups:
            assert groups[0] == CORE_GROUP[rel], f"{rel} opens with {groups[0]}"
        for _, line in checklist_lines(out[rel]):
            match = ITEM_LINE.match(line)
            assert match, line
            _, text, item_id = match.groups()
            mark = LEVEL_MARK.get(levels[item_id], "")
            assert text.startswith(mark) if mark else "_scope:_" not in text, line


def check_checklists_and_manifest(out: dict[str, str]) -> dict[str, dict[str, str]]:
    manifest = tomllib.loads(out["readiness.toml"])
    assert manifest["stage"] == "prototype"
    assert set(manifest) == {"stage", "item"}
    entries = manifest["item"]
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    by_id = {e["id"]: e for e in entries}
    found: dict[str, tuple[str, str, str]] = {}
    for rel in DOCS.values():
        text = out[rel]
        assert text.count("## Readiness checklist") <= 1
        head, _, _ = text.partition("\n## Readiness checklist\n")
        assert "<!-- rd:" not in head, f"{rel}: marker outside the checklist"
        kinds: dict[str, list[str]] = {}
        for group, line in checklist_lines(text):
            match = ITEM_LINE.match(line)
            assert match, f"{rel}: not a task line: {line!r}"
            kind, _, item_id = match.groups()
            assert item_id not in found, f"{item_id} rendered twice"
            found[item_id] = (rel, group, kind.lower())
            kinds.setdefault(group, []).append(kind)
        for group, sequence in kinds.items():
            assert sequence == sorted(sequence), f"{rel}: {group}: a Strong item before a Must"
    assert set(found) == set(by_id)
    for item_id, (rel, group, kind) in found.items():
        entry = by_id[item_id]
        assert set(entry) == {"id", "doc", "group", "kind"}
        assert (entry["doc"], entry["group"], entry["kind"]) == (rel, group, kind), item_id
        assert out[rel].count(f"<!-- rd:{item_id} -->") == 1
    return by_id


def check_selection(out: dict[str, str], answers: dict[str, Any]) -> None:
    expected_items = {i["id"] for i in ITEMS if applies(i, answers)}
    rendered = {e["id"] for e in tomllib.loads(out["readiness.toml"]).get("item", [])}
    assert rendered == expected_items
    for doc, sections in SECTIONS.items():
        text = out[DOCS[doc]]
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        expected = [s for s in sections if applies(s, answers)]
        for title in {s["title"] for s in sections}:
            want = sum(1 for s in expected if s["title"] == title)
            got = headings.count(f"## {title}")
            assert got == want, f"{DOCS[doc]}: '## {title}' expected {want}, got {got}"


def check_markers(out: dict[str, str], answers: dict[str, Any]) -> None:
    track_key = "genai" if answers["track"] == "genai-rag" else answers["track"]
    active = {track_key, *answers["capabilities"]}
    for key, markers in MARKERS.items():
        for rel, needle, exclusive in markers:
            if key in active:
                assert needle in out[rel], f"{answers['track']}: {rel} lacks {needle!r}"
            elif exclusive:
                hits = [r for r in DOCS.values() if needle in out[r]]
                where = f"{answers['track']}/{answers['level']}"
                assert not hits, f"{where}: {key} content {needle!r} in {hits}"


def cli_kinds(out: dict[str, str]) -> list[str]:
    """The registry kinds of the rendered CLI: `release` takes one `--KIND NAME@VERSION` each."""
    source = out["registry.py"]
    assert 'release.add_argument(f"--{kind}", action="append", metavar="NAME@VERSION")' in source
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["KINDS"]:
            return list(ast.literal_eval(node.value))
    raise AssertionError("no KINDS in the rendered registry.py")


def check_release_commands(out: dict[str, str], slug: str = "my-ml-project") -> list[str]:
    """The documented `release` commands parse with the rendered CLI; returns their kinds."""
    kinds = cli_kinds(out)
    patterns = json.loads(out["registry.schema.json"])["$defs"]
    name, version = patterns["name"]["pattern"], patterns["version"]["pattern"]

    def check_reference(value: str) -> None:
        """NAME@VERSION as the registry's schema accepts it."""
        member, at, member_version = value.partition("@")
        assert at, value
        assert re.search(name, member), value
        assert re.search(version, member_version), value

    shown = []
    for rel in ("ops/runbook.md", "versioning/registries.md"):
        commands = RELEASE_LINE.findall(out[rel])
        assert len(commands) == 1, f"{rel}: expected one release command, got {commands}"
        ((program, release, flags),) = commands
        assert program == slug, rel
        assert re.search(name, release), f"{rel}: release name {release!r}"
        words = flags.split()
        used = []
        for flag, value in zip(words[::2], words[1::2], strict=True):
            assert flag.removeprefix("--") in kinds, f"{rel}: `release` has no {flag}"
            assert flag.startswith("--"), flag
            check_reference(value)
            used.append(flag[2:])
        assert len(used) == len(set(used)), f"{rel}: a flag given twice"
        shown.append(used)
    assert shown[0] == shown[1], "runbook and registries show different releases"
    registered = KIND_ROW.findall(out["versioning/registries.md"])
    assert [kind for kind, _ in registered] == kinds, "the registry table lists other kinds"
    for _, example in registered:
        check_reference(example)
    return shown[0]


def check_metrics_match_the_gate(out: dict[str, str]) -> None:
    """Metric names in the eval pack and model card are the ones evals/config.toml gates on."""
    config = tomllib.loads(out["evals/config.toml"])
    gated = {(kit, metric) for kit, table in config["kits"].items() for metric in table["metrics"]}
    rows = GATE_ROW.findall(out["docs/eval_pack.md"])
    assert len(rows) == len(set(rows))
    assert set(rows) == gated
    front = yaml.safe_load(out["docs/model_card.md"].split("---\n")[1])
    names = {metric for _, metric in gated}
    reported = [m["type"] for m in front["model-index"][0]["results"][0]["metrics"]]
    assert reported == front["metrics"]
    assert set(reported) <= names, f"model card metrics {reported} not among {sorted(names)}"


def check_wording(out: dict[str, str], answers: dict[str, Any]) -> None:
    tokens = {answers["track"], *answers["capabilities"]}
    docs = {rel: out[rel] for rel in DOCS.values()}
    forbidden = []
    if not tokens & {"genai-rag", "genai", "search"}:
        forbidden += GENAI_WORDING
    if tokens == {"rl"}:
        forbidden += RL_FREE_WORDING
    for allowed, words in TRACK_WORDING:
        if not tokens & allowed:
            forbidden += words
    for rel, text in docs.items():
        hits = [word for word in forbidden if word in text]
        assert not hits, f"{answers['track']}: {rel} says {hits}"
        # Level asides only at their level; every nox call as the README runs it.
        if answers["level"] < "L5":
            assert "Staff scope" not in text, rel
        if answers["level"] < "L6":
            assert "Principal scope" not in text, rel
    for rel in [*DOCS.values(), "README.md", "SECURITY.md"]:
        assert "artefact" not in out[rel].lower(), f"{rel}: 'artefact' (the code says artifact)"
    for rel in [*DOCS.values(), "readiness.toml"]:
        assert not re.search(r"(?<!uvx )\bnox -s", out[rel]), f"{rel}: `nox -s` without uvx"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("track", TRACKS)
def test_matrix(render: Render, track: str, level: str) -> None:
    out = render(track=track, level=level)
    answers = full_answers(track=track, level=level)
    for rel in OUTPUTS:
        check_whitespace(rel, out[rel])
    check_checklists_and_manifest(out)
    check_group_order_and_level_marks(out)
    check_selection(out, answers)
    check_markers(out, answers)
    check_wording(out, answers)
    check_metrics_match_the_gate(out)
    assert check_release_commands(out) == RELEASE_MEMBERS[track]
    front = yaml.safe_load(out["docs/model_card.md"].split("---\n")[1])
    assert front["license"]
    assert front["language"] == ["en"]
    assert track in front["tags"]
    assert front["model-index"][0]["results"][0]["metrics"]
    if "edge" in answers["capabilities"]:
        assert "p95 ≤ 50 ms on the target device" in out["docs/eval_pack.md"]


@pytest.mark.parametrize("track", TRACKS)
def test_item_counts_grow_strictly_with_level(render: Render, track: str) -> None:
    manifests = [
        tomllib.loads(render(track=track, level=lv)["readiness.toml"])["item"] for lv in LEVELS
    ]
    counts = [len(items) for items in manifests]
    assert counts == sorted(set(counts)), counts
    for lv, items in zip(LEVELS, manifests, strict=True):
        kinds = {e["kind"] for e in items}
        assert kinds == ({"must"} if lv == "L3" else {"must", "strong"})


# --- answers other than track and level -----------------------------------------


@pytest.mark.parametrize(
    ("track", "capabilities", "brought"),
    [
        ("applied-ml", ["genai"], "genai"),
        ("platform", ["rl"], "rl"),
        ("search", ["edge"], "edge"),
        ("rl", ["rl", "vision"], "vision"),
    ],
)
def test_capability_brings_its_sections(
    render: Render, track: str, capabilities: list[str], brought: str
) -> None:
    out = render(track=track, level="L4", capabilities=capabilities, latency_budget_ms=120)
    answers = full_answers(track=track, level="L4", capabilities=capabilities)
    check_checklists_and_manifest(out)
    check_selection(out, answers)
    check_markers(out, answers)
    check_wording(out, answers)
    check_metrics_match_the_gate(out)
    members = check_release_commands(out)
    assert ("prompt" in members) is ("genai" in capabilities)
    assert ("policy" in members) is ("rl" in capabilities)
    for rel, needle, _ in MARKERS[brought]:
        assert needle in out[rel]
    if brought == "edge":
        assert "p95 ≤ 120 ms on the target device" in out["docs/eval_pack.md"]


@pytest.mark.parametrize("sensitivity", ["public", "internal", "personal"])
def test_personal_data_adds_pii_map_and_dpia(render: Render, sensitivity: str) -> None:
    out = render(track="genai-rag", level="L4", data_sensitivity=sensitivity)
    safety = out["safety/safety_checklist.md"]
    personal = sensitivity == "personal"
    assert ("## PII map" in safety) is personal
    assert ("## DPIA and data residency" in safety) is personal
    assert ("<!-- rd:security.dpia -->" in safety) is personal
    assert ("## Personal data" in out["docs/data_card.md"]) is personal
    # Without personal data someone still checks that there is none.
    check = "<!-- rd:data.personal-data-check -->"
    assert (check in out["docs/data_card.md"]) is not personal
    assert ("copier update --data data_sensitivity=personal" in out["docs/data_card.md"]) is (
        not personal
    )
    for rel in OUTPUTS:
        check_whitespace(rel, out[rel])
    check_selection(out, full_answers(track="genai-rag", level="L4", data_sensitivity=sensitivity))


@pytest.mark.parametrize("risk", ["minimal", "limited", "high"])
def test_ai_act_risk_sections(render: Render, risk: str) -> None:
    out = render(track="applied-ml", level="L3", ai_act_risk=risk)
    safety = out["safety/safety_checklist.md"]
    assert f"classified **{risk}** risk" in safety
    assert ("## EU AI Act: high-risk obligations" in safety) is (risk == "high")
    assert ("## EU AI Act: transparency obligations" in safety) is (risk != "minimal")
    assert ("<!-- rd:human.oversight -->" in safety) is (risk == "high")
    assert ("<!-- rd:security.ai-classification -->" in safety) is (risk != "high")
    runbook = out["ops/runbook.md"]
    assert ("## Event logs and retention" in runbook) is (risk == "high")
    for obligation in (
        "Quality management system",
        "Post-market monitoring",
        "Serious-incident reporting",
        "Fundamental-rights impact assessment",
        "AI literacy",
    ):
        assert (f"\n| {obligation}" in safety) is (risk == "high"), obligation
    pointer = "| Record-keeping (automatic logs) | `ops/runbook.md` (Event logs and retention) |"
    assert (pointer in safety) is (risk == "high")
    # Labelling generated content is for systems that generate it.
    assert "generated or manipulated content" not in safety
    genai = render(track="genai-rag", level="L3", ai_act_risk=risk)["safety/safety_checklist.md"]
    assert ("generated or manipulated content" in genai) is (risk != "minimal")
    check_checklists_and_manifest(out)


@pytest.mark.parametrize(
    ("ci_provider", "signing"),
    [("none", "key"), ("none", "none"), ("gitlab", "keyless"), ("gitlab", "key")],
)
@pytest.mark.parametrize("level", ["L3", "L5"])
def test_no_github_wording_without_github(
    render: Render, ci_provider: str, signing: str, level: str
) -> None:
    out = render(track="genai-rag", level=level, ci_provider=ci_provider, signing=signing)
    texts = {rel: out[rel] for rel in [*DOCS.values(), "README.md", "SECURITY.md"]}
    # signing.toml: its comments only; without CI its keyless identity is a placeholder.
    texts["security/signing.toml"] = "\n".join(
        line for line in out["security/signing.toml"].splitlines() if line.startswith("#")
    )
    if ci_provider == "none":
        texts["security/signing.toml"] = texts["security/signing.toml"].replace(
            "GitHub Actions placeholder", ""
        )
    for rel, text in texts.items():
        hits = [m.group(0) for m in GITHUB_WORDING.finditer(text)]
        assert not hits, f"{ci_provider}/{signing}: {rel} says {hits}"
        if ci_provider == "none":
            hits = [m.group(0) for m in CI_SIGNING_WORDING.finditer(text)]
            assert not hits, f"no CI: {rel} says {hits}"
    if ci_provider == "gitlab" and signing != "none":
        assert "`release-sign` job" in out["versioning/registries.md"]
        assert "release-sign job" in out["security/signing.toml"]
    if ci_provider == "none" and signing == "key":
        for rel in ("README.md", "ops/runbook.md", "versioning/registries.md"):
            assert "sign --key" in out[rel], rel


@pytest.mark.parametrize("level", ["L3", "L4", "L5", "L6"])
def test_github_signer_is_the_workflow_that_signs(render: Render, level: str) -> None:
    out = render(track="applied-ml", level=level, signing="keyless")
    signer = "build.yml" if level in ("L5", "L6") else "release.yml"
    other = "release.yml" if signer == "build.yml" else "build.yml"
    for rel in ("ops/runbook.md", "versioning/registries.md"):
        assert f"`.github/workflows/{signer}" in out[rel], rel
        assert f"`.github/workflows/{other}" not in out[rel], rel
    toml = out["security/signing.toml"]
    assert signer in toml
    assert other not in toml


def test_slos_and_dr_drills_by_level(render: Render) -> None:
    """L3 platform measures SLIs and drafts SLOs; Staff publishes SLOs and runs DR drills."""
    for level in LEVELS:
        out = render(track="platform", level=level)
        runbook = out["ops/runbook.md"]
        staff = level >= "L5"
        assert "<!-- rd:serving.slo -->" in runbook
        assert ("<!-- rd:serving.error-budget-policy -->" in runbook) is staff
        assert ("<!-- rd:serving.dr-programme -->" in runbook) is staff
        assert ("## DR drill" in runbook) is staff
        dr = [line for _, line in checklist_lines(runbook) if "DR drill" in line]
        assert len(dr) == (1 if staff else 0), dr


@pytest.mark.parametrize("signing", ["keyless", "key", "none"])
def test_signing_mode_shapes_runbook_and_registries(render: Render, signing: str) -> None:
    out = render(track="platform", level="L3", signing=signing)
    runbook, registries = out["ops/runbook.md"], out["versioning/registries.md"]
    assert runbook.count("## Artifact verification") == 1
    assert registries.count("## Signing rules") == 1
    assert ("<!-- rd:security.signing -->" in registries) is (signing != "none")
    assert ("<!-- rd:security.signing-waiver -->" in registries) is (signing == "none")
    assert ("Sigstore" in runbook) is (signing == "keyless")
    check_checklists_and_manifest(out)


def test_runbook_and_registries_use_the_cli_commands(render: Render) -> None:
    out = render(track="genai-rag", level="L3", project_name="Churn Predictor")
    runbook, registries = out["ops/runbook.md"], out["versioning/registries.md"]
    release = (
        "uv run churn-predictor release v2 --model churn-predictor@2.0.0"
        " --prompt answer@3 --retriever hybrid@2 --index docs@2024-06-01 --judge pairwise@1"
    )
    for cmd in (
        release,
        "uv run churn-predictor registry verify",
        "uv run churn-predictor rollback",
        "uv run churn-predictor registry list",
        "uv run churn-predictor registry log",
    ):
        assert cmd in runbook, cmd
        assert cmd in registries, cmd
    assert check_release_commands(out, "churn-predictor") == RELEASE_MEMBERS["genai-rag"]
    assert "uv run churn-predictor verify FILE" in runbook
    card = out["docs/model_card.md"]
    assert "`current release:` line of `uv run churn-predictor registry list`" in card
    evals = out["docs/eval_pack.md"]
    assert "uvx nox -s evals" in evals
    assert "evals/config.toml" in evals
    assert "evals/reports/report.md" in evals
    assert "uvx nox -s readiness" in out["readiness.toml"]


def test_model_card_front_matter_for_proprietary_licence(render: Render) -> None:
    out = render(track="vision", level="L3", license="Proprietary")
    text = out["docs/model_card.md"]
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["license"] == "other"
    assert front["license_name"] == "proprietary"
    assert front["pipeline_tag"] == "object-detection"
    assert front["tags"] == ["vision", "ml-golden-path"]


def test_adr_is_madr(render: Render) -> None:
    adr = render(track="applied-ml", level="L3")["docs/adr/0001-record-architecture-decisions.md"]
    front = yaml.safe_load(adr.split("---\n")[1])
    assert front["status"] == "accepted"
    for heading in ("Context and Problem Statement", "Considered Options", "Decision Outcome"):
        assert f"\n## {heading}\n" in adr
