"""RL kit: off-policy evaluation of the target policy on logged bandit data.

Golden log rows: `id`, `slice`, `action`, `propensity` (logging policy's probability of the
logged action), `propensities` (its full distribution), `reward`. Predictions: `id`,
`probs` (target policy's distribution) and `q_hat` (reward model, one value per action).
"""

from __future__ import annotations

import numpy as np

from .bootstrap import FloatArray, mean, ratio_of_sums
from .core import (
    Check,
    Context,
    Direction,
    EvalError,
    Kit,
    KitResult,
    KitSettings,
    Measurement,
    MetricSpec,
    by_id,
    field_of,
    read_jsonl,
    slices_of,
)

METRICS = {
    "logging_value": MetricSpec(Direction.HIGHER, "mean logged reward (the logging policy)"),
    "ips": MetricSpec(Direction.HIGHER, "inverse propensity scoring estimate of the target"),
    "snips": MetricSpec(Direction.HIGHER, "self-normalised IPS estimate"),
    "dr": MetricSpec(Direction.HIGHER, "doubly robust estimate"),
    "dr_lift": MetricSpec(Direction.HIGHER, "DR estimate minus the logging policy's value"),
}
TOLERANCE = 1e-6


def ips_terms(weights: FloatArray, rewards: FloatArray) -> FloatArray:
    return weights * rewards


def dr_terms(
    weights: FloatArray, rewards: FloatArray, q_logged: FloatArray, q_target: FloatArray
) -> FloatArray:
    """Per-row doubly robust terms: model value of the target plus the weighted residual."""
    return q_target + weights * (rewards - q_logged)


def propensity_check(
    propensity: FloatArray,
    logged: FloatArray,
    distributions: FloatArray,
    target: FloatArray,
    source: str,
) -> Check:
    """Logged propensities are probabilities in (0, 1], consistent with their distribution,
    and the logging policy covers every action the target policy may take (support):
    IPS and DR cannot see rewards of actions that were never logged."""
    problems = []
    outside = int(((propensity <= 0) | (propensity > 1)).sum())
    if outside:
        problems.append(f"{outside} propensities outside (0, 1]")
    bad_sum = int((np.abs(distributions.sum(axis=1) - 1) > TOLERANCE).sum())
    if bad_sum:
        problems.append(f"{bad_sum} logged distributions do not sum to 1")
    negative = int((distributions < 0).any(axis=1).sum())
    if negative:
        problems.append(f"{negative} logged distributions have negative entries")
    unsupported = int(((target > 0) & (distributions <= 0)).any(axis=1).sum())
    if unsupported:
        problems.append(
            f"{unsupported} rows where the target policy takes an action the logging policy "
            "never does (no support: the estimates would be biased)"
        )
    mismatch = int((np.abs(logged - propensity) > TOLERANCE).sum())
    if mismatch:
        problems.append(f"{mismatch} propensities differ from their distribution's entry")
    if problems:
        return Check("propensities", False, f"{source}: " + "; ".join(problems))
    low = float(propensity.min())
    return Check("propensities", True, f"all in (0, 1] and consistent; smallest {low:.3g}")


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    golden_path, predictions_path = settings.path("golden"), settings.path("predictions")
    golden = read_jsonl(golden_path)
    predicted = by_id(golden, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    try:
        distributions = np.array([row["propensities"] for row in golden], dtype=np.float64)
        probs = np.array([row["probs"] for row in predicted], dtype=np.float64)
        q_hat = np.array([row["q_hat"] for row in predicted], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as error:
        raise EvalError(
            f"{golden_path.name}/{predictions_path.name}: ragged or missing "
            f"propensities/probs/q_hat ({error})"
        ) from None
    actions = np.array([field_of(row, "action", int, golden_path.name) for row in golden])
    if distributions.ndim != 2 or probs.shape != distributions.shape or q_hat.shape != probs.shape:
        raise EvalError(f"{predictions_path.name}: probs and q_hat need one value per action")
    if ((actions < 0) | (actions >= distributions.shape[1])).any():
        raise EvalError(
            f"{golden_path.name}: an `action` is outside 0..{distributions.shape[1] - 1}"
        )
    if (np.abs(probs.sum(axis=1) - 1) > TOLERANCE).any() or (probs < 0).any():
        raise EvalError(f"{predictions_path.name}: every `probs` must be a distribution")
    propensity = np.array([field_of(r, "propensity", float, golden_path.name) for r in golden])
    rewards = np.array([field_of(r, "reward", float, golden_path.name) for r in golden])
    rows = np.arange(len(golden))
    logged = distributions[rows, actions]
    result = KitResult(
        checks=[propensity_check(propensity, logged, distributions, probs, golden_path.name)]
    )
    if not result.checks[0].passed:
        return result  # estimates from invalid propensities would be meaningless
    weights = probs[rows, actions] / propensity
    ips = ips_terms(weights, rewards)
    dr = dr_terms(weights, rewards, q_hat[rows, actions], (probs * q_hat).sum(axis=1))
    for name, index in slices_of(golden, golden_path.name).items():
        w = context.weights(f"ope/{name}", index.size)
        conf = context.confidence
        measured = {
            "logging_value": mean(rewards[index], w, conf),
            "ips": mean(ips[index], w, conf),
            "snips": ratio_of_sums(ips[index], weights[index], w, conf),
            "dr": mean(dr[index], w, conf),
            "dr_lift": mean(dr[index] - rewards[index], w, conf),
        }
        for metric, interval in measured.items():
            result.measurements.append(Measurement(metric, name, interval, index.size))
        if name == "all":
            lift, min_lift = measured["dr_lift"], settings.number("min_lift", 0.0)
            go = lift.low >= min_lift
            result.checks.append(
                Check(
                    "go/no-go",
                    go,
                    f"DR lift over logging {lift.value:+.4f} (CI {lift.low:+.4f}..{lift.high:+.4f})"
                    f"; {'GO' if go else 'NO-GO'}: needs CI lower bound >= {min_lift:+.4f}",
                )
            )
            mean_weight = mean(weights[index], w, conf)
            result.checks.append(
                Check(
                    "weight sum",
                    mean_weight.low <= 1 <= mean_weight.high,
                    f"mean importance weight {mean_weight.value:.3f} "
                    f"(CI {mean_weight.low:.3f}..{mean_weight.high:.3f}) should cover 1",
                )
            )
    return result


KIT = Kit("ope", METRICS, evaluate)
