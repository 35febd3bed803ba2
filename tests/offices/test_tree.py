"""Subtree filters return exactly the offices below a path, on SQLite (byte range) and PostgreSQL (LIKE)."""

from __future__ import annotations

import pytest

from humas.offices.models import Office
from humas.offices.tree import ROOT_PATH, subtree, subtree_any

pytestmark = pytest.mark.django_db


def add(parent: Office, code: str) -> Office:
    return Office.objects.create(
        code=code,
        name=code,
        region_name=code,
        level=Office.Level.PPK,
        parent=parent,
        path=f"{parent.path}{code}/",
        depth=parent.depth + 1,
        slug=f"t-{code.replace('.', '-')}",
        time_zone=parent.time_zone,
    )


def test_subtree_includes_the_node_and_everything_below_and_nothing_beside(offices):
    jepara = offices["33.20"]
    ppk = add(jepara, "33.20.01")
    pps = add(ppk, "33.20.01.2001")
    # Paths that share a textual prefix with Jepara's but are not below it.
    lookalike = add(offices["33"], "33.201")
    dotted = add(offices["33"], "33.20.")

    codes = set(Office.objects.filter(subtree(jepara.path)).values_list("code", flat=True))

    assert codes == {"33.20", ppk.code, pps.code}
    assert lookalike.code not in codes and dotted.code not in codes


def test_root_subtree_is_everything(offices):
    assert Office.objects.filter(subtree(ROOT_PATH)).count() == Office.objects.count()


def test_subtree_any_merges_nested_paths(offices):
    query = subtree_any([offices["33"].path, offices["33.20"].path, offices["73.71"].path])
    assert Office.objects.filter(query).count() == 36 + 1


def test_subtree_rejects_a_path_without_trailing_separator():
    with pytest.raises(ValueError):
        subtree("/00/33")
