"""Experiment (not shipped): word associations learned from dev (post, fact-check) pairs, and
why their cross-validated gain is mostly a property of the benchmark, not of matching.

    python bench/claims/assoc_experiment.py            # log-odds features (4)
    python bench/claims/assoc_experiment.py --m1       # plus IBM Model 1 both directions (8)

Prints the 5-fold cross-validated recall@1 / recall@5 / MRR@10 on the dev queries (folds as in
``python -m humas.textkit.train``) of: the shipped features; plus the association features;
plus a single flag "this candidate is the answer of a training-fold query" (the artifact);
plus both. Every learned table is fitted without the test fold, and the values for the
training rows of a fold come from tables that did not see those rows either (nested
cross-fitting: 15 tables per run).

The table: for a post stem q and a title stem w, L[q, w] = log((n_pos + a) / (n_neg + a)),
n_pos counting training queries whose post has q and whose answer's title has w, n_neg the
same over the other first-stage candidates (each query's weighted 1 / its number of
negatives). Features per candidate, with sub = L[post stems, title stems]: the positive and
the negative parts of sub.sum(1) over sqrt(|post|), and of sub.sum(0) over sqrt(|title|).

Finding (2026-11-28): the association features raise CV recall@1 / MRR@10 from 0.729 / 0.785
to 0.751 / 0.800, but the "already the answer of a training query" flag alone gives 0.770 /
0.815, and together 0.775 / 0.819: the tables mostly learn which fact-checks are already
taken. In this benchmark each fact-check answers one query (alternates share a fold and the
dev/held-out split), so a fact-check that answers another post is almost never the answer;
integrated into the index, the learned ranker put a *negative* weight on the association
support. In Humas the opposite holds (the same hoax circulates many times), so shipping these
features would push down exactly the clarifications that matched before. Not shipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "factchecks"
sys.path.insert(0, str(REPO))

from humas.textkit.index import _split_title  # noqa: E402
from humas.textkit.normalize import default_analyzer  # noqa: E402
from humas.textkit.ranking import fit_listwise  # noqa: E402
from humas.textkit.train import _rank_eval, dev_candidates  # noqa: E402

FEATURE_NAMES = (
    "lo_q_pos",
    "lo_q_neg",
    "lo_w_pos",
    "lo_w_neg",
    "m1_fwd_sum",
    "m1_fwd_mean",
    "m1_rev_sum",
    "m1_rev_mean",
)


def _ibm1(pairs, n_vocab, null_id, iters=5, top=30):
    """pairs: list of (source ids, target ids). Returns CSR t(target|source), shape (n_vocab+1, n_vocab)."""
    J, E, F, W = [], [], [], []
    j0 = 0
    for s, t in pairs:
        if len(s) == 0 or len(t) == 0:
            continue
        s = np.append(np.unique(s), null_id)
        tu, tc = np.unique(t, return_counts=True)
        n, m = len(tu), len(s)
        J.append(np.repeat(np.arange(j0, j0 + n), m))
        E.append(np.tile(s, n))
        F.append(np.repeat(tu, m))
        W.append(tc.astype(float))
        j0 += n
    J = np.concatenate(J)
    E = np.concatenate(E)
    F = np.concatenate(F)
    W = np.concatenate(W)
    uk, idx = np.unique(E * n_vocab + F, return_inverse=True)
    ue = uk // n_vocab
    t = np.ones(len(uk))
    for _ in range(iters):
        v = t[idx]
        den = np.bincount(J, v, minlength=j0)
        c = np.bincount(idx, W[J] * v / den[J], minlength=len(uk))
        t = c / np.bincount(ue, c, minlength=n_vocab + 1)[ue]
    order = np.lexsort((-t, ue))
    ue_o = ue[order]
    rank = np.arange(len(order)) - np.searchsorted(ue_o, ue_o, side="left")
    keep = order[rank < top]
    return sp.csr_matrix((t[keep], (ue[keep], uk[keep] % n_vocab)), shape=(n_vocab + 1, n_vocab))


class AssocFeatures:
    def __init__(self, a=0.1, alpha=0.5, lam=0.5, m1_iters=5, m1_top=30, use_m1=True, neg_min=0.0):
        self.neg_min = neg_min  # drop negative-only pairs with weighted count below this (size/quality knob)
        self.a, self.alpha, self.lam = a, alpha, lam
        self.m1_iters, self.m1_top, self.use_m1 = m1_iters, m1_top, use_m1

    # -- fitting -------------------------------------------------------------------------------------
    def fit(self, corpus_titles, corpus_bodies, train):
        """corpus_titles/bodies: stem lists of all indexed documents (background + vocabulary).
        train: list of (post stems, [candidate title stems], [is relevant]) for TRAINING queries only."""
        vocab: dict[str, int] = {}
        for x in list(corpus_titles) + list(corpus_bodies):
            for w in x:
                vocab.setdefault(w, len(vocab))
        for q, _, _ in train:
            for w in q:
                vocab.setdefault(w, len(vocab))
        self.vocab = vocab
        V = self.V = len(vocab)
        self.null = V

        def ids(x):
            return np.array([vocab[w] for w in x if w in vocab], dtype=np.int64)

        c = np.bincount(
            np.concatenate([ids(x) for x in list(corpus_titles) + list(corpus_bodies)] + [np.zeros(0, int)]),
            minlength=V,
        ).astype(float)
        self.p_bg = (c + 1.0) / (c.sum() + V)
        ct = np.bincount(
            np.concatenate([ids(x) for x in corpus_titles] + [np.zeros(0, int)]), minlength=V
        ).astype(float)
        self.p_bgt = (ct + 1.0) / (ct.sum() + V)
        # log-odds table
        rq, cq, rp, cp, rn, cn, wn = [], [], [], [], [], [], []
        for k, (q, titles, labels) in enumerate(train):
            qi = np.unique(ids(q))
            rq.append(np.full(len(qi), k))
            cq.append(qi)
            nneg = sum(1 for lab in labels if not lab)
            if nneg == 0 or nneg == len(labels):
                continue
            for t, lab in zip(titles, labels, strict=False):
                ti = np.unique(ids(t))
                if lab:
                    rp.append(np.full(len(ti), k))
                    cp.append(ti)
                else:
                    rn.append(np.full(len(ti), k))
                    cn.append(ti)
                    wn.append(np.full(len(ti), 1.0 / nneg))
        n = len(train)

        def cat(x):
            return np.concatenate(x) if x else np.zeros(0, int)

        X = sp.csr_matrix((np.ones(len(cat(rq))), (cat(rq), cat(cq))), shape=(n, V))
        Pm = sp.csr_matrix((np.ones(len(cat(rp))), (cat(rp), cat(cp))), shape=(n, V))
        Pm.data = np.minimum(Pm.data, 1)
        Nm = sp.csr_matrix((cat(wn).astype(float), (cat(rn), cat(cn))), shape=(n, V))
        Cp = (X.T @ Pm).tocsr()
        Cn = (X.T @ Nm).tocsr()
        tot = (Cp + Cn).tocoo()
        pv = np.asarray(Cp[tot.row, tot.col]).ravel()
        nv = np.asarray(Cn[tot.row, tot.col]).ravel()
        keep = (pv > 0) | (nv >= self.neg_min)
        self.L = sp.csr_matrix(
            (
                np.log((pv[keep] + self.a) / (nv[keep] + self.a)).astype(np.float32),
                (tot.row[keep], tot.col[keep]),
            ),
            shape=(V, V),
        )
        # Model 1 tables on (post, relevant title) pairs
        if self.use_m1:
            gp = [
                (ids(q), ids(t))
                for q, titles, labels in train
                for t, lab in zip(titles, labels, strict=False)
                if lab
            ]
            self.S_fwd = _ibm1(
                [(t, q) for q, t in gp], V, self.null, self.m1_iters, self.m1_top
            ).tocsc()  # t(post|title)
            self.S_rev = _ibm1(gp, V, self.null, self.m1_iters, self.m1_top)  # t(title|post)
        return self

    def size_bytes(self):
        n = self.L.data.nbytes + self.L.indices.nbytes + self.L.indptr.nbytes
        if self.use_m1:
            for S in (self.S_fwd, self.S_rev):
                n += S.data.nbytes + S.indices.nbytes + S.indptr.nbytes
        return n

    # -- features ------------------------------------------------------------------------------------
    def features(self, post_terms, cand_titles):
        """post stems, list of candidate title stems -> (n_cand, len(FEATURE_NAMES)). Vectorised over candidates."""
        voc, V = self.vocab, self.V
        nc = len(cand_titles)
        nf = len(FEATURE_NAMES) if self.use_m1 else 4
        out = np.zeros((nc, nf))
        uq = set(post_terms)
        if not uq or nc == 0:
            return out
        nq = np.sqrt(len(uq))
        q = np.array(sorted({voc[w] for w in uq if w in voc}), dtype=np.int64)
        tis = [np.array([voc[w] for w in t if w in voc], dtype=np.int64) for t in cand_titles]
        rows = np.concatenate([np.full(len(t), j) for j, t in enumerate(tis)] + [np.zeros(0, int)])
        cols = np.concatenate(tis + [np.zeros(0, int)])
        Tc = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(nc, V + 1))  # title counts (+NULL col)
        Tb = Tc[:, :V].copy()
        Tb.data[:] = 1.0  # binary
        nt = np.asarray(Tb.sum(1)).ravel()
        if len(q):
            Lq = self.L[q]
            mq = (Lq @ Tb.T).toarray()  # (|q|, nc): net evidence of each post word
            out[:, 0] = np.maximum(mq, 0).sum(0) / nq
            out[:, 1] = np.minimum(mq, 0).sum(0) / nq
            colsum = np.asarray(Lq.sum(0)).ravel()  # net evidence of each title word
            MW = Tb.multiply(colsum[None, :]).tocsr()
            pos = MW.maximum(0).sum(1)
            neg = MW.minimum(0).sum(1)
            d = np.sqrt(np.maximum(nt, 1))
            out[:, 2] = np.asarray(pos).ravel() / d
            out[:, 3] = np.asarray(neg).ravel() / d
        if self.use_m1:
            a, lam = self.alpha, self.lam
            lt = np.asarray(Tc.sum(1)).ravel()
            has = lt > 0
            qall = np.array([voc[w] for w in post_terms if w in voc], dtype=np.int64)
            if len(qall):
                Tn = Tc.tolil()
                Tn[:, V] = 1.0
                Tn = sp.csr_matrix(Tn)  # add NULL word
                pt = (Tn @ self.S_fwd[:, qall]).toarray() / (lt + 1)[:, None]  # (nc, |qall|)
                pm = Tc[:, qall].toarray() / np.maximum(lt, 1)[:, None]
                pb = self.p_bg[qall][None, :]
                llr = np.log((a * (lam * pt + (1 - lam) * pm) + (1 - a) * pb) / pb)
                out[has, 4] = llr.sum(1)[has]
                out[has, 5] = llr.mean(1)[has]
            uqa, cqa = np.unique(qall, return_counts=True)
            pml_q = np.zeros(V)
            pml_q[uqa] = cqa / max(len(post_terms), 1)
            r = np.asarray(self.S_rev[np.append(qall, self.null)].sum(0)).ravel() / (len(qall) + 1)
            pb = self.p_bgt
            wv = np.log((a * (lam * r + (1 - lam) * pml_q) + (1 - a) * pb) / pb)  # per title word
            Tw = Tc[:, :V]
            sm = np.asarray(Tw @ wv).ravel()
            out[has, 6] = sm[has]
            out[has, 7] = (sm / np.maximum(lt, 1))[has]
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--m1", action="store_true", help="add the IBM Model 1 features")
    args = parser.parse_args(argv)
    analyzer = default_analyzer()
    dev = dev_candidates(str(SHARED / "corpus.jsonl"), str(SHARED / "queries_dev.jsonl"))
    docs, queries, doc_ids = dev.docs, dev.queries, dev.doc_ids
    cand, feats, mask, labels, fold = dev.cand, dev.feats, dev.mask, dev.labels, dev.fold
    ids = np.array(doc_ids, dtype=object)
    by_id = {d.doc_id: d for d in docs}
    titles, bodies = [], []
    for doc_id in doc_ids:
        title, body = _split_title(by_id[doc_id])
        titles.append(analyzer.terms(title))
        bodies.append(analyzer.terms(body))
    posts = [analyzer.terms(q.text) for q in queries]

    def cand_titles(i: int) -> list[list[str]]:
        return [titles[d] if d >= 0 else [] for d in cand[i]]

    def train_rows(rows: np.ndarray) -> list:  # type: ignore[type-arg]
        return [(posts[i], cand_titles(i), [bool(x) for x in labels[i] & mask[i]]) for i in rows]

    models: dict[tuple[int, ...], AssocFeatures] = {}

    def model(excluded: set[int]) -> AssocFeatures:
        key = tuple(sorted(excluded))
        if key not in models:
            rows = np.where(~np.isin(fold, list(excluded)))[0]
            models[key] = AssocFeatures(use_m1=args.m1).fit(titles, bodies, train_rows(rows))
        return models[key]

    nf = len(FEATURE_NAMES) if args.m1 else 4

    def cv(extra: bool, with_taken: bool = False) -> tuple[float, float, float]:
        scores = np.zeros(cand.shape)
        for f in range(5):
            x = np.concatenate([feats, taken(f)], axis=-1) if with_taken else feats
            if extra:
                add = np.zeros((len(queries), cand.shape[1], nf))
                for g in range(5):
                    table = model({f} if g == f else {f, g})
                    for i in np.where(fold == g)[0]:
                        add[i] = table.features(posts[i], cand_titles(i))
                x = np.concatenate([x, add], axis=-1)
            tr, te = fold != f, fold == f
            mean, scale, w = fit_listwise(x[tr], labels[tr], mask[tr])
            scores[te] = ((x[te] - mean) / scale) @ w
        return _rank_eval(scores, labels, mask)

    relevant_by_fold: list[set[str]] = [set() for _ in range(5)]
    for i, q in enumerate(queries):
        relevant_by_fold[fold[i]].update(q.relevant_doc_ids)

    def taken(f: int) -> np.ndarray:  # type: ignore[type-arg]
        """1 where the candidate answers a query the ranker trains on (nested like the tables)."""
        flag = np.zeros((len(queries), cand.shape[1], 1))
        for i in range(len(queries)):
            answers = set().union(*(relevant_by_fold[h] for h in range(5) if h not in (f, fold[i])))
            for j in range(cand.shape[1]):
                if mask[i, j] and ids[cand[i, j]] in answers:
                    flag[i, j, 0] = 1.0
        return flag

    base = cv(False)
    print("shipped features:          recall@1 {:.4f}  recall@5 {:.4f}  MRR@10 {:.4f}".format(*base))
    print("plus association features: recall@1 {:.4f}  recall@5 {:.4f}  MRR@10 {:.4f}".format(*cv(True)))
    print(
        "plus the 'taken' flag:     recall@1 {:.4f}  recall@5 {:.4f}  MRR@10 {:.4f}".format(*cv(False, True))
    )
    print(
        "plus both:                 recall@1 {:.4f}  recall@5 {:.4f}  MRR@10 {:.4f}".format(*cv(True, True))
    )
    table = models[(0,)]
    print(f"one table: {table.L.nnz:,} pairs, {table.size_bytes() / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
