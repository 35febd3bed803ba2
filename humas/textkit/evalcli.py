"""``humas claims eval``: evaluate claim matching on JSONL files, without a database.

Usage (``argv`` is what follows ``humas claims``)::

    humas claims eval --corpus CORPUS.jsonl --queries QUERIES.jsonl [--judged PAIRS.jsonl] [--k 10] [--json]
    python -m humas.textkit.evalcli eval --corpus ... --queries ... --json

With ``--json`` the last line of standard output is one JSON object with
``queries``, ``recall@1``, ``recall@5``, ``mrr@10`` (against the labelled answers),
``index_seconds``, ``queries_per_second`` and ``decisions``: for ``match``,
``suggestion``, ``none`` and ``match+suggestion``, the number of queries that got
it, their ``share`` and the ``precision`` of their first candidate. With
``--judged`` (pairs a person judged ``same`` / ``related`` / ``different``), also
``judged_pairs`` and ``claim_level`` (recall and MRR with every pair judged
``same`` counted as relevant too), and the decisions are scored claim-level.
"""

from __future__ import annotations

import argparse
import json
import sys

from .evaluation import CorpusError, evaluate_index, read_corpus, read_judged, read_queries

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="humas claims", description="Claim-matching tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="index a corpus, rank every query, report recall and MRR")
    ev.add_argument("--corpus", required=True, help="JSONL with doc_id, title, text")
    ev.add_argument("--queries", required=True, help="JSONL with query_id, text, relevant_doc_ids")
    ev.add_argument(
        "--judged",
        help="JSONL with query_id, candidate_id, label (same/related/different): claim-level figures",
    )
    ev.add_argument("--k", type=int, default=10, help="candidates returned per query (default 10)")
    ev.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.k < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return 2
    try:
        docs = read_corpus(args.corpus)
        queries = read_queries(args.queries)
        judged = read_judged(args.judged) if args.judged else None
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not docs:
        print(f"error: {args.corpus}: no documents", file=sys.stderr)
        return 2
    report = evaluate_index(docs, queries, k=args.k, judged=judged)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            if isinstance(value, dict):
                print(f"{key:>20}:")
                for name, figure in value.items():
                    print(f"{name:>24}: {figure}")
            else:
                print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
