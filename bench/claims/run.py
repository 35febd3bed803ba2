"""Claim-matching benchmark: baselines and Humas side by side, speed, pipeline, scaling.

    python bench/claims/run.py                 # everything (a few minutes on one core)
    python bench/claims/run.py --skip-scaling  # quality and speed only
    python bench/claims/decisions.py           # the claim-level decisions compared (issue #16)

Reads ``../shared/data`` beside the checkout (never shipped with the product)
and prints one Markdown report; ``--json PATH`` also writes the raw figures.

Baselines, run on the same queries in the same process:

* plain BM25 (k1=1.2, b=0.75) over lower-cased ``\\w+`` tokens of title+text;
* word TF-IDF cosine (log tf, smoothed idf, L2-normalised) over the same tokens.

With the judged pairs of ``data/`` it also reports every ranker claim-level (the labelled answer
or a fact-check judged to check the same claim), Humas cross-validated, its decisions scored
claim-level, and the stance model cross-validated (issue #16).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))

from humas.textkit.evaluation import EvalQuery, rank_metrics, read_corpus, read_queries  # noqa: E402
from humas.textkit.index import ClaimDocument, ClaimIndex  # noqa: E402
from humas.textkit.normalize import Analyzer  # noqa: E402
from humas.textkit.pipeline import PostPipeline  # noqa: E402

_WORD = re.compile(r"\w+")


# -- baselines ---------------------------------------------------------------------------------
def _count_matrix(texts: Sequence[str], vocab: dict[str, int], grow: bool) -> sp.csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, text in enumerate(texts):
        counts: dict[int, int] = {}
        for tok in _WORD.findall(text.lower()):
            j = vocab.get(tok)
            if j is None:
                if not grow:
                    continue
                j = vocab[tok] = len(vocab)
            counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            rows.append(i)
            cols.append(j)
            vals.append(float(c))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)))


def _top_k(scores: sp.csr_matrix | np.ndarray, ids: Sequence[str], k: int = 10) -> list[list[str]]:
    dense = scores.toarray() if sp.issparse(scores) else scores
    top = np.argsort(-dense, axis=1)[:, :k]
    return [[ids[j] for j in row if dense[i, j] > 0] for i, row in enumerate(top)]


def bm25_baseline(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> dict[str, float]:
    rankings, index_s, qps = _bm25(docs, queries)
    return {
        **rank_metrics(rankings, queries).as_dict(),
        "index_seconds": round(index_s, 3),
        "queries_per_second": round(qps, 1),
    }


def bm25_rankings(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> list[list[str]]:
    return _bm25(docs, queries)[0]


def _bm25(
    docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]
) -> tuple[list[list[str]], float, float]:
    t0 = time.perf_counter()
    vocab: dict[str, int] = {}
    tf = _count_matrix(
        [d.text if d.text.startswith(d.title) else d.title + "\n" + d.text for d in docs], vocab, True
    )
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    dl = np.asarray(tf.sum(axis=1)).ravel()
    coo = tf.tocoo()
    k1, b = 1.2, 0.75
    w = coo.data * (k1 + 1) / (coo.data + k1 * (1 - b + b * dl[coo.row] / dl.mean())) * idf[coo.col]
    weights = sp.csr_matrix((w, (coo.row, coo.col)), shape=tf.shape).T.tocsr()
    index_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    rankings: list[list[str]] = []
    ids = [d.doc_id for d in docs]
    for start in range(0, len(queries), 256):
        q = _count_matrix([x.text for x in queries[start : start + 256]], vocab, False)
        q.data[:] = 1.0
        rankings.extend(_top_k(q @ weights, ids))
    qps = len(queries) / (time.perf_counter() - t1)
    return rankings, index_s, qps


def tfidf_baseline(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> dict[str, float]:
    rankings, index_s, qps = _tfidf(docs, queries)
    return {
        **rank_metrics(rankings, queries).as_dict(),
        "index_seconds": round(index_s, 3),
        "queries_per_second": round(qps, 1),
    }


def _tfidf(
    docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]
) -> tuple[list[list[str]], float, float]:
    t0 = time.perf_counter()
    vocab: dict[str, int] = {}
    tf = _count_matrix(
        [d.text if d.text.startswith(d.title) else d.title + "\n" + d.text for d in docs], vocab, True
    )
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log((1 + n) / (1 + df)) + 1

    def weigh(m: sp.csr_matrix) -> sp.csr_matrix:
        m = m.tocsr().astype(np.float64)
        m.data = 1 + np.log(m.data)
        m = m @ sp.diags(idf)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sp.diags(1 / norms) @ m

    weights = weigh(tf).T.tocsr()
    index_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    rankings: list[list[str]] = []
    ids = [d.doc_id for d in docs]
    for start in range(0, len(queries), 256):
        q = weigh(_count_matrix([x.text for x in queries[start : start + 256]], vocab, False))
        rankings.extend(_top_k(q @ weights, ids))
    qps = len(queries) / (time.perf_counter() - t1)
    return rankings, index_s, qps


def claim_level_run(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> dict[str, object]:
    """Issue #16: every ranker against the labelled answers and claim-level (labelled answers plus
    the pairs judged "same", ``data/judged_dev.jsonl``); Humas cross-validated, its decisions
    scored claim-level; and the stance model cross-validated on ``data/stance.jsonl``."""
    from humas.textkit.evaluation import claim_level, read_judged
    from humas.textkit.stance import cross_validate, read_pairs
    from humas.textkit.train import train

    judged_path = Path(__file__).resolve().parent / "data" / "judged_dev.jsonl"
    judged = claim_level(queries, read_judged(judged_path))
    index = ClaimIndex(analyzer=Analyzer())
    index.add(docs)
    index.prepare()
    results = index.search_batch([q.text for q in queries])
    rankings = {
        "bm25": _bm25(docs, queries)[0],
        "tfidf": _tfidf(docs, queries)[0],
        "humas (shipped model, fitted on these queries)": [[c.doc_id for c in r.candidates] for r in results],
    }
    out: dict[str, object] = {
        name: {"gold": rank_metrics(r, queries).as_dict(), "claim_level": rank_metrics(r, judged).as_dict()}
        for name, r in rankings.items()
    }
    _model, report = train(
        str(SHARED / "factchecks" / "corpus.jsonl"),
        str(SHARED / "factchecks" / "queries_dev.jsonl"),
        judged_path=str(judged_path),
    )
    out["humas cross-validated"] = {"gold": report["cv_gold"], "claim_level": report["cv"]}
    from humas.textkit.evaluation import decision_figures

    out["humas decisions (shipped, claim-level)"] = decision_figures(
        [str(r.decision) for r in results], [r.best.doc_id if r.best else None for r in results], judged
    )
    out["stance (cross-validated)"] = cross_validate(
        read_pairs(Path(__file__).resolve().parent / "data" / "stance.jsonl")
    )
    return out


def humas_run(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> dict[str, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    index = ClaimIndex(analyzer=Analyzer())
    index.add(docs)
    index.prepare()
    index_s = time.perf_counter() - t0
    index_cpu = time.process_time() - c0
    texts = [q.text for q in queries]
    t1, c1 = time.perf_counter(), time.process_time()
    results = index.search_batch(texts)
    cold = len(texts) / (time.perf_counter() - t1)
    cold_cpu = len(texts) / (time.process_time() - c1)
    t2, c2 = time.perf_counter(), time.process_time()
    index.search_batch(texts)
    warm = len(texts) / (time.perf_counter() - t2)
    warm_cpu = len(texts) / (time.process_time() - c2)
    rankings = [[c.doc_id for c in r.candidates] for r in results]
    decisions = {d: sum(r.decision == d for r in results) for d in ("match", "suggestion", "none")}
    correct = {
        d: sum(
            r.decision == d and r.best is not None and r.best.doc_id in q.relevant_doc_ids
            for r, q in zip(results, queries, strict=True)
        )
        for d in ("match", "suggestion")
    }
    extra = [
        ClaimDocument(f"new-{i}", f"Klarifikasi baru nomor {i}", "Isi klarifikasi baru.") for i in range(10)
    ]
    t4 = time.perf_counter()
    index.add(extra)
    index.search(texts[0])
    add_s = time.perf_counter() - t4
    t5 = time.perf_counter()
    index.remove([d.doc_id for d in extra])
    index.search(texts[0])
    remove_s = time.perf_counter() - t5
    path = REPO / "var" / "bench-claims.idx"
    path.parent.mkdir(exist_ok=True)
    index.save(path)
    t3 = time.perf_counter()
    loaded = ClaimIndex.load(path)
    loaded.prepare()
    load_s = time.perf_counter() - t3
    return {
        **rank_metrics(rankings, queries).as_dict(),
        "index_seconds": round(index_s, 3),
        "queries_per_second": round(cold, 1),
        "queries_per_second_warm": round(warm, 1),
        "index_cpu_seconds": round(index_cpu, 3),
        "queries_per_cpu_second": round(cold_cpu, 1),
        "queries_per_cpu_second_warm": round(warm_cpu, 1),
        "load_seconds": round(load_s, 3),
        "add_10_then_query_seconds": round(add_s, 3),
        "remove_10_then_query_seconds": round(remove_s, 3),
        "index_file_mb": round(path.stat().st_size / 1e6, 1),
        "decisions": decisions,
        "match_precision": round(correct["match"] / max(1, decisions["match"]), 4),
        "suggestion_precision": round(correct["suggestion"] / max(1, decisions["suggestion"]), 4),
    }


def cv_run() -> dict[str, object]:
    """The re-ranker's 5-fold cross-validated figures (weights never see their test fold)."""
    from humas.textkit.train import train

    t0 = time.perf_counter()
    _, report = train(
        str(SHARED / "factchecks" / "corpus.jsonl"), str(SHARED / "factchecks" / "queries_dev.jsonl")
    )
    return {
        "folds": report["folds"],
        "cv": report["cv"],
        "candidate_recall": report["candidate_recall"],
        "untrained_fusion": report["untrained_fusion"],
        "seconds": round(time.perf_counter() - t0, 1),
    }


