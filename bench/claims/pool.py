"""Pool the (query, candidate) pairs of the dev queries that a person judges (issue #16, part 1).

    python bench/claims/pool.py                       # writes var/claims-pool/pool.jsonl
    python bench/claims/pool.py --chunks 4            # ... and pool.part-1.jsonl .. part-4.jsonl
    python bench/claims/pool.py --report              # the three rankers, gold and claim-level

For every dev query the pool holds the first candidate of three rankers, and Humas's second where
its first is not a labelled answer:

* BM25 (k1=1.2, b=0.75) over lower-cased words of title + text (``run.bm25_rankings``);
* a character n-gram ranker: TF-IDF cosine over the 3- to 5-grams of the lower-cased words;
* Humas (``ClaimIndex`` with the shipped model).

A candidate that is one of the query's labelled answers (``relevant_doc_ids``) is relevant by
definition and left out. Each remaining pair gets the texts a judge reads (the post, the
candidate's title and text, the labelled answer's title) and which rankers put it there; the
judgement itself ({"query_id", "candidate_id", "label", "note"}) is written by a person into
``bench/claims/data/judged_dev.jsonl``. Nothing here decides a label.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/claims/run.py: the baselines and the data paths)

from humas.textkit.evaluation import (  # noqa: E402
    EvalQuery,
    claim_level,
    rank_metrics,
    read_corpus,
    read_judged,
    read_queries,
)
from humas.textkit.index import ClaimDocument, ClaimIndex  # noqa: E402
from humas.textkit.normalize import Analyzer  # noqa: E402

OUT = run.REPO / "var" / "claims-pool"
JUDGED = HERE / "data" / "judged_dev.jsonl"


def _doc_text(doc: ClaimDocument) -> str:
    return doc.text if doc.text.startswith(doc.title) else doc.title + "\n" + doc.text


def _char_grams(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in run._WORD.findall(text.lower()):
        padded = f" {word} "
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                counts[gram] = counts.get(gram, 0) + 1
    return counts


def char_rankings(
    docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery], k: int = 10
) -> list[list[str]]:
    """TF-IDF (log tf, smoothed idf, L2) cosine over character 3–5-grams of words."""
    vocab: dict[str, int] = {}

    def matrix(texts: Sequence[str], grow: bool) -> sp.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, text in enumerate(texts):
            for gram, c in _char_grams(text).items():
                j = vocab.get(gram)
                if j is None:
                    if not grow:
                        continue
                    j = vocab[gram] = len(vocab)
                rows.append(i)
                cols.append(j)
                vals.append(1.0 + float(np.log(c)))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)))

    tf = matrix([_doc_text(d) for d in docs], True)
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log((1 + tf.shape[0]) / (1 + df)) + 1

    def weigh(m: sp.csr_matrix) -> sp.csr_matrix:
        m = m @ sp.diags(idf[: m.shape[1]])
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sp.diags(1 / norms) @ m

    weights = weigh(tf).T.tocsr()
    ids = [d.doc_id for d in docs]
    out: list[list[str]] = []
    for start in range(0, len(queries), 256):
        q = weigh(matrix([x.text for x in queries[start : start + 256]], False))
        out.extend(run._top_k(q @ weights, ids, k))
    return out


def humas_rankings(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> list[list[str]]:
    index = ClaimIndex(analyzer=Analyzer())
    index.add(docs)
    index.prepare()
    return [[c.doc_id for c in r.candidates] for r in index.search_batch([q.text for q in queries], k=10)]


def pool(
    queries: Sequence[EvalQuery], rankings: dict[str, list[list[str]]]
) -> list[tuple[EvalQuery, str, list[str]]]:
    """(query, candidate, rankers) for every pair to judge, in query order."""
    pairs: list[tuple[EvalQuery, str, list[str]]] = []
    for i, query in enumerate(queries):
        found: dict[str, list[str]] = {}
        for name, ranked in rankings.items():
            if ranked[i]:
                found.setdefault(ranked[i][0], []).append(name)
        humas = rankings["humas"][i]
        if humas and humas[0] not in query.relevant_doc_ids and len(humas) > 1:
            found.setdefault(humas[1], []).append("humas#2")
        for candidate, names in found.items():
            if candidate not in query.relevant_doc_ids:
                pairs.append((query, candidate, names))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=run.SHARED / "factchecks" / "corpus.jsonl")
    parser.add_argument("--queries", type=Path, default=run.SHARED / "factchecks" / "queries_dev.jsonl")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chunks", type=int, default=1, help="also split the pool into this many files")
    parser.add_argument(
        "--report",
        action="store_true",
        help=f"print each ranker's figures against {JUDGED.name}, write nothing",
    )
    args = parser.parse_args(argv)
    docs = read_corpus(args.corpus)
    queries = read_queries(args.queries)
    by_id = {d.doc_id: d for d in docs}
    rankings = {
        "bm25": run.bm25_rankings(docs, queries),
        "char": char_rankings(docs, queries),
        "humas": humas_rankings(docs, queries),
    }
    if args.report:
        judged = claim_level(queries, read_judged(JUDGED))
        print("| ranker | recall@1 (gold) | MRR@10 (gold) | recall@1 (claim-level) | MRR@10 (claim-level) |")
        print("|---|---:|---:|---:|---:|")
        for name, ranked in rankings.items():
            gold, claim = rank_metrics(ranked, queries), rank_metrics(ranked, judged)
            print(
                f"| {name} | {gold.recall_at_1:.3f} | {gold.mrr_at_10:.3f} "
                f"| {claim.recall_at_1:.3f} | {claim.mrr_at_10:.3f} |"
            )
        return 0
    pairs = pool(queries, rankings)
    args.out.mkdir(parents=True, exist_ok=True)
    lines = []
    for query, candidate, names in pairs:
        doc = by_id[candidate]
        gold = by_id.get(query.query_id.removeprefix("q-")) or by_id.get(
            min(query.relevant_doc_ids, default="")
        )
        lines.append(
            json.dumps(
                {
                    "query_id": query.query_id,
                    "candidate_id": candidate,
                    "pooled_by": names,
                    "post": query.text,
                    "candidate_title": doc.title,
                    "candidate_text": _doc_text(doc)[:700],
                    "gold_title": gold.title if gold else "",
                },
                ensure_ascii=False,
            )
        )
    (args.out / "pool.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.chunks > 1:
        size = -(-len(lines) // args.chunks)
        for n in range(args.chunks):
            part = lines[n * size : (n + 1) * size]
            (args.out / f"pool.part-{n + 1}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
    print(f"{len(queries)} queries, {len(pairs)} pairs to judge -> {args.out / 'pool.jsonl'}")
    for name in rankings:
        print(
            f"  {name}: first candidate not a labelled answer on {sum(1 for q, _, n in pairs if name in n)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
