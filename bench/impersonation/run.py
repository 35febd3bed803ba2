"""Impersonation benchmark (issue #17): does ``humas.textkit.lookalike`` flag the accounts that
imitate an office's official accounts, and leave the innocent look-alikes alone?

    python bench/impersonation/run.py                    # quality, errors, speed; Markdown on stdout
    python bench/impersonation/run.py --json figures.json

Reads ``data/pairs.jsonl`` (labelled by reading each pair, see ``data/README.md``) and the region
list (``../shared/data/regions``, or the copy packaged in ``humas/offices/data``), from which it
synthesizes the registry: 553 offices x 6 platforms of official accounts whose handles follow the
patterns real offices use (``kpu_kab_jepara``, ``kpujepara``, ``kpu.kabbantul``, ``kpukotasemarang``,
``kpujateng``, ``KPU_ID``), deterministic (hashes of the region code, no random state).

Each pair is scored the way monitoring uses the scorer: ``LookalikeIndex.find(candidate,
candidate_name, platform)`` over the whole registry, and the pair's score is that of the hit on the
pair's official account (0 when there is none). Also reported, on the same pairs:

* the scorer with no registry (``lookalike.score`` on the pair alone): what it knows from the two
  names, without the knowledge that ``kpu_ntt`` is a real office;
* the peers: ``difflib.SequenceMatcher`` ratio and a normalised Levenshtein similarity on the
  casefolded handles (``@`` dropped), each with its own threshold picked by the same rule.

**The threshold rule**: the cut that maximises F1 on the scores (cuts halfway between consecutive
distinct scores; a tie goes to the higher cut). The figures are given at the threshold the module
ships (``DEFAULT_THRESHOLD``), at the rule's cut on the whole set, and 5-fold cross-validated
(stratified by label, seed 17: the rule picks the cut on four folds, the fifth is scored with it;
the held-out predictions are pooled), so the cut is not fitted to the pairs it is judged on.

Speed: lookups per second, one call at a time, against the full registry (3,318 accounts), for
the pairs' candidates (most contain "kpu": the slow path) and for the @mentions of the 4,043
election tweets (a real stream: most do not); the peer's lookup is a scan of the platform's 553
official handles with ``SequenceMatcher``, as a method without an index would do.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import hashlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
PAIRS = HERE / "data" / "pairs.jsonl"
REGIONS = SHARED / "regions" / "wilayah_provinsi_kabkota.csv"
PACKAGED_REGIONS = REPO / "humas" / "offices" / "data" / "wilayah_provinsi_kabkota.csv"
TWEETS = SHARED / "posts" / "pilpres2024_tweets.csv"
sys.path.insert(0, str(REPO))

from humas.textkit.lookalike import DEFAULT_THRESHOLD, LookalikeIndex, Official, score  # noqa: E402

PLATFORMS = ("instagram", "facebook", "x", "tiktok", "youtube", "telegram")
FOLDS = 5
SEED = 17  # the number


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- the synthetic registry --------------------------------------------------------------------
PROVINCE_SHORT = {
    "11": "aceh", "12": "sumut", "13": "sumbar", "14": "riau", "15": "jambi", "16": "sumsel",
    "17": "bengkulu", "18": "lampung", "19": "babel", "21": "kepri", "31": "dki", "32": "jabar",
    "33": "jateng", "34": "diy", "35": "jatim", "36": "banten", "51": "bali", "52": "ntb", "53": "ntt",
    "61": "kalbar", "62": "kalteng", "63": "kalsel", "64": "kaltim", "65": "kaltara", "71": "sulut",
    "72": "sulteng", "73": "sulsel", "74": "sultra", "75": "gorontalo", "76": "sulbar", "81": "maluku",
    "82": "malut", "91": "papua", "92": "papuabarat", "93": "papuaselatan", "94": "papuatengah",
    "95": "papuapegunungan", "96": "papuabaratdaya",
}  # fmt: skip
PROVINCE_NAME = {"31": "DKI Jakarta", "34": "DIY"}
# the short forms offices with long names use in their handles
PLACE_SHORT = {
    "31.71": "jakpus", "31.72": "jakut", "31.73": "jakbar", "31.74": "jaksel", "31.75": "jaktim",
    "31.01": "kepseribu", "36.74": "tangsel", "11.12": "abdya", "63.06": "hss", "63.07": "hst",
    "63.08": "hsu", "32.17": "kbb", "62.01": "kobar", "62.02": "kotim", "16.01": "oku", "16.02": "oki",
    "16.08": "okutimur", "16.09": "okuselatan", "12.23": "labura", "12.22": "labusel", "12.13": "madina",
    "15.06": "tanjabbar", "15.07": "tanjabtim", "64.09": "ppu", "64.02": "kukar", "64.07": "kubar",
    "64.08": "kutim", "16.12": "pali", "16.13": "muratara", "18.12": "tubaba", "53.02": "tts",
    "53.03": "ttu", "53.18": "sbd", "71.09": "sitaro", "71.08": "bolmut", "71.10": "boltim",
    "71.11": "bolsel", "71.01": "bolmong", "81.05": "sbt", "81.06": "sbb", "81.08": "mbd",
    "72.09": "touna", "73.10": "pangkep", "12.20": "paluta", "14.09": "kuansing", "14.02": "inhu",
    "14.04": "inhil", "14.06": "rohul", "14.07": "rohil", "12.18": "sergai", "12.16": "humbahas",
}  # fmt: skip
# other names of a place that people (and impersonators) use; passed to the index as aliases
ALIASES = {
    "33.72": ("solo",), "34.71": ("jogja", "yogya"), "34": ("jogja", "yogya", "yogyakarta"),
    "35.78": ("sby",), "33.74": ("smg",), "31": ("jakarta",), "32.73": ("bdg",), "51.71": ("dps",),
    "73.71": ("mks",), "12.71": ("mdn",),
}  # fmt: skip
SHORT_WORD = {"barat": "bar", "timur": "tim", "selatan": "sel", "utara": "ut", "tengah": "teng",
              "tenggara": "tgr", "daya": "dya", "kepulauan": "kep"}  # fmt: skip
MAX_LEN = {"x": 15, "instagram": 30, "tiktok": 24, "youtube": 30, "telegram": 32, "facebook": 50}
STYLES = {
    "kabupaten": ("kpu{p}", "kpu_{p}", "kpukab{p}", "kpu_kab_{p}", "kpu.kab{p}", "kpu.{p}", "kpukab.{p}"),
    "kabupaten!": ("kpukab{p}", "kpu_kab_{p}", "kpu.kab{p}", "kpukab.{p}", "kpukabupaten{p}"),
    "kota": ("kpu{p}", "kpu_{p}", "kpukota{p}", "kpu_kota_{p}", "kpu.kota{p}", "kpu.{p}"),
    "kota!": ("kpukota{p}", "kpu_kota_{p}", "kpu.kota{p}", "kpukota.{p}"),
    "provinsi": ("kpu{p}", "kpu_{p}", "kpuprov{p}", "kpu_prov_{p}", "kpu.{p}"),
    "provinsi!": ("kpuprov{p}", "kpu_prov_{p}", "kpuprovinsi{p}"),
}  # "!": a place name two offices share, so the handle must say which
NATIONAL = {"x": "KPU_ID", "instagram": "kpu_ri", "facebook": "KPURI", "tiktok": "kpu_ri",
            "youtube": "KPURI", "telegram": "kpu_ri"}  # fmt: skip


@dataclass(frozen=True)
class Office:
    code: str
    level: str  # pusat / provinsi / kabupaten / kota
    name: str  # "KPU Kabupaten Jepara"
    place: str  # "jepara"
    words: tuple[str, ...]  # the place's words, for short forms
    ambiguous: bool  # another office has the same place name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def offices() -> list[Office]:
    path = REGIONS if REGIONS.exists() else PACKAGED_REGIONS
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    bare = {r["code"]: re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", r["name"]) for r in rows}
    counts = Counter(_slug(b) for b in bare.values())
    out = [Office("00", "pusat", "KPU RI", "ri", ("ri",), False)]
    for r in rows:
        code, level, b = r["code"], r["level"], bare[r["code"]]
        if level == "provinsi":
            place = PROVINCE_SHORT[code]
            name = f"KPU Provinsi {PROVINCE_NAME.get(code, b)}"
        else:
            place = PLACE_SHORT.get(code, _slug(b))
            b = b.replace("Kep. ", "Kepulauan ")
            name = f"KPU {'Kabupaten' if level == 'kabupaten' else 'Kota'} {b}"
        words = tuple(_slug(w) for w in b.replace("-", " ").split()) if place == _slug(b) else (place,)
        out.append(Office(code, level, name, place, words, counts[_slug(bare[code])] > 1))
    return out


def _h(*parts: str) -> int:
    return int(hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:8], 16)


def _fit(handle: str, platform: str, office: Office) -> str:
    """Bend a handle to the platform's rules (X: 15 characters, no dots; Facebook: no underscores)."""
    if platform in ("x", "telegram"):
        handle = handle.replace(".", "_")
    if platform == "facebook":
        handle = handle.replace("_", "")
    if len(handle) > MAX_LEN[platform]:
        handle = handle.replace("_", "").replace(".", "")
    if len(handle) > MAX_LEN[platform]:
        handle = handle.replace("kabupaten", "kab").replace("provinsi", "prov")
    if len(handle) > MAX_LEN[platform] and not office.ambiguous:
        handle = re.sub("^kpu(kab|kota|prov)", "kpu", handle)
    if len(handle) > MAX_LEN[platform] and len(office.words) > 1:
        short = "".join([office.words[0]] + [SHORT_WORD.get(w, w[:3]) for w in office.words[1:]])
        handle = handle.replace(office.place, short)
    return handle[: MAX_LEN[platform]]


