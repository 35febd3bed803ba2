"""Article slugs made from long titles: cut at a word boundary, never ending in a dash (issue #14)."""

from __future__ import annotations

import pytest
from django.utils.text import slugify

from humas.portal.services import ArticleInput, article_create

pytestmark = pytest.mark.django_db
JEPARA = "33.20"
# Its slug is 115 characters; the first 100 end right after "kabupaten", on the dash of a space.
LONG_TITLE = (
    "Pleno KPUD Kabupaten Jepara tetapkan hasil rekapitulasi penghitungan suara pemilu tingkat "
    "kabupaten pada hari Senin"
)
CUT = "pleno-kpud-kabupaten-jepara-tetapkan-hasil-rekapitulasi-penghitungan-suara-pemilu-tingkat-kabupaten"


def test_the_long_title_truncates_right_after_a_space():
    assert slugify(LONG_TITLE)[:100] == f"{CUT}-"


def test_a_long_title_is_cut_at_a_word_boundary_without_a_trailing_dash(member, offices):
    author = member(JEPARA, "operator")

    first = article_create(actor=author, office=offices[JEPARA], data=ArticleInput(title=LONG_TITLE))
    second = article_create(actor=author, office=offices[JEPARA], data=ArticleInput(title=LONG_TITLE))

    assert first.slug == CUT
    assert second.slug == f"{CUT}-2"
    assert first.get_absolute_url() == f"/kab-jepara/berita/{CUT}/"


def test_a_title_cut_inside_a_word_drops_the_partial_word(member, offices):
    title = "Sosialisasi " * 8 + "pendidikan pemilih"  # 8 x 12 characters, then a word across 100
    article = article_create(
        actor=member(JEPARA, "operator"), office=offices[JEPARA], data=ArticleInput(title=title)
    )

    assert article.slug == "-".join(["sosialisasi"] * 8)


def test_one_word_longer_than_the_limit_is_cut_at_the_limit(member, offices):
    article = article_create(
        actor=member(JEPARA, "operator"), office=offices[JEPARA], data=ArticleInput(title="a" * 150)
    )

    assert article.slug == "a" * 100
