"""Build and score the near-duplicate pair set.

    python bench/textkit/dup_pairs.py build      # writes bench/textkit/data/dup_pairs.jsonl
    python bench/textkit/dup_pairs.py evaluate   # precision / recall of humas.textkit.dedupe

The pair file holds references and edit recipes, not text: the posts and
fact-check narratives it points at (``../shared/data/posts`` and
``../shared/data/factchecks``) may not be republished, so ``evaluate`` rebuilds
every text from the shared data and the recipe.

How the pairs are made (seed 20240214, fully deterministic):

* ``real-exact`` (positive): two post ids whose tweets have the same text.
* ``real-alternate`` (positive): two fact-check narratives of the same duplicate
  group whose word sets overlap by Jaccard >= 0.8 (the dataset's own rule for
  "same narrative checked twice").
* ``variant`` (positive): a post or narrative and a copy edited by 1-4 operations
  that copy-paste spreading produces: case change, a new or removed link, an
  "RT @handle:" prefix, added hashtags, emoji, a filler word, slang spellings
  (tidak -> gak, yang -> yg), an elongated word, one word dropped, the last
  tenth cut off, punctuation stripped.
* ``random`` (negative): two different posts drawn at random.
* ``topical`` (negative): a post and the other post with the highest word-set
  Jaccard in [0.2, 0.5): same topic and wording, not a copy.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
PAIRS = Path(__file__).resolve().parent / "data" / "dup_pairs.jsonl"
SEED = 20240214

FILLERS = ["guys", "tolong", "cek", "wah", "parah", "simak", "viralkan", "info"]
HASHTAGS = ["#pemilu2024", "#KPU", "#pilpres2024", "#viral", "#fyp", "#HoaxAlert"]
EMOJI = ["😡", "🔥", "‼️", "🙏", "😱", "👇"]
SLANG = {"tidak": "gak", "yang": "yg", "dengan": "dgn", "untuk": "utk", "sudah": "udah", "karena": "krn"}


def load_posts() -> dict[str, str]:
    with (SHARED / "posts" / "pilpres2024_tweets.csv").open(encoding="utf-8", newline="") as fh:
        return {row["post_id"]: row["text"] for row in csv.DictReader(fh)}


def load_narratives() -> tuple[dict[str, str], dict[str, str]]:
    text: dict[str, str] = {}
    group: dict[str, str] = {}
    with (SHARED / "factchecks" / "factchecks_dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if len(r["narrative"].split()) >= 8:
                text[r["id"]] = r["narrative"]
                group[r["id"]] = r["duplicate_group"]
    return text, group


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def random_ops(rng: random.Random) -> list[list[object]]:
    kinds = ["case", "link", "rt", "hashtags", "emoji", "filler", "slang", "elongate", "drop", "cut", "punct"]
    ops: list[list[object]] = []
    for kind in rng.sample(kinds, rng.randint(1, 4)):
        if kind == "case":
            ops.append([kind, rng.choice(["upper", "lower"])])
        elif kind == "link":
            ops.append([kind, f"https://t.co/{rng.randrange(16**8):08x}"])
        elif kind == "rt":
            ops.append([kind, f"@user{rng.randrange(10_000)}"])
        elif kind == "hashtags":
            ops.append([kind, rng.sample(HASHTAGS, 2)])
        elif kind == "emoji":
            ops.append([kind, rng.choice(EMOJI) * rng.randint(1, 3)])
        elif kind == "filler":
            ops.append([kind, rng.choice(FILLERS), rng.random()])
        elif kind in ("elongate", "drop"):
            ops.append([kind, rng.random()])
        else:
            ops.append([kind])
    return ops


def apply_ops(text: str, ops: list[list[object]]) -> str:
    for op in ops:
        kind = op[0]
        toks = text.split()
        if kind == "case":
            text = text.upper() if op[1] == "upper" else text.lower()
        elif kind == "link":
            text = re.sub(r"https?://\S+", "", text).strip() + " " + str(op[1])
        elif kind == "rt":
            text = f"RT {op[1]}: {text}"
        elif kind == "hashtags":
            text = text + " " + " ".join(str(h) for h in op[1])  # type: ignore[union-attr]
        elif kind == "emoji":
            text = f"{text} {op[1]}"
        elif kind == "filler" and toks:
            pos = int(float(op[2]) * len(toks))  # type: ignore[arg-type]
            toks.insert(pos, str(op[1]))
            text = " ".join(toks)
        elif kind == "slang":
            text = " ".join(SLANG.get(t.lower(), t) for t in toks)
        elif kind == "elongate" and toks:
            i = int(float(op[1]) * len(toks))  # type: ignore[arg-type]
            t = toks[i]
            vowels = [j for j, ch in enumerate(t) if ch.lower() in "aiueo"]
            if vowels:
                j = vowels[-1]
                toks[i] = t[: j + 1] + t[j] * 3 + t[j + 1 :]
            text = " ".join(toks)
        elif kind == "drop" and len(toks) > 4:
            del toks[int(float(op[1]) * len(toks))]  # type: ignore[arg-type]
            text = " ".join(toks)
        elif kind == "cut" and len(toks) > 10:
            text = " ".join(toks[: len(toks) - max(1, len(toks) // 10)])
        elif kind == "punct":
            text = re.sub(r"[^\w\s@#/:.]", " ", text)
    return text


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    posts = load_posts()
    narratives, group = load_narratives()
    pairs: list[dict[str, object]] = []
    by_text: dict[str, list[str]] = defaultdict(list)
    for pid, text in posts.items():
        by_text[text].append(pid)
    for ids in by_text.values():
        if len(ids) > 1:
            pairs.append({"kind": "real-exact", "label": 1, "a": ["post", ids[0]], "b": ["post", ids[1]]})
    members: dict[str, list[str]] = defaultdict(list)
    for nid, g in group.items():
        members[g].append(nid)
    for ids in members.values():
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                if jaccard(words(narratives[ids[i]]), words(narratives[ids[j]])) >= 0.8:
                    pairs.append(
                        {
                            "kind": "real-alternate",
                            "label": 1,
                            "a": ["narrative", ids[i]],
                            "b": ["narrative", ids[j]],
                        }
                    )
    long_posts = sorted(p for p, t in posts.items() if len(t.split()) >= 8)
    for pid in rng.sample(long_posts, 600):
        pairs.append(
            {"kind": "variant", "label": 1, "a": ["post", pid], "b": ["post", pid], "ops": random_ops(rng)}
        )
    for nid in rng.sample(sorted(narratives), 400):
        pairs.append(
            {
                "kind": "variant",
                "label": 1,
                "a": ["narrative", nid],
                "b": ["narrative", nid],
                "ops": random_ops(rng),
            }
        )
    distinct = sorted({ids[0] for ids in by_text.values()})
    for _ in range(1000):
        a, b = rng.sample(distinct, 2)
        pairs.append({"kind": "random", "label": 0, "a": ["post", a], "b": ["post", b]})
    sample = rng.sample([p for p in distinct if len(posts[p].split()) >= 8], 800)
    word_sets = {p: words(posts[p]) for p in distinct}
    for a in sample:
        best, best_j = None, 0.0
        for b in distinct:
            if b == a:
                continue
            j = jaccard(word_sets[a], word_sets[b])
            if 0.2 <= j < 0.5 and j > best_j:
                best, best_j = b, j
        if best is not None:
            pairs.append({"kind": "topical", "label": 0, "a": ["post", a], "b": ["post", best]})
    return pairs


def resolve(pairs: list[dict[str, object]]) -> list[tuple[str, str, int, str]]:
    posts = load_posts()
    narratives, _ = load_narratives()
    source = {"post": posts, "narrative": narratives}
    out = []
    for p in pairs:
        a_kind, a_id = p["a"]  # type: ignore[misc]
        b_kind, b_id = p["b"]  # type: ignore[misc]
        a = source[a_kind][a_id]
        b = source[b_kind][b_id]
        if "ops" in p:
            b = apply_ops(b, p["ops"])  # type: ignore[arg-type]
        out.append((a, b, int(p["label"]), str(p["kind"])))  # type: ignore[call-overload]
    return out


def evaluate(threshold: float | None = None) -> dict[str, object]:
    sys.path.insert(0, str(REPO))
    from humas.textkit.dedupe import NearDuplicateIndex

    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    texts = resolve(pairs)
    kwargs = {} if threshold is None else {"threshold": threshold}
    tp = fp = fn = tn = 0
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    t0 = time.perf_counter()
    for a, b, label, kind in texts:
        index = NearDuplicateIndex(**kwargs)  # type: ignore[arg-type]
        index.add("a", a)
        predicted = any(h.key == "a" for h in index.find_all(b))
        tp += predicted and label == 1
        fp += predicted and label == 0
        fn += (not predicted) and label == 1
        tn += (not predicted) and label == 0
        per_kind[kind][0] += predicted == bool(label)
        per_kind[kind][1] += 1
    seconds = time.perf_counter() - t0
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "pairs": len(texts),
        "positives": tp + fn,
        "negatives": fp + tn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "accuracy_by_kind": {k: round(v[0] / v[1], 4) for k, v in sorted(per_kind.items())},
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["build", "evaluate"])
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args(argv)
    if not SHARED.exists():
        print(f"shared data not found at {SHARED}", file=sys.stderr)
        return 2
    if args.command == "build":
        pairs = build()
        PAIRS.parent.mkdir(parents=True, exist_ok=True)
        with PAIRS.open("w", encoding="utf-8") as fh:
            for p in pairs:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
        counts: dict[str, int] = defaultdict(int)
        for p in pairs:
            counts[str(p["kind"])] += 1
        print(json.dumps({"pairs": len(pairs), **counts}))
    else:
        print(json.dumps(evaluate(args.threshold)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
