"""GenAI kit: grounding, abstention and judge hygiene.

Golden questions: `id`, `slice`, `question`, `answerable`, `gold` (expected answer text, for
answerable ones). Predictions: `id`, `abstained`, `retrieved` (passage ids, best first) and
`claims`, each `{"text", "citation": {"doc", "start", "end"} | null}`.

Judge pairs: `id`, `slice`, `question`, `answer_a` (the candidate system's answer),
`answer_b` (the incumbent's), `reference`, optional `human` and `anchor` verdicts ("a", "b"
or "tie"). Judge predictions: `id`, `forward` (verdict with A shown first) and `reverse`
(B shown first), both in terms of a/b/tie. The win rate is the candidate's over the
incumbent, so higher is better and a drop is a regression.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .bootstrap import FloatArray, mean, percentile_interval, ratio_of_sums, safe_ratio
from .core import (
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

VERDICTS = ("a", "b", "tie")
METRICS = {
    "answer_match": MetricSpec(
        Direction.HIGHER, "answerable questions answered with the gold text"
    ),
    "support_coverage": MetricSpec(
        Direction.HIGHER, "claims whose text appears verbatim in their cited source span"
    ),
    "faithfulness@k": MetricSpec(Direction.HIGHER, "cited spans found in the top-k retrieved"),
    "abstain_precision": MetricSpec(Direction.HIGHER, "abstentions that were unanswerable"),
    "abstain_recall": MetricSpec(Direction.HIGHER, "unanswerable questions abstained on"),
    "judge_position_bias": MetricSpec(Direction.LOWER, "pairs whose verdict flips with order"),
    "judge_win_rate": MetricSpec(
        Direction.HIGHER, "candidate (A) win rate over the incumbent; ties and flips count 1/2"
    ),
    "judge_anchor_accuracy": MetricSpec(Direction.HIGHER, "anchor pairs judged as expected"),
    "judge_kappa": MetricSpec(Direction.HIGHER, "Cohen's kappa of judge vs human labels"),
}


def resolve(citation: Any, corpus: Mapping[str, str]) -> str | None:
    """The text a citation points at, or None when it does not resolve."""
    if not isinstance(citation, dict):
        return None
    doc, start, end = citation.get("doc"), citation.get("start"), citation.get("end")
    text = corpus.get(doc) if isinstance(doc, str) else None
    if text is None or not isinstance(start, int) or not isinstance(end, int):
        return None
    if not 0 <= start < end <= len(text):
        return None
    return text[start:end]


def grounding(
    claims: Sequence[Any], retrieved: Sequence[str], corpus: Mapping[str, str], k: int
) -> tuple[int, int, int]:
    """(claims, grounded claims, grounded claims whose passage is in the top k retrieved).

    A claim is grounded when its citation resolves to a span that contains the claim text
    verbatim: right for extractive answers. A generator that paraphrases needs an entailment
    (NLI) check of claim against span here instead; keep the counts' meaning.
    """
    grounded = faithful = 0
    for claim in claims:
        text = claim.get("text") if isinstance(claim, dict) else None
        span = resolve(claim.get("citation") if isinstance(claim, dict) else None, corpus)
        if isinstance(text, str) and text.strip() and span is not None and text.strip() in span:
            grounded += 1
            faithful += claim["citation"]["doc"] in retrieved[:k]
    return len(claims), grounded, faithful


def kappa(
    judge: np.ndarray[Any, Any], human: np.ndarray[Any, Any], weights: FloatArray
) -> FloatArray:
    """Cohen's kappa under each row of `weights`; labels are indices into VERDICTS."""
    k = len(VERDICTS)
    cells = np.eye(k * k)[judge * k + human]  # one column per (judge, human) cell
    confusion = (weights @ cells).reshape(-1, k, k)
    total = confusion.sum(axis=(1, 2))
    observed = safe_ratio(np.trace(confusion, axis1=1, axis2=2), total)
    expected = safe_ratio((confusion.sum(axis=2) * confusion.sum(axis=1)).sum(axis=1), total**2)
    return safe_ratio(observed - expected, 1 - expected)


def _verdict(row: Mapping[str, Any], key: str, source: str) -> int:
    value = field_of(row, key, str, source)
    if value not in VERDICTS:
        raise EvalError(f"{source}:{row['_line']}: `{key}` must be a, b or tie, got {value!r}")
    return VERDICTS.index(value)


