"""Named answer sets the static matrix, examples and deep tests share."""

from __future__ import annotations

from typing import Any

TRACKS = ("applied-ml", "platform", "genai-rag", "rl", "vision", "edge", "search")
LEVELS = ("L3", "L4", "L5", "L6")

# Every track at every level, with the capabilities the track defaults to.
TRACK_LEVELS: dict[str, dict[str, Any]] = {
    f"{track}-{level}": {"track": track, "level": level} for track in TRACKS for level in LEVELS
}

# Each capability switched on for a track that does not default to it, and the other axes.
VARIANTS: dict[str, dict[str, Any]] = {
    "applied-ml+genai": {"track": "applied-ml", "capabilities": ["genai"]},
    "search+rl": {"track": "search", "capabilities": ["rl"]},
    "platform+edge": {"track": "platform", "capabilities": ["edge"], "latency_budget_ms": 25},
    "applied-ml+vision": {"track": "applied-ml", "capabilities": ["vision"]},
    "genai-rag+all": {"track": "genai-rag", "capabilities": ["genai", "rl", "edge", "vision"]},
    "ci-gitlab": {"ci_provider": "gitlab"},
    "ci-none": {"ci_provider": "none"},
    "signing-key": {"signing": "key"},
    "signing-none": {"signing": "none"},
    "signing-key-L5": {"signing": "key", "level": "L5"},
    "personal-high-risk": {"data_sensitivity": "personal", "ai_act_risk": "high"},
    "public-limited": {"data_sensitivity": "public", "ai_act_risk": "limited"},
    "mit": {"license": "MIT"},
    "bsd": {"license": "BSD-3-Clause"},
    "proprietary-gitlab": {"license": "Proprietary", "ci_provider": "gitlab"},
    "py313": {"python_version": "3.13"},
    "custom-names": {
        "project_name": "Fraud Radar 2",
        "package_name": "fraud_radar",
        "owner": "acme-ml",
        "team": "risk-models",
        "repository_url": "https://gitlab.example.com/acme-ml/fraud-radar-2",
        "ci_provider": "gitlab",
    },
}

MATRIX: dict[str, dict[str, Any]] = {**TRACK_LEVELS, **VARIANTS}

# One render per track at a level that exercises the most content: the deep tests run these.
DEEP: dict[str, dict[str, Any]] = {
    "applied-ml": {"track": "applied-ml", "level": "L4"},
    "platform": {"track": "platform", "level": "L5", "ci_provider": "gitlab"},
    "genai-rag": {"track": "genai-rag", "level": "L5", "data_sensitivity": "personal"},
    "rl": {"track": "rl", "level": "L3", "signing": "key"},
    "vision": {"track": "vision", "level": "L4", "ci_provider": "none"},
    "edge": {"track": "edge", "level": "L3", "signing": "none"},
    "search": {"track": "search", "level": "L6", "capabilities": ["genai"]},
}
