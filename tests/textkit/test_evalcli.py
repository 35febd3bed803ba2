from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from humas.textkit.evalcli import main

REPO = Path(__file__).resolve().parents[2]


def test_eval_prints_the_contract_json_as_the_last_line(
    mini_corpus_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "--corpus", str(mini_corpus_path), "--queries", str(mini_queries_path), "--json"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads(last)
    assert code == 0
    assert list(report) == [
        "queries",
        "recall@1",
        "recall@5",
        "mrr@10",
        "index_seconds",
        "queries_per_second",
        "decisions",
    ]
    assert set(report["decisions"]) == {"match", "suggestion", "none", "match+suggestion"}
    shares = [report["decisions"][d]["share"] for d in ("match", "suggestion", "none")]
    assert sum(shares) == pytest.approx(1.0, abs=0.001)
    assert report["queries"] == 15
    assert report["recall@5"] == 1.0
    assert report["recall@1"] >= 0.85


def test_eval_without_json_prints_a_readable_table(
    mini_corpus_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["eval", "--corpus", str(mini_corpus_path), "--queries", str(mini_queries_path), "--k", "5"])
        == 0
    )
    assert "recall@1" in capsys.readouterr().out


def test_a_broken_corpus_line_is_reported_with_its_number(
    tmp_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"doc_id": "a", "title": "t", "text": "x"}\n{"doc_id": "b", "title": "t"\n', encoding="utf-8"
    )
    assert main(["eval", "--corpus", str(corpus), "--queries", str(mini_queries_path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{corpus}:2: invalid JSON" in captured.err


def test_a_corpus_line_missing_a_field_is_reported(
    tmp_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"doc_id": "a", "title": "t", "text": "x"}\n\n{"doc_id": "b", "text": "y"}\n', encoding="utf-8"
    )
    assert main(["eval", "--corpus", str(corpus), "--queries", str(mini_queries_path)]) == 2
    assert f"{corpus}:3: missing field 'title'" in capsys.readouterr().err


def test_a_missing_file_is_an_error_not_a_traceback(
    tmp_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--corpus", str(tmp_path / "nope.jsonl"), "--queries", str(mini_queries_path)]) == 2
    assert "cannot open" in capsys.readouterr().err


def test_the_module_runs_as_a_script(mini_corpus_path: Path, mini_queries_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "humas.textkit.evalcli",
            "eval",
            "--corpus",
            str(mini_corpus_path),
            "--queries",
            str(mini_queries_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=120,
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1])["queries"] == 15


def test_a_binary_corpus_is_rejected_with_a_line_number(
    tmp_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b'{"doc_id": "a", "title": "t", "text": "x"}\n\xff\xfe\x00binary\n')
    assert main(["eval", "--corpus", str(corpus), "--queries", str(mini_queries_path)]) == 2
    assert f"{corpus}:2: not valid UTF-8" in capsys.readouterr().err


def test_a_repeated_doc_id_is_rejected(
    tmp_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"doc_id": "a", "title": "t", "text": "x"}\n{"doc_id": "a", "title": "u", "text": "y"}\n',
        encoding="utf-8",
    )
    assert main(["eval", "--corpus", str(corpus), "--queries", str(mini_queries_path)]) == 2
    assert "repeated doc_id 'a'" in capsys.readouterr().err


def test_judged_pairs_count_as_relevant_at_claim_level(
    tmp_path: Path, mini_corpus_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first candidate that is not the labelled answer but was judged "same" is right at claim
    level; "related" and "different" are not; the gold figures stay as they were."""
    args = ["eval", "--corpus", str(mini_corpus_path), "--queries", str(mini_queries_path), "--json"]
    assert main(args) == 0
    gold = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Judge every query's wrong candidates: the first one of q1 "same", the others "related".
    from humas.textkit.evaluation import read_corpus, read_queries
    from humas.textkit.index import ClaimIndex

    index = ClaimIndex()
    index.add(read_corpus(mini_corpus_path))
    queries = read_queries(mini_queries_path)
    lines = []
    for q, result in zip(queries, index.search_batch([q.text for q in queries]), strict=True):
        wrong = [c.doc_id for c in result.candidates if c.doc_id not in q.relevant_doc_ids]
        for n, doc_id in enumerate(wrong[:2]):
            label = "same" if n == 0 else "related"
            lines.append(
                json.dumps({"query_id": q.query_id, "candidate_id": doc_id, "label": label, "note": ""})
            )
    judged = tmp_path / "judged.jsonl"
    judged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main([*args, "--judged", str(judged)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["recall@1"] == gold["recall@1"]
    assert report["judged_pairs"] == len(lines)
    # Every query's first two candidates are now the gold or a "same" one: all right at rank 1.
    assert report["claim_level"]["recall@1"] == 1.0
    assert report["claim_level"]["mrr@10"] >= gold["mrr@10"]
    assert report["decisions"]["match+suggestion"]["precision"] in (0.0, 1.0)


def test_a_judged_pair_with_an_unknown_label_or_twice_is_an_error(
    tmp_path: Path, mini_corpus_path: Path, mini_queries_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["eval", "--corpus", str(mini_corpus_path), "--queries", str(mini_queries_path)]
    judged = tmp_path / "judged.jsonl"
    judged.write_text('{"query_id": "q1", "candidate_id": "klar-009", "label": "mirip"}\n', encoding="utf-8")
    assert main([*args, "--judged", str(judged)]) == 2
    assert f"{judged}:1: label 'mirip' is not one of same, related, different" in capsys.readouterr().err
    pair = '{"query_id": "q1", "candidate_id": "klar-009", "label": "same"}\n'
    judged.write_text(pair + pair, encoding="utf-8")
    assert main([*args, "--judged", str(judged)]) == 2
    assert "judged twice" in capsys.readouterr().err


def test_the_dev_judgements_match_the_pool_and_their_labels(shared_data: Path) -> None:
    """bench/claims/data/judged_dev.jsonl: every pair a labelled query and a corpus document,
    none a labelled answer (those are relevant by definition), one of the three labels."""
    from humas.textkit.evaluation import read_corpus, read_judged, read_queries

    judged = read_judged(REPO / "bench" / "claims" / "data" / "judged_dev.jsonl")
    queries = {q.query_id: q for q in read_queries(shared_data / "factchecks" / "queries_dev.jsonl")}
    docs = {d.doc_id for d in read_corpus(shared_data / "factchecks" / "corpus.jsonl")}
    assert len(judged) > 2000
    for j in judged:
        assert j.query_id in queries and j.candidate_id in docs
        assert j.candidate_id not in queries[j.query_id].relevant_doc_ids
        assert j.note