def handle_of(office: Office, platform: str) -> str:
    if office.level == "pusat":
        return NATIONAL[platform]
    styles = STYLES[office.level + ("!" if office.ambiguous else "")]
    choice = _h(office.code) % len(styles)
    if _h(office.code, platform) % 10 < 3:  # some offices use another pattern on some platforms
        choice = _h(office.code, platform, "alt") % len(styles)
    return _fit(styles[choice].format(p=office.place), platform, office)


def registry() -> list[Official]:
    return [
        Official(handle_of(o, p), o.name, p, office=o.code, aliases=ALIASES.get(o.code, ()))
        for o in offices()
        for p in PLATFORMS
    ]


# -- pairs and scoring -------------------------------------------------------------------------
def load_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def humas_scores(
    pairs: Sequence[dict[str, str]], index: LookalikeIndex
) -> list[tuple[float, tuple[str, ...]]]:
    """The score of each pair's official account among the hits of the full-registry lookup."""
    out = []
    for p in pairs:
        hits = index.find(p["candidate"], p["candidate_name"], p["platform"], min_score=0.0)
        hit = next(
            (h for h in hits if h.official.handle == p["official"] and h.official.platform == p["platform"]),
            None,
        )
        out.append((hit.score, hit.reasons) if hit else (0.0, ()))
    return out


