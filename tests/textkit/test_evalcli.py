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
    ]
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
