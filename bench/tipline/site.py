"""Helper of bench/tipline/run.py, run with the settings of the shape being measured.

python bench/tipline/site.py seed CORPUS   -> {"claims": …, "clarification": "/kab-jepara/klarifikasi/…"}
python bench/tipline/site.py engine QUERIES -> {"queries_per_second": …} (claim matching alone, 1 thread)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def seed(corpus: str) -> dict[str, object]:
    from django.core.management import call_command

    from humas.accounts.models import User
    from humas.factcheck.models import Claim
    from humas.offices.models import Membership, Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load
    from humas.portal.services import ArticleInput, article_approve, article_create, article_submit

    call_command("migrate", interactive=False, verbosity=0)
    offices_load(text=default_regions_text())
    national = Office.objects.get(code="00")
    rows = []
    with Path(corpus).open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            rows.append(
                Claim(
                    kind=Claim.Kind.EXTERNAL,
                    office=national,
                    source_name="TurnBackHoax",
                    external_id=doc["doc_id"],
                    title=doc["title"][:500],
                    text=doc["text"],
                    verdict=doc.get("label") or "hoaks",
                    url=doc.get("url") or "",
                )
            )
    Claim.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    office = Office.objects.get(code="33.20")
    author, _ = User.objects.get_or_create(
        email="bench.operator@kpu.test", defaults={"full_name": "Operator"}
    )
    editor, _ = User.objects.get_or_create(email="bench.editor@kpu.test", defaults={"full_name": "Editor"})
    Membership.objects.get_or_create(user=author, office=office, defaults={"role": Membership.Role.OPERATOR})
    Membership.objects.get_or_create(user=editor, office=office, defaults={"role": Membership.Role.EDITOR})
    article = article_create(
        actor=author,
        office=office,
        data=ArticleInput(
            title="Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan",
            type="klarifikasi",
            summary="Foto yang beredar adalah surat suara contoh untuk sosialisasi.",
            claim="Beredar foto surat suara yang sudah tercoblos di gudang logistik KPU Jepara.",
            verdict="hoaks",
            body="<p>Foto tersebut memperlihatkan surat suara contoh bertanda SPESIMEN.</p>",
        ),
    )
    article_submit(actor=author, article=article)
    article = article_approve(actor=editor, article=article)
    from humas.factcheck.services import claim_sync_from_article

    claim_sync_from_article(article_id=article.pk)  # as the after-commit receiver does
    return {
        "claims": Claim.objects.filter(is_active=True).count(),
        "clarification": article.get_absolute_url(),
    }


def engine(queries: str) -> dict[str, object]:
    """What the claim matcher alone answers in this process, one query at a time, as Cek Klaim
    asks it (the ceiling of the HTTP figures)."""
    from humas.factcheck.matching import claim_index, claims_match

    texts = [json.loads(line)["text"] for line in Path(queries).read_text(encoding="utf-8").splitlines()]
    claim_index()  # built once, as the first question of a process does
    started = time.perf_counter()
    cpu = time.process_time()
    for text in texts:
        claims_match([text], k=5)
    seconds = time.perf_counter() - started
    return {
        "queries": len(texts),
        "queries_per_second": len(texts) / seconds,
        "cpu_ms_per_query": 1000 * (time.process_time() - cpu) / len(texts),
    }


def main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv[0] == "seed":
        result = seed(argv[1])
    elif argv[0] == "engine":
        result = engine(argv[1])
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
