"""The texts and fact-checks the monitoring benchmark feeds in, read from ``../shared/data`` (the
benchmark may read it; the product never does).

* Knowledge base: every line of ``factchecks/corpus.jsonl`` (TurnBackHoax fact-checks), as external
  claims in the record shape ``humas.factcheck.records`` reads.
* Stream: the tweets of ``posts/pilpres2024_tweets.csv``, the circulated texts of
  ``factchecks/queries_dev.jsonl`` and ``factchecks/factchecks_dev.jsonl`` (their ``narrative``), and
  the headlines of ``hoax_news/pilpres2024_headlines_hoax_valid.csv``, interleaved in a fixed
  pseudo-random order. A longer stream repeats that order (each repetition a new item id).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
SEED = 20240214


@dataclass(frozen=True)
class Text:
    origin: str  # tweets, queries, factchecks, headlines
    text: str


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def claim_records() -> list[dict[str, object]]:
    """Every fact-check of the corpus, as ``claims_upsert_external`` takes them."""
    return _jsonl(SHARED / "factchecks" / "corpus.jsonl")


def stream_texts() -> list[Text]:
    """The distinct-source texts of the stream, in the benchmark's fixed order."""
    texts: list[Text] = []
    with (SHARED / "posts" / "pilpres2024_tweets.csv").open(encoding="utf-8", newline="") as handle:
        texts += [Text("tweets", row["text"]) for row in csv.DictReader(handle)]
    texts += [
        Text("queries", str(row["text"])) for row in _jsonl(SHARED / "factchecks" / "queries_dev.jsonl")
    ]
    for row in _jsonl(SHARED / "factchecks" / "factchecks_dev.jsonl"):
        text = str(row.get("narrative") or row.get("title") or "")
        texts.append(Text("factchecks", text))
    headlines = SHARED / "hoax_news" / "pilpres2024_headlines_hoax_valid.csv"
    with headlines.open(encoding="utf-8", newline="") as handle:
        texts += [Text("headlines", row["title"]) for row in csv.DictReader(handle)]
    texts = [t for t in texts if t.text.strip()]
    random.Random(SEED).shuffle(texts)
    return texts


def stream(count: int) -> list[Text]:
    """``count`` texts: the stream's order, repeated as often as needed."""
    base = stream_texts()
    return [base[i % len(base)] for i in range(count)]
