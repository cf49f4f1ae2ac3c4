"""Grounding, faithfulness and judge agreement against hand-computed values."""

from __future__ import annotations

import numpy as np

from my_ml_project.evaluation.rag import grounding, kappa, resolve

CORPUS = {"p1": "Refunds take ten days. Invoices are monthly.", "p2": "Tokens expire."}


def claim(text: str, doc: str, start: int, end: int) -> dict[str, object]:
    return {"text": text, "citation": {"doc": doc, "start": start, "end": end}}


def test_resolve_rejects_bad_spans() -> None:
    assert resolve({"doc": "p1", "start": 0, "end": 7}, CORPUS) == "Refunds"
    assert resolve({"doc": "p1", "start": 5, "end": 500}, CORPUS) is None
    assert resolve({"doc": "nope", "start": 0, "end": 1}, CORPUS) is None
    assert resolve(None, CORPUS) is None


def test_grounding_counts_supported_and_retrieved_claims() -> None:
    claims = [
        claim("Refunds take ten days.", "p1", 0, 22),  # grounded, retrieved
        claim("Tokens expire.", "p2", 0, 14),  # grounded, not in the top k
        claim("Refunds are instant.", "p1", 0, 22),  # span does not say this
        {"text": "No citation at all."},
    ]
    assert grounding(claims, ["p1", "p3"], CORPUS, k=1) == (4, 2, 1)


def test_kappa_hand_computed() -> None:
    judge = np.array([0, 0, 1, 1, 2, 0])
    human = np.array([0, 0, 1, 0, 2, 1])
    # Observed 4/6; expected from marginals: judge (3, 2, 1)/6, human (3, 2, 1)/6.
    expected = (9 + 4 + 1) / 36
    got = kappa(judge, human, np.ones((1, 6)))[0]
    assert np.isclose(got, (4 / 6 - expected) / (1 - expected))


# Seeded draws, not hypothesis: importing it costs every test run ~0.5 s.
def test_kappa_of_identical_labels_is_one() -> None:
    for seed in range(50):
        rng = np.random.default_rng(seed)
        # One, two or three labels in use; with one only, kappa is undefined.
        array = rng.integers(0, 1 + seed % 3, rng.integers(2, 41))
        got = kappa(array, array, np.ones((1, array.size)))[0]
        assert np.isnan(got) if len(set(array)) == 1 else np.isclose(got, 1.0), seed
