"""Reading claim-matching corpora/queries and computing retrieval metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .index import ClaimDocument, ClaimIndex

__all__ = [
    "JUDGEMENTS",
    "CorpusError",
    "EvalQuery",
    "Judgement",
    "Metrics",
    "claim_level",
    "decision_figures",
    "evaluate_index",
    "rank_metrics",
    "read_corpus",
    "read_judged",
    "read_queries",
]

# How a person judged a (post, fact-check) pair: the fact-check checks the same specific claim as
# the post ("same": reworded, re-dated or from another outlet), another claim about the same
# topic, person or scam family ("related"), or something else ("different").
JUDGEMENTS = ("same", "related", "different")
DECISIONS = ("match", "suggestion", "none")


class CorpusError(ValueError):
    """A JSONL input line is unusable; carries the file, line number and reason."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EvalQuery:
    query_id: str
    text: str
    relevant_doc_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class Judgement:
    query_id: str
    candidate_id: str
    label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Metrics:
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "queries": self.queries,
            "recall@1": round(self.recall_at_1, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr@10": round(self.mrr_at_10, 4),
        }


def _read_jsonl(path: str | Path, required: dict[str, type | tuple[type, ...]]) -> list[dict[str, object]]:
    """All records, or a :class:`CorpusError` for the first bad line (nothing partial)."""
    name = str(path)
    rows: list[dict[str, object]] = []
    try:
        fh = open(path, "rb")  # noqa: SIM115 - bytes, so a bad line is found by its own number
    except OSError as exc:
        raise CorpusError(name, 0, f"cannot open: {exc.strerror or exc}") from exc
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CorpusError(name, lineno, "not valid UTF-8") from exc
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(name, lineno, f"invalid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise CorpusError(name, lineno, "expected a JSON object")
            for key, typ in required.items():
                if key not in obj:
                    raise CorpusError(name, lineno, f"missing field {key!r}")
                if not isinstance(obj[key], typ):
                    raise CorpusError(name, lineno, f"field {key!r} has the wrong type")
            rows.append(obj)
    return rows


def read_corpus(path: str | Path) -> list[ClaimDocument]:
    """Documents of a corpus file; an empty or repeated ``doc_id`` is an error (with its record number)."""
    rows = _read_jsonl(path, {"doc_id": str, "title": str, "text": str})
    seen: set[str] = set()
    docs = []
    for i, r in enumerate(rows, start=1):
        doc_id = str(r["doc_id"])
        if not doc_id:
            raise CorpusError(str(path), i, "empty doc_id (record number)")
        if doc_id in seen:
            raise CorpusError(str(path), i, f"repeated doc_id {doc_id!r} (record number)")
        seen.add(doc_id)
        docs.append(ClaimDocument(doc_id, str(r["title"]), str(r["text"])))
    return docs


def read_queries(path: str | Path) -> list[EvalQuery]:
    rows = _read_jsonl(path, {"query_id": str, "text": str, "relevant_doc_ids": list})
    out = []
    for r in rows:
        rel = r["relevant_doc_ids"]
        assert isinstance(rel, list)  # noqa: S101 - checked by _read_jsonl
        out.append(EvalQuery(str(r["query_id"]), str(r["text"]), frozenset(str(x) for x in rel)))
    return out


def rank_metrics(rankings: Sequence[Sequence[str]], queries: Sequence[EvalQuery]) -> Metrics:
    """recall@1, recall@5 and MRR@10 (a query counts if any relevant id is ranked)."""
    r1 = r5 = mrr = 0.0
    for ranked, q in zip(rankings, queries, strict=True):
        rank = next((i for i, d in enumerate(ranked[:10], start=1) if d in q.relevant_doc_ids), None)
        if rank is None:
            continue
        r1 += rank == 1
        r5 += rank <= 5
        mrr += 1.0 / rank
    n = max(1, len(queries))
    return Metrics(len(queries), r1 / n, r5 / n, mrr / n)


def read_judged(path: str | Path) -> list[Judgement]:
    """Judged pairs (``query_id``, ``candidate_id``, ``label``, optional ``note``); a label other
    than :data:`JUDGEMENTS` or a pair judged twice is an error (with its line number)."""
    rows = _read_jsonl(path, {"query_id": str, "candidate_id": str, "label": str})
    seen: set[tuple[str, str]] = set()
    out: list[Judgement] = []
    for i, r in enumerate(rows, start=1):
        label = str(r["label"])
        if label not in JUDGEMENTS:
            raise CorpusError(
                str(path), i, f"label {label!r} is not one of {', '.join(JUDGEMENTS)} (record number)"
            )
        pair = (str(r["query_id"]), str(r["candidate_id"]))
        if pair in seen:
            raise CorpusError(str(path), i, f"pair {pair[0]!r}, {pair[1]!r} judged twice (record number)")
        seen.add(pair)
        out.append(Judgement(pair[0], pair[1], label, str(r.get("note", ""))))
    return out


def claim_level(queries: Sequence[EvalQuery], judged: Sequence[Judgement]) -> list[EvalQuery]:
    """The queries with every candidate judged "same" counted as relevant, beside the labelled
    answers (claim-level relevance; a pair nobody judged counts as not relevant: a lower bound)."""
    same: dict[str, set[str]] = {}
    for j in judged:
        if j.label == "same":
            same.setdefault(j.query_id, set()).add(j.candidate_id)
    return [
        EvalQuery(q.query_id, q.text, q.relevant_doc_ids | frozenset(same.get(q.query_id, ())))
        for q in queries
    ]


def decision_figures(
    decisions: Sequence[str], best: Sequence[str | None], queries: Sequence[EvalQuery]
) -> dict[str, dict[str, float | int]]:
    """For each decision (``match``, ``suggestion``, ``none``, and ``match`` and ``suggestion``
    together): how many queries got it, their share, and the precision of their first candidate
    (the share of them whose first candidate is relevant)."""
    total = max(1, len(queries))
    groups: dict[str, tuple[str, ...]] = {d: (d,) for d in DECISIONS}
    groups["match+suggestion"] = ("match", "suggestion")
    out: dict[str, dict[str, float | int]] = {}
    for name, members in groups.items():
        picked = [(b, q) for d, b, q in zip(decisions, best, queries, strict=True) if d in members]
        right = sum(1 for b, q in picked if b is not None and b in q.relevant_doc_ids)
        out[name] = {
            "queries": len(picked),
            "share": round(len(picked) / total, 4),
            "precision": round(right / len(picked), 4) if picked else 0.0,
        }
    return out


def evaluate_index(
    docs: Sequence[ClaimDocument],
    queries: Sequence[EvalQuery],
    *,
    k: int = 10,
    make_index: Callable[[], ClaimIndex] = ClaimIndex,
    judged: Sequence[Judgement] | None = None,
) -> dict[str, object]:
    """Index ``docs``, rank every query, and report metrics and timings; with ``judged`` pairs,
    also the claim-level metrics (gold + pairs judged "same"), on which the decisions are then
    scored."""
    t0 = time.perf_counter()
    index = make_index()
    index.add(docs)
    index.prepare()
    index_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    results = index.search_batch([q.text for q in queries], k=max(k, 10))
    query_seconds = time.perf_counter() - t1
    rankings = [[c.doc_id for c in r.candidates] for r in results]
    report: dict[str, object] = dict(rank_metrics(rankings, queries).as_dict())
    report["index_seconds"] = round(index_seconds, 3)
    report["queries_per_second"] = round(len(queries) / query_seconds, 1) if query_seconds > 0 else 0.0
    scored = list(queries)
    if judged is not None:
        scored = claim_level(queries, judged)
        known = {q.query_id for q in queries}
        report["judged_pairs"] = sum(1 for j in judged if j.query_id in known)
        report["claim_level"] = rank_metrics(rankings, scored).as_dict()
    report["decisions"] = decision_figures(
        [str(r.decision) for r in results],
        [r.best.doc_id if r.best is not None else None for r in results],
        scored,
    )
    return report
