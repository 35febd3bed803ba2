"""Run in a subprocess against the database the app under test uses (not the test database).

python -m tests.deploy.site_setup publish   -> prints {"url", "id", "email", "password"}
python -m tests.deploy.site_setup edit ID TITLE
"""

from __future__ import annotations

import json
import sys

PASSWORD = "kata-sandi-uji-nginx-yang-panjang"  # noqa: S105 - a throwaway test account


def _setup() -> None:
    import django

    django.setup()


def publish() -> dict[str, object]:
    from django.core.management import call_command

    from humas.accounts.models import User
    from humas.offices.models import Membership, Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load
    from humas.portal.services import ArticleInput, article_approve, article_create, article_submit

    call_command("migrate", interactive=False, verbosity=0)
    offices_load(text=default_regions_text())
    office = Office.objects.get(code="33.20")
    author = User.objects.create_user("operator@kpu.test", PASSWORD, full_name="Operator")
    editor = User.objects.create_user("editor@kpu.test", PASSWORD, full_name="Editor")
    Membership.objects.create(user=author, office=office, role=Membership.Role.OPERATOR)
    Membership.objects.create(user=editor, office=office, role=Membership.Role.EDITOR)
    data = ArticleInput(title="Rapat pleno rekapitulasi", body="<p>Versi pertama berita.</p>")
    article = article_create(actor=author, office=office, data=data)
    article_submit(actor=author, article=article)
    article = article_approve(actor=editor, article=article)
    return {"url": article.get_absolute_url(), "id": article.pk, "email": editor.email, "password": PASSWORD}


def edit(article_id: int, title: str) -> dict[str, object]:
    from humas.accounts.models import User
    from humas.offices.models import Membership
    from humas.portal.models import Article
    from humas.portal.services import ArticleInput, article_approve, article_update

    article = Article.objects.get(pk=article_id)
    editor = User.objects.get(email="editor@kpu.test")
    # A published article whose title changes goes back to review: a second Editor makes the
    # change and the first approves it again (the two-person rule), then it is live.
    second, created = User.objects.get_or_create(email="editor2@kpu.test", defaults={"full_name": "Editor 2"})
    if created:
        second.set_password(PASSWORD)
        second.save()
        Membership.objects.create(user=second, office=article.office, role=Membership.Role.EDITOR)
    data = ArticleInput(title=title, type=article.type, body=article.body, slug=article.slug)
    article = article_update(actor=second, article=article, data=data)
    article = article_approve(actor=editor, article=article)
    return {"url": article.get_absolute_url(), "title": article.title}


def login_ip() -> dict[str, object]:
    from humas.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="auth.login").order_by("-created_at", "-id").first()
    return {"ip": event.ip if event else None}


def main(argv: list[str]) -> int:
    _setup()
    if argv[0] == "publish":
        result = publish()
    elif argv[0] == "edit":
        result = edit(int(argv[1]), argv[2])
    elif argv[0] == "login-ip":
        result = login_ip()
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