def pairwise_scores(pairs: Sequence[dict[str, str]]) -> list[float]:
    return [score(p["candidate"], p["candidate_name"], p["official"], p["official_name"]) for p in pairs]


def _handle(text: str) -> str:
    return text.strip().lstrip("@").casefold()


def difflib_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _handle(a), _handle(b)).ratio()


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def levenshtein_similarity(a: str, b: str) -> float:
    a, b = _handle(a), _handle(b)
    return 1.0 - levenshtein(a, b) / max(len(a), len(b), 1)


# -- thresholds, figures, cross-validation -----------------------------------------------------
def confusion(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> dict[str, int]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": len(labels) - tp - fp - fn}


def figures(c: dict[str, int]) -> dict[str, float]:
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def pick_threshold(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The rule: the cut maximising F1, cuts halfway between consecutive distinct scores; a tie
    goes to the higher cut."""
    values = sorted(set(scores))
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)] + [values[-1] + 1e-9]
    best, best_f1 = cuts[-1], -1.0
    for cut in cuts:
        f1 = figures(confusion(scores, labels, cut))["f1"]
        if f1 >= best_f1:
            best, best_f1 = cut, f1
    return round(best, 4)


def cross_validated(scores: Sequence[float], labels: Sequence[bool]) -> dict[str, Any]:
    rng = random.Random(SEED)
    folds: list[list[int]] = [[] for _ in range(FOLDS)]
    for label in (True, False):
        members = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(members)
        for k, i in enumerate(members):
            folds[k % FOLDS].append(i)
    pooled = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    per_fold = []
    for k in range(FOLDS):
        train = [i for j in range(FOLDS) if j != k for i in folds[j]]
        cut = pick_threshold([scores[i] for i in train], [labels[i] for i in train])
        held = confusion([scores[i] for i in folds[k]], [labels[i] for i in folds[k]], cut)
        for key in pooled:
            pooled[key] += held[key]
        per_fold.append({"threshold": cut, **figures(held)})
    return {
        **figures(pooled),
        "confusion": pooled,
        "folds": per_fold,
        "precision_range": [min(f["precision"] for f in per_fold), max(f["precision"] for f in per_fold)],
        "recall_range": [min(f["recall"] for f in per_fold), max(f["recall"] for f in per_fold)],
    }


def precision_at_recall(
    scores: Sequence[float], labels: Sequence[bool], recall: float = 0.9
) -> dict[str, float]:
    """The issue's own measure: the best precision among the cuts whose recall is at least ``recall``."""
    values = sorted(set(scores))
    best = {"threshold": 0.0, "precision": 0.0, "recall": 0.0}
    for cut in values:
        f = figures(confusion(scores, labels, cut))
        better = f["precision"] > best["precision"] or (
            f["precision"] == best["precision"] and f["recall"] > best["recall"]
        )
        if f["recall"] >= recall and better:
            best = {"threshold": round(cut, 4), "precision": f["precision"], "recall": f["recall"]}
    return best


def evaluate(scores: Sequence[float], labels: Sequence[bool], shipped: float | None) -> dict[str, Any]:
    picked = pick_threshold(scores, labels)
    out: dict[str, Any] = {
        "precision_at_recall_0.9": precision_at_recall(scores, labels),
        "picked_threshold": picked,
        "at_picked": {
            **figures(confusion(scores, labels, picked)),
            "confusion": confusion(scores, labels, picked),
        },
        "cross_validated": cross_validated(scores, labels),
    }
    if shipped is not None:
        c = confusion(scores, labels, shipped)
        out["shipped_threshold"] = shipped
        out["at_shipped"] = {**figures(c), "confusion": c}
    return out


def per_kind(
    pairs: Sequence[dict[str, str]], scores: Sequence[float], threshold: float
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "tp": 0, "fn": 0, "tn": 0, "fp": 0})
    for p, s in zip(pairs, scores, strict=True):
        row = out[p["kind"]]
        row["n"] += 1
        flagged = s >= threshold
        if p["label"] == "imitation":
            row["tp" if flagged else "fn"] += 1
        else:
            row["fp" if flagged else "tn"] += 1
    return dict(out)


# -- speed -------------------------------------------------------------------------------------
def tweet_mentions() -> list[str]:
    if not TWEETS.exists():
        return []
    with TWEETS.open(encoding="utf-8", newline="") as fh:
        return [m for row in csv.DictReader(fh) for m in re.findall(r"@(\w{1,15})", row["text"])]


def time_lookups(
    call: Callable[[str, str, str], object], items: Sequence[tuple[str, str, str]], rounds: int
) -> dict[str, float]:
    samples = []
    for _ in range(rounds):
        for handle, name, plat in items:
            start = time.perf_counter_ns()
            call(handle, name, plat)
            samples.append(time.perf_counter_ns() - start)
    total = sum(samples) / 1e9
    samples.sort()
    return {
        "lookups": len(samples),
        "lookups_per_second": round(len(samples) / total),
        "median_us": round(statistics.median(samples) / 1000, 2),
        "p95_us": round(samples[int(len(samples) * 0.95)] / 1000, 2),
        "max_us": round(samples[-1] / 1000, 1),
    }


def speed(
    pairs: Sequence[dict[str, str]], index: LookalikeIndex, officials: Sequence[Official]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    from_pairs = [(p["candidate"], p["candidate_name"], p["platform"]) for p in pairs]
    mentions = [(m, "", "x") for m in tweet_mentions()]
    out["humas_pairs"] = time_lookups(index.find, from_pairs, rounds=20)
    if mentions:
        out["humas_tweet_mentions"] = time_lookups(index.find, mentions, rounds=3)
        out["tweet_mentions"] = len(mentions)
        hits = Counter(bool(index.find(h, n, p)) for h, n, p in mentions)
        out["tweet_mentions_flagged"] = hits[True]
    by_platform: dict[str, list[str]] = defaultdict(list)
    for o in officials:
        by_platform[o.platform].append(_handle(o.handle))

    def peer(handle: str, name: str, plat: str) -> float:
        matcher = difflib.SequenceMatcher(None, _handle(handle))
        best = 0.0
        for other in by_platform[plat]:
            matcher.set_seq1(other)  # seq2 (the candidate) is cached, as SequenceMatcher advises
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
        return best

    out["difflib_scan_pairs"] = time_lookups(peer, from_pairs[:100], rounds=1)
    return out


# -- the machine -------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "kernel": platform.platform(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or "unknown",
        "load_average": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


# -- report ------------------------------------------------------------------------------------
def _row(name: str, r: dict[str, Any], key: str, cut: str) -> str:
    f = r[key]
    cv = r["cross_validated"]
    return (
        f"| {name} | {cut} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1']:.3f} "
        f"| {cv['precision']:.3f} ({cv['precision_range'][0]:.2f}–{cv['precision_range'][1]:.2f}) "
        f"| {cv['recall']:.3f} ({cv['recall_range'][0]:.2f}–{cv['recall_range'][1]:.2f}) | {cv['f1']:.3f} |"
    )


def markdown(report: dict[str, Any]) -> str:
    q = report["quality"]
    s = report["speed"]
    lines = [
        f"Pairs: {report['pairs']} ({report['labels']['imitation']} imitations, "
        f"{report['labels']['innocent']} innocent); registry: {report['registry']['accounts']:,} accounts "
        f"of {report['registry']['offices']} offices, index built in {report['registry']['build_ms']} ms.",
        "",
        "| scorer | threshold | precision | recall | F1 | CV precision (folds) | CV recall (folds) | CV F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        _row("Humas `LookalikeIndex` (registry)", q["humas"], "at_shipped", f"{q['humas']['shipped_threshold']} shipped"),
        _row("Humas `LookalikeIndex` (registry)", q["humas"], "at_picked", f"{q['humas']['picked_threshold']} rule"),
        _row("Humas `score()` (pair only, no registry)", q["pairwise"], "at_shipped", f"{q['pairwise']['shipped_threshold']} shipped"),
        _row("Humas `score()` (pair only, no registry)", q["pairwise"], "at_picked", f"{q['pairwise']['picked_threshold']} rule"),
        _row("peer: difflib ratio, casefolded handle", q["difflib"], "at_picked", f"{q['difflib']['picked_threshold']} rule"),
        _row("peer: Levenshtein similarity, casefolded handle", q["levenshtein"], "at_picked", f"{q['levenshtein']['picked_threshold']} rule"),
        "",
        "Best precision at recall ≥ 0.9 (the issue's measure), each scorer at its own best cut: "
        + "; ".join(
            f"{label} {q[key]['precision_at_recall_0.9']['precision']:.3f} "
            f"(recall {q[key]['precision_at_recall_0.9']['recall']:.3f}, cut {q[key]['precision_at_recall_0.9']['threshold']})"
            for key, label in (("humas", "Humas"), ("pairwise", "Humas without registry"),
                               ("difflib", "difflib"), ("levenshtein", "Levenshtein"))
        )
        + ".",
        "",
        "Per kind: pairs judged right / wrong (Humas at the shipped threshold, with the registry and "
        "without it; the difflib peer at its own cut):",
        "",
        "| kind | label | n | Humas right | Humas wrong | no registry: wrong | difflib: wrong |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    kinds = report["per_kind"]
    for kind, row in sorted(kinds["humas"].items(), key=lambda kv: (kv[1]["tp"] + kv[1]["fn"] == 0, kv[0])):
        right, wrong = row["tp"] + row["tn"], row["fn"] + row["fp"]
        alone, peer = kinds["pairwise"][kind], kinds["difflib"][kind]
        label = "imitation" if row["tp"] + row["fn"] else "innocent"
        lines.append(
            f"| {kind} | {label} | {row['n']} | {right} | {wrong} | {alone['fn'] + alone['fp']} | {peer['fn'] + peer['fp']} |"
        )
    lines += ["", "Errors of Humas (registry) at the shipped threshold:", ""]
    for e in report["errors"]:
        lines.append(
            f"- {e['error']}: `{e['candidate']}`{' / ' + repr(e['candidate_name']) if e['candidate_name'] else ''} "
            f"vs `{e['official']}` ({e['platform']}, {e['kind']}), score {e['score']} {list(e['reasons'])} — {e['note']}"
        )
    if not report["errors"]:
        lines.append("- none")
    lines += [
        "",
        "| lookup | lookups/s | median | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (
        ("humas_pairs", "Humas `find`, the pairs' candidates (most contain kpu)"),
        (
            "humas_tweet_mentions",
            f"Humas `find`, the {s.get('tweet_mentions', 0):,} @mentions of the election tweets",
        ),
        ("difflib_scan_pairs", "peer: difflib scan of the platform's 553 handles, 100 candidates"),
    ):
        if key in s:
            r = s[key]
            lines.append(
                f"| {label} | {r['lookups_per_second']:,} | {r['median_us']} µs | {r['p95_us']} µs | {r['max_us']} µs |"
            )
    if "tweet_mentions_flagged" in s:
        lines.append("")
        lines.append(
            f"Mentions of the election tweets flagged at the shipped threshold: {s['tweet_mentions_flagged']}."
        )
    return "\n".join(lines)


def _name_key(name: str) -> str:
    return _slug(name.replace("Provinsi ", "").replace("Kep. ", "Kepulauan "))


def registry_for(pairs: Sequence[dict[str, str]]) -> list[Official]:
    """The synthesized registry, with each pair's official account as its office's handle on its
    platform (a set written by someone else names its offices' accounts in its own way): the
    office is found by the pair's ``official_name``; one no office matches joins as its own."""
    officials = registry()
    by_name = {_name_key(o.name): o.office for o in officials}
    by_name.update({_name_key("KPU RI"): "00", _name_key("Komisi Pemilihan Umum"): "00"})
    wanted: dict[tuple[str, str], dict[str, str]] = {}
    extra: list[Official] = []
    for p in pairs:
        code = by_name.get(_name_key(p["official_name"]))
        if code is None:
            extra.append(
                Official(p["official"], p["official_name"], p["platform"], office=p["official_name"])
            )
        else:
            wanted[(code, p["platform"])] = p
    out = []
    for o in officials:
        p = wanted.get((o.office, o.platform))
        out.append(
            Official(p["official"], o.name, o.platform, office=o.office, aliases=o.aliases) if p else o
        )
    unique = {(o.platform, o.handle, o.office): o for o in [*out, *extra]}
    return list(unique.values())


def run(
    pairs: Sequence[dict[str, str]] | None = None, *, timing: bool = True, own_registry: bool = False
) -> dict[str, Any]:
    pairs = list(pairs if pairs is not None else load_pairs())
    labels = [p["label"] == "imitation" for p in pairs]
    officials = registry_for(pairs) if own_registry else registry()
    registered = {(o.platform, o.handle) for o in officials}
    missing = [p["official"] for p in pairs if (p["platform"], p["official"]) not in registered]
    if missing:
        raise SystemExit(f"officials of the pairs missing from the registry: {missing[:5]}")
    start = time.perf_counter()
    index = LookalikeIndex(officials)
    build_ms = round((time.perf_counter() - start) * 1000, 1)
    humas = humas_scores(pairs, index)
    humas_values = [s for s, _ in humas]
    pairwise = pairwise_scores(pairs)
    ratio = [difflib_ratio(p["candidate"], p["official"]) for p in pairs]
    lev = [levenshtein_similarity(p["candidate"], p["official"]) for p in pairs]
    quality = {
        "humas": evaluate(humas_values, labels, DEFAULT_THRESHOLD),
        "pairwise": evaluate(pairwise, labels, DEFAULT_THRESHOLD),
        "difflib": evaluate(ratio, labels, None),
        "levenshtein": evaluate(lev, labels, None),
    }
    errors = []
    for p, (s, reasons) in zip(pairs, humas, strict=True):
        flagged = s >= DEFAULT_THRESHOLD
        if flagged != (p["label"] == "imitation"):
            errors.append(
                {**p, "score": s, "reasons": reasons, "error": "false positive" if flagged else "missed"}
            )
    report: dict[str, Any] = {
        "machine": machine(),
        "command": "python bench/impersonation/run.py",
        "pairs": len(pairs),
        "labels": dict(Counter(p["label"] for p in pairs)),
        "kinds": dict(Counter(p["kind"] for p in pairs)),
        "registry": {
            "accounts": len(officials),
            "offices": len({o.office for o in officials}),
            "build_ms": build_ms,
        },
        "quality": quality,
        "per_kind": {
            "humas": per_kind(pairs, humas_values, DEFAULT_THRESHOLD),
            "pairwise": per_kind(pairs, pairwise, DEFAULT_THRESHOLD),
            "difflib": per_kind(pairs, ratio, quality["difflib"]["picked_threshold"]),
        },
        "errors": errors,
        "scores": [
            {
                "candidate": p["candidate"],
                "official": p["official"],
                "platform": p["platform"],
                "label": p["label"],
                "humas": s,
                "pairwise": w,
                "difflib": round(r, 4),
            }
            for p, s, w, r in zip(pairs, humas_values, pairwise, ratio, strict=True)
        ],  # fmt: skip
        "speed": speed(pairs, index, officials) if timing else {},
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--no-timing", action="store_true", help="quality only")
    parser.add_argument(
        "--pairs",
        type=Path,
        default=PAIRS,
        help="another labelled file (data/heldout.jsonl: written by another judge, never used to tune);"
        " its officials become their offices' handles in the registry",
    )
    parser.add_argument(
        "--handle-only",
        action="store_true",
        help="score the handles alone, as monitoring does for items that carry no display name",
    )
    args = parser.parse_args(argv)
    log(f"pairs: {args.pairs}")
    pairs = load_pairs(args.pairs)
    if args.handle_only:
        pairs = [{**p, "candidate_name": ""} for p in pairs]
    report = run(pairs, timing=not args.no_timing, own_registry=args.pairs != PAIRS)
    report["command"] = (
        "python bench/impersonation/run.py"
        + (
            f" --pairs {args.pairs.relative_to(REPO) if args.pairs.is_absolute() else args.pairs}"
            if args.pairs != PAIRS
            else ""
        )
        + (" --handle-only" if args.handle_only else "")
    )
    report["machine"]["load_average_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    m = report["machine"]
    print(f"- Machine: {m['cpu']}, {m['nproc']} CPUs visible, Python {m['python']}, {m['kernel']}")
    print(
        f"- Date: {m['date']}, commit `{m['commit']}`; load average {m['load_average']} → {m['load_average_end']}"
    )
    print(f"- Command: `{report['command']}`")
    print()
    print(markdown(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
