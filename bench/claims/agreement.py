"""Agreement of the two passes over the spot-checked sample of the judged dev pairs.

    python bench/claims/agreement.py    # data/judged_dev.jsonl against data/judged_dev_spotcheck.jsonl

A random sample of the pooled pairs (``pool.py``, seed 16) was judged a second time, blind to the
first labels. Prints the raw agreement and Cohen's kappa over the three labels and over "same"
against the rest (the distinction the claim-level figures rest on), and the confusion table.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ("same", "related", "different")


def kappa(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> tuple[float, float]:
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in labels) / (n * n)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main() -> int:
    def read(name: str) -> list[dict[str, str]]:
        with (HERE / "data" / name).open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    first = {(r["query_id"], r["candidate_id"]): r["label"] for r in read("judged_dev.jsonl")}
    second = read("judged_dev_spotcheck.jsonl")
    pairs = [(first[(r["query_id"], r["candidate_id"])], r["label"]) for r in second]
    agree, k = kappa(pairs, LABELS)
    binary = [("same" if a == "same" else "other", "same" if b == "same" else "other") for a, b in pairs]
    agree_same, k_same = kappa(binary, ("same", "other"))
    print(f"{len(pairs)} pairs judged twice")
    print(f"three labels: agreement {agree:.3f}, Cohen's kappa {k:.3f}")
    print(f"'same' or not: agreement {agree_same:.3f}, Cohen's kappa {k_same:.3f}")
    table = Counter(pairs)
    print("first \\ second  " + "  ".join(f"{label:>9}" for label in LABELS))
    for a in LABELS:
        print(f"{a:>14}  " + "  ".join(f"{table[(a, b)]:>9}" for b in LABELS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