def _answers(settings: KitSettings, context: Context, result: KitResult) -> None:
    corpus_path, golden_path = settings.path("corpus"), settings.path("golden")
    predictions_path = settings.path("predictions")
    corpus = {
        field_of(row, "id", str, corpus_path.name): field_of(row, "text", str, corpus_path.name)
        for row in read_jsonl(corpus_path)
    }
    golden = read_jsonl(golden_path)
    predicted = by_id(golden, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    k = int(settings.number("k", 3))
    columns: dict[str, list[float]] = {
        key: [] for key in ("answerable", "match", "claims", "grounded", "faithful", "abstained")
    }
    for question, prediction in zip(golden, predicted, strict=True):
        answerable = field_of(question, "answerable", bool, golden_path.name)
        abstained = field_of(prediction, "abstained", bool, predictions_path.name)
        claims, retrieved = prediction.get("claims", []), prediction.get("retrieved", [])
        if not isinstance(claims, list) or not isinstance(retrieved, list):
            raise EvalError(f"{predictions_path.name}:{prediction['_line']}: bad claims/retrieved")
        n, grounded, faithful = grounding(claims, retrieved, corpus, k)
        text = " ".join(c.get("text", "") for c in claims if isinstance(c, dict))
        gold = str(question.get("gold", "")) if answerable else ""
        columns["answerable"].append(answerable)
        columns["match"].append(answerable and not abstained and bool(gold) and gold in text)
        columns["claims"].append(0 if abstained else n)
        columns["grounded"].append(0 if abstained else grounded)
        columns["faithful"].append(0 if abstained else faithful)
        columns["abstained"].append(abstained)
    c = {key: np.array(values, dtype=np.float64) for key, values in columns.items()}
    caught = c["abstained"] * (1 - c["answerable"])
    for name, index in slices_of(golden, golden_path.name).items():
        w = context.weights(f"rag/{name}", index.size)
        conf = context.confidence

        # Each metric with its numerator and denominator; `n` is what it was computed on
        # (claims, abstentions, ...), which is also what min_slice_size is held against.
        for metric, (num, den) in {
            "answer_match": (c["match"], c["answerable"]),
            "support_coverage": (c["grounded"], c["claims"]),
            "faithfulness@k": (c["faithful"], c["grounded"]),
            "abstain_precision": (caught, c["abstained"]),
            "abstain_recall": (caught, 1 - c["answerable"]),
        }.items():
            interval = ratio_of_sums(num[index], den[index], w, conf)
            n = int(den[index].sum())
            result.measurements.append(Measurement(metric, name, interval, n))


def _judge(settings: KitSettings, context: Context, result: KitResult) -> None:
    golden_path, predictions_path = (
        settings.path("judge_golden"),
        settings.path("judge_predictions"),
    )
    golden = read_jsonl(golden_path)
    predicted = by_id(golden, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    forward = np.array([_verdict(p, "forward", predictions_path.name) for p in predicted])
    reverse = np.array([_verdict(p, "reverse", predictions_path.name) for p in predicted])
    # A verdict that flips with the order is no verdict: it counts as a tie.
    consistent = np.where(forward == reverse, forward, VERDICTS.index("tie"))
    flipped = (forward != reverse).astype(np.float64)
    a_score = np.select([consistent == 0, consistent == 1], [1.0, 0.0], 0.5)
    has_anchor = np.array(["anchor" in row for row in golden])
    anchor = np.array(
        [_verdict(r, "anchor", golden_path.name) if "anchor" in r else -1 for r in golden]
    )
    has_human = np.array(["human" in row for row in golden])
    human = np.array(
        [_verdict(r, "human", golden_path.name) if "human" in r else -1 for r in golden]
    )
    for name, index in slices_of(golden, golden_path.name).items():
        w = context.weights(f"judge/{name}", index.size)
        conf = context.confidence
        anchors = index[has_anchor[index]]
        humans = index[has_human[index]]
        measured = {
            "judge_position_bias": mean(flipped[index], w, conf),
            "judge_win_rate": mean(a_score[index], w, conf),
        }
        if anchors.size:
            hit = (consistent[anchors] == anchor[anchors]).astype(np.float64)
            measured["judge_anchor_accuracy"] = mean(
                hit, context.weights(f"judge-anchor/{name}", anchors.size), conf
            )
        if humans.size:
            hw = context.weights(f"judge-human/{name}", humans.size)
            point = float(kappa(consistent[humans], human[humans], np.ones((1, humans.size)))[0])
            replicates = kappa(consistent[humans], human[humans], hw)
            measured["judge_kappa"] = percentile_interval(point, replicates, conf)
        for metric, interval in measured.items():
            n = {"judge_anchor_accuracy": anchors.size, "judge_kappa": humans.size}.get(metric)
            result.measurements.append(Measurement(metric, name, interval, n or index.size))


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    result = KitResult()
    _answers(settings, context, result)
    _judge(settings, context, result)
    return result


KIT = Kit("rag", METRICS, evaluate)
