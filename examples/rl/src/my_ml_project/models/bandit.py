"""Baseline for the OPE kit: an epsilon-greedy target policy on a linear reward model.

The reward model is fitted per action by ridge regression on an earlier log (never on
the log being evaluated); it is the `q_hat` the doubly robust estimator uses.
"""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt

from ..evaluation.bootstrap import FloatArray
from ..evaluation.core import EvalError, KitSettings, field_of, read_jsonl


def contexts(rows: list[dict[str, object]], source: str) -> FloatArray:
    try:
        features = np.array([row["context"] for row in rows], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise EvalError(f"{source}: every row needs a numeric `context` list") from None
    return np.column_stack([np.ones(len(rows)), features])


def fit_rewards(
    x: FloatArray,
    actions: npt.NDArray[np.int64],
    rewards: FloatArray,
    n_actions: int,
    l2: float = 1.0,
) -> FloatArray:
    """Ridge coefficients per action, shape (n_actions, features)."""
    coef = np.zeros((n_actions, x.shape[1]))
    for action in range(n_actions):
        rows = actions == action
        xa = x[rows]
        coef[action] = np.linalg.solve(xa.T @ xa + l2 * np.eye(x.shape[1]), xa.T @ rewards[rows])
    return coef


def epsilon_greedy(q_hat: FloatArray, epsilon: float) -> FloatArray:
    """Greedy on q_hat with probability 1 - epsilon, uniform otherwise."""
    n_actions = q_hat.shape[1]
    probs = np.full(q_hat.shape, epsilon / n_actions)
    probs[np.arange(len(q_hat)), q_hat.argmax(axis=1)] += 1 - epsilon
    return probs


def predict(settings: KitSettings) -> int:
    train_path, golden_path = settings.path("train"), settings.path("golden")
    train, golden = read_jsonl(train_path), read_jsonl(golden_path)
    n_actions = len(golden[0].get("propensities", []))
    actions = np.array([field_of(row, "action", int, train_path.name) for row in train])
    rewards = np.array([field_of(row, "reward", float, train_path.name) for row in train])
    coef = fit_rewards(contexts(train, train_path.name), actions, rewards, n_actions)
    q_hat = contexts(golden, golden_path.name) @ coef.T
    probs = epsilon_greedy(q_hat, settings.number("epsilon", 0.05))
    lines = [
        json.dumps({"id": row["id"], "probs": p.tolist(), "q_hat": np.round(q, 6).tolist()})
        for row, p, q in zip(golden, probs, q_hat, strict=True)
    ]
    settings.output("predictions").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)
