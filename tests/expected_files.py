"""The exact set of files a render must produce, as a function of the answers.

One place to read what the template renders; each feature adds its files in its own block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, Any] = {
    "track": "applied-ml",
    "level": "L3",
    "ci_provider": "github",
    "signing": "keyless",
    "data_sensitivity": "internal",
    "ai_act_risk": "minimal",
    "package_name": "my_ml_project",
}
TRACK_CAPABILITIES = {"genai-rag": ["genai"], "rl": ["rl"], "edge": ["edge"], "vision": ["vision"]}


ORACLE_KITS = ("classification", "rag", "ranking")


def resolve(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Fill in the template's defaults the way copier does (capabilities follow the track)."""
    full = {**DEFAULTS, **answers}
    full.setdefault("capabilities", TRACK_CAPABILITIES.get(full["track"], []))
    return full


def expected_files(answers: Mapping[str, Any]) -> set[str]:
    a = resolve(answers)
    pkg = a["package_name"]
    files = {
        ".copier-answers.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "CODEOWNERS",
        "LICENSE",
        "README.md",
        "SECURITY.md",
        "catalog-info.yaml",
        "noxfile.py",
        "pyproject.toml",
        f"src/{pkg}/__init__.py",
        f"src/{pkg}/__main__.py",
        f"src/{pkg}/cli.py",
        f"src/{pkg}/py.typed",
        "tests/test_package.py",
    }
    # Governance documents and the readiness manifest.
    files |= {
        "docs/design_doc.md",
        "docs/eval_pack.md",
        "docs/model_card.md",
        "docs/data_card.md",
        "docs/adr/0001-record-architecture-decisions.md",
        "ops/runbook.md",
        "safety/safety_checklist.md",
        "cost/cost_dashboard_spec.md",
        "versioning/registries.md",
        "readiness.toml",
    }
    # CI provider.
    if a["ci_provider"] == "github":
        files |= {".github/workflows/ci.yml", ".github/dependabot.yml"}
    elif a["ci_provider"] == "gitlab":
        files |= {".gitlab-ci.yml"}
    # Supply chain: SBOM, signing, registry.
    files |= {
        "security/signing.toml",
        "security/sigstore-trust-config.json",
        "versioning/registry.json",
        "versioning/registry.schema.json",
        f"src/{pkg}/supply_chain/__init__.py",
        f"src/{pkg}/supply_chain/audit.py",
        f"src/{pkg}/supply_chain/config.py",
        f"src/{pkg}/supply_chain/keyless.py",
        f"src/{pkg}/supply_chain/keys.py",
        f"src/{pkg}/supply_chain/registry.py",
        f"src/{pkg}/supply_chain/sbom.py",
        f"src/{pkg}/supply_chain/signing.py",
        "tests/supply_chain_support.py",
        "tests/test_registry.py",
        "tests/test_sbom.py",
        "tests/test_signing.py",
    }
    if a["ci_provider"] == "github":
        files.add(".github/workflows/release.yml")
        if a["level"] in ("L5", "L6"):
            files.add(".github/workflows/build.yml")

    # Gates: evals and readiness.
    files |= {
        "evals/config.toml",
        "evals/baseline.json",
        f"src/{pkg}/readiness.py",
        f"src/{pkg}/evaluation/__init__.py",
        f"src/{pkg}/evaluation/bootstrap.py",
        f"src/{pkg}/evaluation/command.py",
        f"src/{pkg}/evaluation/core.py",
        f"src/{pkg}/evaluation/gate.py",
        f"src/{pkg}/evaluation/kits.py",
        f"src/{pkg}/models/__init__.py",
        "tests/test_eval_bootstrap.py",
        "tests/test_eval_gate.py",
        "tests/test_readiness.py",
    }
    track, caps = a["track"], a["capabilities"]
    kits = {
        # kit: (on, evaluation module, baseline model module, golden/data files)
        "classification": (
            track == "applied-ml",
            "classification",
            "logistic",
            {"evals/golden/classification.csv", "evals/data/classification_train.csv"},
        ),
        "slo": (track == "platform", "slo", "replay", {"evals/golden/requests.csv"}),
        "rag": (
            track == "genai-rag" or "genai" in caps,
            "rag",
            "lexical",
            {
                "evals/golden/corpus.jsonl",
                "evals/golden/rag.jsonl",
                "evals/golden/judge_pairs.jsonl",
            },
        ),
        "ranking": (
            track == "search",
            "ranking",
            "lexical",
            {"evals/golden/corpus.jsonl", "evals/golden/search.jsonl"},
        ),
        "ope": (
            track == "rl" or "rl" in caps,
            "ope",
            "bandit",
            {"evals/golden/bandit_log.jsonl", "evals/data/bandit_train.jsonl"},
        ),
        "detection": (
            track == "vision" or "vision" in caps,
            "detection",
            "detector",
            {"evals/golden/detection.jsonl"},
        ),
        "edge": (
            track == "edge" or "edge" in caps,
            "edge",
            "quantized",
            {"evals/golden/edge_inputs.csv"},
        ),
    }
    for on, module, model, data in kits.values():
        if on:
            files |= data | {
                f"src/{pkg}/evaluation/{module}.py",
                f"src/{pkg}/models/{model}.py",
                f"tests/test_eval_{module}.py",
            }
            if module in ORACLE_KITS:  # scikit-learn cross-checks, opt-in (`nox -s oracle`)
                files.add(f"tests/test_oracle_{module}.py")

    # Template updates.
    files.add("tools/update_check.py")
    if a["ci_provider"] != "none":
        files.add("renovate.json")
    if a["ci_provider"] == "github":
        files.add(".github/workflows/template-drift.yml")

    return files
