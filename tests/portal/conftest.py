from __future__ import annotations

import pytest

from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.web import pagecache


@pytest.fixture(autouse=True)
def _pagecache_dir(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"
    yield
    pagecache.clear()


@pytest.fixture
def publish(member):
    """publish("33.20", title=..., type=...) -> a published article written and approved by two people."""
    people: dict[str, tuple[object, object]] = {}

    def make(code: str, **fields):
        if code not in people:
            people[code] = (member(code, "operator"), member(code, "editor"))
        author, editor = people[code]
        from humas.offices.models import Office

        office = Office.objects.get(code=code)
        fields.setdefault("title", "Rapat pleno rekapitulasi")
        fields.setdefault("body", "<p>Isi berita.</p>")
        article = article_create(actor=author, office=office, data=ArticleInput(**fields))
        article_submit(actor=author, article=article)
        return article_approve(actor=editor, article=article)

    return make