def stemmer_run(docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery]) -> dict[str, float]:
    """Sastrawi as shipped against the accelerated stemmer, on the query words that indexing
    the corpus has not stemmed already (the cold cost of matching), fresh stemmers each."""
    from humas.textkit.stemmer import build_stemmer

    analyzer = Analyzer()
    for d in docs:
        analyzer.analyze(d.title + " " + d.text)
    seen = set(analyzer._stem_cache)
    words = sorted({w for q in queries for w in re.findall(r"[a-z]+", q.text.lower()) if len(w) > 3} - seen)
    plain, _ = build_stemmer(accelerated=False)
    fast, _ = build_stemmer()
    c0 = time.process_time()
    a = [plain.stem(w) for w in words]
    c1 = time.process_time()
    b = [fast.stem_word(w) for w in words]
    c2 = time.process_time()
    return {
        "words": len(words),
        "sastrawi_us_per_word": round((c1 - c0) / len(words) * 1e6, 1),
        "accelerated_us_per_word": round((c2 - c1) / len(words) * 1e6, 1),
        "different_stems": sum(x != y for x, y in zip(a, b, strict=True)),
    }


# -- pipeline ----------------------------------------------------------------------------------
def load_posts() -> list[tuple[str, str]]:
    with (SHARED / "posts" / "pilpres2024_tweets.csv").open(encoding="utf-8", newline="") as fh:
        return [(row["post_id"], row["text"]) for row in csv.DictReader(fh)]


