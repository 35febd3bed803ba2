from __future__ import annotations

import ast
from pathlib import Path

import humas.textkit

PACKAGE = Path(humas.textkit.__file__).parent


def test_no_module_of_the_text_engine_imports_django() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_the_lexicon_and_stop_words_ship_with_the_package() -> None:
    data = PACKAGE / "data"
    assert (data / "lexicon_id.tsv").is_file()
    assert (data / "stopwords.txt").is_file()
    assert (data / "ranker.json").is_file()
