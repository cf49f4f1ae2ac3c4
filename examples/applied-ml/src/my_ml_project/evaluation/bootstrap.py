"""Vectorised bootstrap: one matrix of resample weights, every statistic a weighted sum.

Resampling n items with replacement B times is the same as giving each item a weight: how
often it was drawn. With the (B, n) weight matrix `w`, a mean is `w @ x / n`, a ratio of
sums is `(w @ num) / (w @ den)`, and a confusion matrix is `w @ one_hot`; no Python loop
over resamples is needed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """A point estimate with its percentile bootstrap confidence interval."""

    value: float
    low: float
    high: float


def resample_weights(n: int, resamples: int, seed: int, stream: str) -> FloatArray:
    """Counts of each of `n` items in `resamples` bootstrap draws, shape (resamples, n).

    `stream` (e.g. "classification/accuracy/new_users") gives each slice its own generator,
    so results do not depend on the order in which slices are evaluated.
    """
    if n < 1:
        raise ValueError("cannot bootstrap an empty sample")
    rng = np.random.default_rng([seed, zlib.crc32(stream.encode())])
    draws = rng.integers(0, n, size=(resamples, n), dtype=np.int64)
    offsets = np.arange(resamples, dtype=np.int64)[:, None] * n
    counts = np.bincount((draws + offsets).ravel(), minlength=resamples * n)
    return counts.reshape(resamples, n).astype(np.float64)


def percentile_interval(value: float, replicates: FloatArray, confidence: float) -> Interval:
    """Percentile interval of the bootstrap replicates; NaN replicates (empty resamples) dropped."""
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return Interval(value, float("nan"), float("nan"))
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return Interval(value, float(low), float(high))


def safe_ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Element-wise numerator / denominator, NaN where the denominator is zero."""
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def ratio_of_sums(
    numerator: FloatArray, denominator: FloatArray, weights: FloatArray, confidence: float
) -> Interval:
    """sum(numerator) / sum(denominator), e.g. accuracy, precision, recall, SNIPS."""
    den = float(denominator.sum())
    value = float(numerator.sum()) / den if den else float("nan")
    replicates = safe_ratio(weights @ numerator, weights @ denominator)
    return percentile_interval(value, replicates, confidence)


def mean(values: FloatArray, weights: FloatArray, confidence: float) -> Interval:
    """The mean of per-item values (NDCG, MRR, IPS terms, ...)."""
    return ratio_of_sums(values, np.ones_like(values), weights, confidence)


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> FloatArray:
    """The q-quantile (inverted CDF) of `values` under each row of `weights`, shape (B,)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[:, order], axis=1)
    targets = q * cumulative[:, -1:]
    index = np.argmax(cumulative >= targets, axis=1)
    result: FloatArray = values[order][index]
    return result


def quantile(values: FloatArray, q: float, weights: FloatArray, confidence: float) -> Interval:
    """A latency-style quantile with its bootstrap interval."""
    value = float(np.quantile(values, q, method="inverted_cdf"))
    return percentile_interval(value, weighted_quantile(values, weights, q), confidence)