def pipeline_run(docs: Sequence[ClaimDocument]) -> dict[str, float]:
    posts = load_posts()
    analyzer = Analyzer()
    index = ClaimIndex(analyzer=analyzer)
    index.add(docs)
    index.prepare()
    out: dict[str, float] = {"posts": len(posts)}
    for label in ("first_pass", "second_pass"):
        pipeline = PostPipeline(index)
        t0, c0 = time.perf_counter(), time.process_time()
        results = []
        for start in range(0, len(posts), 256):
            results.extend(pipeline.process(posts[start : start + 256]))
        out[f"posts_per_second_{label}"] = round(len(posts) / (time.perf_counter() - t0), 1)
        out[f"posts_per_cpu_second_{label}"] = round(len(posts) / (time.process_time() - c0), 1)
    out["duplicates"] = sum(r.duplicate_of is not None for r in results)
    out["with_region"] = sum(bool(r.regions) for r in results)
    out["narratives"] = len(pipeline.clusterer)
    out["narratives_5plus"] = len(pipeline.clusterer.narratives(min_size=5))
    return out


# -- clustering quality ------------------------------------------------------------------------
def clustering_run() -> dict[str, float]:
    """Cluster 4 edited copies each of 300 fact-check narratives; report purity and completeness."""
    sys.path.insert(0, str(REPO / "bench" / "textkit"))
    from dup_pairs import apply_ops, load_narratives, random_ops  # type: ignore[import-not-found]

    from humas.textkit.cluster import NarrativeClusterer

    rng = random.Random(11)
    narratives, _ = load_narratives()
    chosen = rng.sample(sorted(narratives), 300)
    items = [(nid, apply_ops(narratives[nid], random_ops(rng))) for nid in chosen for _ in range(4)]
    rng.shuffle(items)
    clusterer = NarrativeClusterer()
    assigned = [(nid, clusterer.add(f"{i}", text)) for i, (nid, text) in enumerate(items)]
    by_cluster: dict[int | None, list[str]] = {}
    by_label: dict[str, list[int | None]] = {}
    for nid, cid in assigned:
        by_cluster.setdefault(cid, []).append(nid)
        by_label.setdefault(nid, []).append(cid)
    purity = sum(max(v.count(x) for x in set(v)) for v in by_cluster.values()) / len(assigned)
    completeness = sum(max(v.count(x) for x in set(v)) for v in by_label.values()) / len(assigned)
    return {
        "posts": len(items),
        "true_narratives": 300,
        "clusters": len(by_cluster),
        "purity": round(purity, 4),
        "completeness": round(completeness, 4),
    }


