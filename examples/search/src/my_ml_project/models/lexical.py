"""Lexical baselines: a BM25 retriever, an extractive answerer that cites its span, and a
token-overlap judge. Honest floors to beat with embeddings, a reranker and an LLM.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..evaluation.core import EvalError, KitSettings, field_of, read_jsonl

TOKEN = re.compile(r"[a-z0-9]+")
SENTENCE = re.compile(r"[^.!?]+[.!?]")
STOPWORDS = frozenset(
    {"a", "an", "and", "are", "can", "do", "does", "for", "from", "how", "i", "in", "is", "it",
     "my", "of", "on", "or", "the", "to", "what", "when", "where", "which", "who", "why", "with",
     "you", "your"}
)  # fmt: skip


def tokens(text: str) -> list[str]:
    return [token for token in TOKEN.findall(text.lower()) if token not in STOPWORDS]


@dataclass
class BM25:
    """Okapi BM25 over passages `{"id", "text"}`; k1 and b are the usual defaults."""

    passages: Sequence[dict[str, Any]]
    k1: float = 1.2
    b: float = 0.75
    _docs: list[Counter[str]] = field(init=False)
    _idf: dict[str, float] = field(init=False)
    _avg: float = field(init=False)

    def __post_init__(self) -> None:
        self._docs = [Counter(tokens(passage["text"])) for passage in self.passages]
        df = Counter(term for doc in self._docs for term in doc)
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._avg = sum(sum(doc.values()) for doc in self._docs) / max(n, 1)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Indices and scores of the top-k passages, best first (ties by corpus order)."""
        terms = tokens(query)
        scored = []
        for index, doc in enumerate(self._docs):
            length = sum(doc.values())
            score = 0.0
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    norm = tf + self.k1 * (1 - self.b + self.b * length / self._avg)
                    score += self._idf[term] * tf * (self.k1 + 1) / norm
            scored.append((index, score))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]


def load_corpus(settings: KitSettings) -> list[dict[str, Any]]:
    path = settings.path("corpus")
    rows = read_jsonl(path)
    for row in rows:
        field_of(row, "id", str, path.name)
        field_of(row, "text", str, path.name)
    return rows


def _write(settings: KitSettings, rows: Sequence[dict[str, Any]]) -> int:
    out = settings.output("predictions")
    out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return len(rows)


def predict_rankings(settings: KitSettings) -> int:
    """Rank the corpus for every golden query: `{"id", "ranking": [passage ids]}`."""
    corpus = load_corpus(settings)
    index = BM25(corpus)
    golden = settings.path("golden")
    depth = int(settings.number("depth", 20))
    if depth < 10:
        raise EvalError("evals/config.toml: [kits.ranking] depth must be at least 10 (for @10)")
    rows = []
    for query in read_jsonl(golden):
        hits = index.search(field_of(query, "query", str, golden.name), depth)
        rows.append({"id": query["id"], "ranking": [corpus[i]["id"] for i, _ in hits]})
    return _write(settings, rows)


def answer(
    question: str, corpus: Sequence[dict[str, Any]], index: BM25, k: int, min_score: float
) -> dict[str, Any]:
    """Retrieve k passages; abstain when the best is weak, else quote the best sentence.

    The quoted sentence is the answer's single claim, cited by passage id and character span.
    """
    hits = index.search(question, k)
    retrieved = [corpus[i]["id"] for i, _ in hits]
    if not hits or hits[0][1] < min_score:
        return {"answer": None, "abstained": True, "retrieved": retrieved, "claims": []}
    wanted = set(tokens(question))
    best: tuple[int, int, str, int, int] | None = None
    for rank, (i, _) in enumerate(hits):
        text = corpus[i]["text"]
        for match in SENTENCE.finditer(text):
            overlap = len(wanted & set(tokens(match.group())))
            candidate = (overlap, -rank, corpus[i]["id"], match.start(), match.end())
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return {"answer": None, "abstained": True, "retrieved": retrieved, "claims": []}
    _, _, doc, start, end = best
    text = next(p["text"] for p in corpus if p["id"] == doc)
    span = text[start:end].strip()
    start = text.index(span, start)
    claim = {"text": span, "citation": {"doc": doc, "start": start, "end": start + len(span)}}
    return {"answer": span, "abstained": False, "retrieved": retrieved, "claims": [claim]}


def judge(question: str, first: str, second: str, reference: str) -> str:
    """Pairwise verdict "first", "second" or "tie": token F1 of each answer vs the reference.

    Replace with an LLM judge; the gate measures its position bias and human agreement.
    """
    del question  # an LLM judge would read it; token overlap does not need it

    def f1(candidate: str) -> float:
        got, want = Counter(tokens(candidate)), Counter(tokens(reference))
        common = sum((got & want).values())
        if not common:
            return 0.0
        precision, recall = common / sum(got.values()), common / sum(want.values())
        return 2 * precision * recall / (precision + recall)

    gap = f1(first) - f1(second)
    return "tie" if abs(gap) < 0.05 else ("first" if gap > 0 else "second")


def predict_answers(settings: KitSettings) -> int:
    """Answer every golden question, and judge every pair in both orders."""
    corpus = load_corpus(settings)
    index = BM25(corpus)
    golden = settings.path("golden")
    k = int(settings.number("k", 3))
    min_score = settings.number("abstain_below", 3.0)
    rows = [
        {
            "id": q["id"],
            **answer(field_of(q, "question", str, golden.name), corpus, index, k, min_score),
        }
        for q in read_jsonl(golden)
    ]
    count = _write(settings, rows)
    pairs = settings.path("judge_golden")
    verdicts = []
    for pair in read_jsonl(pairs):
        a = field_of(pair, "answer_a", str, pairs.name)
        b = field_of(pair, "answer_b", str, pairs.name)
        question = field_of(pair, "question", str, pairs.name)
        reference = field_of(pair, "reference", str, pairs.name)
        forward = {"first": "a", "second": "b", "tie": "tie"}[judge(question, a, b, reference)]
        reverse = {"first": "b", "second": "a", "tie": "tie"}[judge(question, b, a, reference)]
        verdicts.append({"id": pair["id"], "forward": forward, "reverse": reverse})
    out = settings.output("judge_predictions")
    out.write_text("".join(json.dumps(row) + "\n" for row in verdicts), encoding="utf-8")
    if not verdicts:
        raise EvalError(f"{pairs.name}: no pairs to judge")
    return count
