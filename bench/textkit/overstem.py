"""Frequency pass for the stemmer's overrides: the words Sastrawi changes, most frequent first.

    python bench/textkit/overstem.py            # writes var/overstem.tsv: word<TAB>stem<TAB>count

Reads the fact-check corpus, the dev queries and the Pilpres 2024 tweets (``../shared/data``) and
lists every word of five letters or more seen at least five times whose stem differs from it,
as the shipped analyzer stems it (words already in ``humas/textkit/data/protected_stems.txt``
show their protected stem, so a second pass lists only what is left). The list is read by hand:
a stem that is another word (``meninggal`` -> ``tinggal``, ``pemerintah`` -> ``perintah``,
``peserta`` -> the stop-word ``serta``), or a proper name mangled (``terawan`` -> ``awan``), goes
into ``protected_stems.txt`` with its right stem; a stem of the same family (``membantu`` ->
``bantu``) stays. The 2026-12-06 pass read all 2,744 rows and added 253 entries.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "var" / "overstem.tsv"
sys.path.insert(0, str(REPO))

from humas.textkit.normalize import Analyzer  # noqa: E402

WORD = re.compile(r"[a-z]+")
MIN_LENGTH = 5
MIN_COUNT = 5


def texts() -> Iterator[str]:
    with (DATA / "factchecks" / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                yield row.get("title") or ""
                yield row.get("text") or ""
    with (DATA / "factchecks" / "queries_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line).get("text") or ""
    with (DATA / "posts" / "pilpres2024_tweets.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield row.get("text") or ""


def main() -> int:
    counts: Counter[str] = Counter()
    for text in texts():
        counts.update(WORD.findall(text.lower()))
    analyzer = Analyzer()
    rows = [
        (word, stem, n)
        for word, n in counts.items()
        if len(word) >= MIN_LENGTH and n >= MIN_COUNT and (stem := analyzer.stem(word)) != word
    ]
    rows.sort(key=lambda r: (-r[2], r[0]))
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        handle.writelines(f"{word}\t{stem}\t{n}\n" for word, stem, n in rows)
    print(f"{len(rows)} words the stemmer changes -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