# -- scaling -----------------------------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _distractors() -> list[ClaimDocument]:
    out: list[ClaimDocument] = []
    with (SHARED / "hoax_news" / "pilpres2024_headlines_hoax_valid.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        out += [ClaimDocument(f"hl-{r['id']}", r["title"], r["title"]) for r in csv.DictReader(fh)]
    with (SHARED / "hoax_news" / "pratiwi2017_600_news.csv").open(encoding="utf-8", newline="") as fh:
        out += [ClaimDocument(f"news-{r['id']}", r["text"][:120], r["text"]) for r in csv.DictReader(fh)]
    out += [ClaimDocument(f"post-{pid}", text[:120], text) for pid, text in load_posts()]
    return out


def _perturb(doc: ClaimDocument, rng: random.Random, n: int) -> ClaimDocument:
    def edit(text: str) -> str:
        words = text.split()
        if len(words) > 3:
            for _ in range(max(1, len(words) // 8)):
                del words[rng.randrange(len(words))]
            i = rng.randrange(len(words))
            words.insert(i, rng.choice(["viral", "cek", "info", "warga", "resmi", "terbaru"]))
        return " ".join(words)

    title = edit(doc.title)
    return ClaimDocument(f"{doc.doc_id}~{n}", title, title + "\n\n" + edit(doc.text[len(doc.title) :]))


def scaling_run(
    docs: Sequence[ClaimDocument], queries: Sequence[EvalQuery], sizes: Sequence[int]
) -> list[dict[str, float]]:
    rng = random.Random(5)
    pool = list(docs) + _distractors()
    real = len(pool)
    n = 0
    while len(pool) < max(sizes):
        n += 1
        pool.append(_perturb(pool[rng.randrange(real)], rng, n))
    sample = rng.sample(list(queries), 1000)
    texts = [q.text for q in sample]
    analyzer = Analyzer()
    analyzer.analyze(" ".join(texts))  # stem the query vocabulary once, so only matching is timed
    for d in pool[: max(sizes)]:
        analyzer.analyze(d.title + " " + d.text)
    rows: list[dict[str, float]] = []
    for size in sizes:
        gc.collect()
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        index = ClaimIndex(analyzer=analyzer)
        index.add(pool[:size])
        index.prepare()
        build = time.perf_counter() - t0
        rss1 = _rss_mb()
        index.search_batch(texts[:50])
        t1, c1 = time.perf_counter(), time.process_time()
        results = index.search_batch(texts)
        per_query_ms = (time.perf_counter() - t1) / len(texts) * 1000
        per_query_cpu_ms = (time.process_time() - c1) / len(texts) * 1000
        # A perturbed copy ("id~n") of a relevant fact-check is the same clarification.
        rankings = [[c.doc_id.split("~")[0] for c in r.candidates] for r in results]
        m = rank_metrics(rankings, sample)
        strict = rank_metrics([[c.doc_id for c in r.candidates] for r in results], sample)
        rows.append(
            {
                "docs": size,
                "real_docs": min(size, real),
                "index_seconds": round(build, 2),
                "ms_per_query": round(per_query_ms, 3),
                "cpu_ms_per_query": round(per_query_cpu_ms, 3),
                "recall@1": round(m.recall_at_1, 4),
                "recall@1_original_only": round(strict.recall_at_1, 4),
                "index_rss_mb": round(rss1 - rss0, 1),
            }
        )
        del index
    # RSS growth includes freed transients the allocator keeps; measure live memory exactly once.
    gc.collect()
    tracemalloc.start()
    index = ClaimIndex(analyzer=analyzer)
    index.add(pool[: max(sizes)])
    index.prepare()
    live, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    path = REPO / "var" / "bench-claims-100k.idx"
    path.parent.mkdir(exist_ok=True)
    index.save(path)
    t0 = time.perf_counter()
    ClaimIndex.load(path, analyzer=analyzer).prepare()
    rows[-1]["index_live_mb"] = round(live / 1e6, 1)
    rows[-1]["index_build_peak_mb"] = round(peak / 1e6, 1)
    rows[-1]["index_file_mb"] = round(path.stat().st_size / 1e6, 1)
    rows[-1]["load_seconds"] = round(time.perf_counter() - t0, 2)
    return rows


# -- other components --------------------------------------------------------------------------
def dedupe_run() -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "textkit" / "dup_pairs.py"), "evaluate"],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def regions_run() -> dict[str, float]:
    from humas.textkit.regions import default_tagger, load_regions

    by_name = {r.name: r.code for r in load_regions()}
    tagger = default_tagger()
    tp = fp = fn = exact = n = 0
    path = REPO / "tests" / "textkit" / "data" / "region_sentences.tsv"
    lines = [
        ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")
    ]
    t0 = time.perf_counter()
    for line in lines:
        text, _, gold_names = line.partition("\t")
        gold = {by_name[x] for x in gold_names.split(";") if x}
        pred = set(tagger.codes(text))
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        exact += gold == pred
        n += 1
    seconds = time.perf_counter() - t0
    return {
        "sentences": n,
        "precision": round(tp / (tp + fp), 4),
        "recall": round(tp / (tp + fn), 4),
        "exact_set_accuracy": round(exact / n, 4),
        "sentences_per_second": round(n / seconds, 1),
    }


def markdown(report: dict[str, object]) -> str:
    q = report["quality"]
    assert isinstance(q, dict)
    lines = [
        f"Machine: {report['machine']}; date {report['date']}; command `{report['command']}`; "
        f"load average at start {report['load_average_start']}.",
        "",
        "| system | recall@1 | recall@5 | MRR@10 | index s (wall) | queries/s (wall) |",
        "|---|---|---|---|---|---|",
    ]
    for name, key in (("plain BM25", "bm25"), ("word TF-IDF", "tfidf"), ("Humas textkit", "humas")):
        r = q[key]
        lines.append(
            f"| {name} | {r['recall@1']:.4f} | {r['recall@5']:.4f} | {r['mrr@10']:.4f} | {r['index_seconds']} | {r['queries_per_second']} |"
        )
    lines.append(f"Humas detail: {json.dumps(q['humas'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--sizes", default="6164,12500,25000,50000,100000")
    parser.add_argument("--json", default=None, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"shared data not found at {SHARED}", file=sys.stderr)
        return 2
    docs = read_corpus(SHARED / "factchecks" / "corpus.jsonl")
    queries = read_queries(SHARED / "factchecks" / "queries_dev.jsonl")
    report: dict[str, object] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs visible, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "command": "python bench/claims/run.py",
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    report["quality"] = {
        "bm25": bm25_baseline(docs, queries),
        "tfidf": tfidf_baseline(docs, queries),
        "humas": humas_run(docs, queries),
    }
    print(markdown(report), flush=True)
    report["claim_level"] = claim_level_run(docs, queries)
    print("claim_level", json.dumps(report["claim_level"]), flush=True)
    report["cross_validation"] = cv_run()
    print("cross_validation", json.dumps(report["cross_validation"]), flush=True)
    report["stemmer"] = stemmer_run(docs, queries)
    print("stemmer", json.dumps(report["stemmer"]), flush=True)
    report["pipeline"] = pipeline_run(docs)
    print("pipeline", json.dumps(report["pipeline"]), flush=True)
    report["clustering"] = clustering_run()
    print("clustering", json.dumps(report["clustering"]), flush=True)
    report["near_duplicates"] = dedupe_run()
    print("near_duplicates", json.dumps(report["near_duplicates"]), flush=True)
    report["regions"] = regions_run()
    print("regions", json.dumps(report["regions"]), flush=True)
    if not args.skip_scaling:
        sizes = [int(s) for s in args.sizes.split(",")]
        report["scaling"] = scaling_run(docs, queries, sizes)
        for row in report["scaling"]:  # type: ignore[union-attr]
            print("scaling", json.dumps(row), flush=True)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
