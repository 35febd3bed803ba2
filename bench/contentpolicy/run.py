"""Precision, recall and speed of the content-policy checker on the labelled sentences.

    python bench/contentpolicy/run.py [--data PATH] [--json PATH] [--quiet]

A finding is correct when an expected finding of the same family overlaps its span; an expected
finding is found when a finding of its family overlaps it. Figures are given for the "dev-" half
(read while the rules were written) and the "held-" half (written first, never tuned on) apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from humas.textkit.contentpolicy import FAMILIES, Finding, check  # noqa: E402

DATA = Path(__file__).parent / "data" / "sentences.jsonl"


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    expected: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FAMILIES})
    confusions: list[str] = field(default_factory=list)
    sentences: int = 0


def read_sentences(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_checker(row: dict[str, Any]) -> list[Finding]:
    return check(
        row["text"],
        known_contacts=row.get("known_contacts", ()),
        official_hosts=row.get("official_hosts", ()),
    )


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score(rows: Sequence[dict[str, Any]]) -> Report:
    report = Report(sentences=len(rows))
    for row in rows:
        text, expected, findings = row["text"], row["findings"], run_checker(row)
        for f in findings:
            hit = any(
                e["family"] == f.family and _overlaps(f.start, f.end, e["start"], e["end"]) for e in expected
            )
            tally = report.tallies[f.family]
            if hit:
                tally.true_positives += 1
            else:
                tally.false_positives += 1
                report.confusions.append(f"FP {f.family:<18} {row['id']}: «{f.excerpt}» in {text!r}")
        for e in expected:
            tally = report.tallies[e["family"]]
            tally.expected += 1
            if any(
                f.family == e["family"] and _overlaps(f.start, f.end, e["start"], e["end"]) for f in findings
            ):
                tally.found += 1
            else:
                span = text[e["start"] : e["end"]]
                report.confusions.append(f"MISS {e['family']:<16} {row['id']}: «{span}» in {text!r}")
    return report


def speed(rows: Sequence[dict[str, Any]], repeats: int = 5) -> float:
    """Sentences per second, best of ``repeats`` passes (the rule set is compiled before)."""
    run_checker(rows[0])
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        for row in rows:
            run_checker(row)
        best = min(best, time.perf_counter() - began)
    return len(rows) / best


def print_report(name: str, report: Report, quiet: bool) -> None:
    print(f"\n== {name}: {report.sentences} sentences")
    print(f"{'family':<20}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'found':>7}{'expected':>10}")
    for family, t in report.tallies.items():
        print(
            f"{family:<20}{t.precision:>10.3f}{t.recall:>8.3f}{t.true_positives:>5}"
            f"{t.false_positives:>5}{t.found:>7}{t.expected:>10}"
        )
    if not quiet:
        for line in report.confusions:
            print("  " + line)


def as_json(report: Report) -> dict[str, Any]:
    return {
        "sentences": report.sentences,
        "families": {
            f: {
                "precision": round(t.precision, 4),
                "recall": round(t.recall, 4),
                "true_positives": t.true_positives,
                "false_positives": t.false_positives,
                "found": t.found,
                "expected": t.expected,
            }
            for f, t in report.tallies.items()
        },
        "confusions": report.confusions,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--quiet", action="store_true", help="do not list the confusions")
    args = parser.parse_args(argv)

    rows = read_sentences(args.data)
    halves = {
        "dev": [r for r in rows if r["id"].startswith("dev-")],
        "held": [r for r in rows if r["id"].startswith("held-")],
        "all": rows,
    }
    reports = {name: score(part) for name, part in halves.items()}
    for name, report in reports.items():
        print_report(name, report, args.quiet or name == "all")
    rate = speed(rows)
    print(f"\nspeed: {rate:,.0f} sentences/s (best of 5, {len(rows)} sentences, one core)")
    if args.json:
        payload = {name: as_json(r) for name, r in reports.items()}
        payload["sentences_per_second"] = round(rate)
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
