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

    # Gates: evals and readiness.

    # Template updates.

    return files
