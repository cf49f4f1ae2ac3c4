"""Governance docs: checklist tables, section selection and rendered output.

Renders the template in-process (working tree, uncommitted changes included) and
caches each distinct set of answers for the whole module.
"""

from __future__ import annotations

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
GROUPS = {
    "Documentation & Decisions",
    "Data & RAG",
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
        ("ops/runbook.md", "| Availability | _99.9%_ | 28 days |", True),
        ("ops/runbook.md", "## DR drill", False),
        ("ops/runbook.md", "Rebuild search indices and check embedding and version hashes", True),
        ("ops/runbook.md", "<!-- rd:serving.dr-drill -->", True),
        ("cost/cost_dashboard_spec.md", "## Vendor cut-over thresholds", False),
        ("cost/cost_dashboard_spec.md", "<!-- rd:cost.vendor-cutover -->", True),
    ],
    "genai": [
        ("docs/design_doc.md", "## Retrieval and generation design", True),
        ("docs/eval_pack.md", "Support-coverage", True),
        ("docs/eval_pack.md", "Faithfulness@k", True),
        ("docs/eval_pack.md", "abstention rate", True),
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
        ("docs/eval_pack.md", "## Off-policy evaluation (IPS, DR, FQE)", True),
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
            cache[key] = {rel: (dst / rel).read_text(encoding="utf-8") for rel in OUTPUTS}
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


def test_item_table_is_well_formed() -> None:
    ids = [i["id"] for i in ITEMS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
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
        for group, line in checklist_lines(text):
            match = ITEM_LINE.match(line)
            assert match, f"{rel}: not a task line: {line!r}"
            kind, _, item_id = match.groups()
            assert item_id not in found, f"{item_id} rendered twice"
            found[item_id] = (rel, group, kind.lower())
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


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("track", TRACKS)
def test_matrix(render: Render, track: str, level: str) -> None:
    out = render(track=track, level=level)
    answers = full_answers(track=track, level=level)
    for rel in OUTPUTS:
        check_whitespace(rel, out[rel])
    check_checklists_and_manifest(out)
    check_selection(out, answers)
    check_markers(out, answers)
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
    check_checklists_and_manifest(out)


@pytest.mark.parametrize("signing", ["keyless", "key", "none"])
def test_signing_mode_shapes_runbook_and_registries(render: Render, signing: str) -> None:
    out = render(track="platform", level="L3", signing=signing)
    runbook, registries = out["ops/runbook.md"], out["versioning/registries.md"]
    assert runbook.count("## Artefact verification") == 1
    assert registries.count("## Signing rules") == 1
    assert ("<!-- rd:security.signing -->" in registries) is (signing != "none")
    assert ("<!-- rd:security.signing-waiver -->" in registries) is (signing == "none")
    assert ("Sigstore" in runbook) is (signing == "keyless")
    check_checklists_and_manifest(out)


def test_runbook_and_registries_use_the_cli_commands(render: Render) -> None:
    out = render(track="genai-rag", level="L3", project_name="Churn Predictor")
    runbook, registries = out["ops/runbook.md"], out["versioning/registries.md"]
    for cmd in (
        "uv run churn-predictor release NAME --model MODEL_ID --prompt PROMPT_ID --index INDEX_ID",
        "uv run churn-predictor registry verify",
        "uv run churn-predictor rollback",
        "uv run churn-predictor registry log",
    ):
        assert cmd in runbook, cmd
        assert cmd in registries, cmd
    assert "uv run churn-predictor verify FILE" in runbook
    evals = out["docs/eval_pack.md"]
    assert "nox -s evals" in evals
    assert "evals/config.toml" in evals
    assert "nox -s readiness" in out["readiness.toml"]


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
