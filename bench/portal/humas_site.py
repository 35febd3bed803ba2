"""Helper of bench/portal/run.py, run with the settings of the shape being measured.

python bench/portal/humas_site.py seed BODY_FILE   -> {"id": …, "url": …}
python bench/portal/humas_site.py views ARTICLE_ID -> {"flushed": …, "total": …}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TITLE = "KPU Kabupaten Jepara Tetapkan Hasil Rekapitulasi Suara Tingkat Kabupaten"
SUMMARY = (
    "Rapat pleno terbuka rekapitulasi hasil penghitungan suara berlangsung tertib dan disaksikan para saksi."
)


def seed(body_file: str) -> dict[str, object]:
    from django.core.management import call_command

    from humas.accounts.models import User
    from humas.offices.models import Membership, Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load
    from humas.portal.services import ArticleInput, article_approve, article_create, article_submit

    call_command("migrate", interactive=False, verbosity=0)
    offices_load(text=default_regions_text())
    office = Office.objects.get(code="33.20")
    author, _ = User.objects.get_or_create(
        email="bench.operator@kpu.test", defaults={"full_name": "Operator"}
    )
    editor, _ = User.objects.get_or_create(email="bench.editor@kpu.test", defaults={"full_name": "Editor"})
    Membership.objects.get_or_create(user=author, office=office, defaults={"role": Membership.Role.OPERATOR})
    Membership.objects.get_or_create(user=editor, office=office, defaults={"role": Membership.Role.EDITOR})
    body = Path(body_file).read_text(encoding="utf-8")
    data = ArticleInput(title=TITLE, summary=SUMMARY, body=body, tags=["rekapitulasi", "pemilu"])
    article = article_create(actor=author, office=office, data=data)
    article_submit(actor=author, article=article)
    # Real news text: the guideline may warn about it (a figure, a name); the approver's reason
    # lets the bench's article through as an editor's would.
    article = article_approve(
        actor=editor, article=article, policy_reason="Teks berita nyata untuk uji beban portal."
    )
    return {"id": article.pk, "url": article.get_absolute_url()}


def views(article_id: int) -> dict[str, object]:
    from humas.portal import counter

    flushed = counter.views_flush()
    return {"flushed": flushed, "total": counter.article_views_total(article_id=article_id)}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv[0] == "seed":
        result = seed(argv[1])
    elif argv[0] == "views":
        result = views(int(argv[1]))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
