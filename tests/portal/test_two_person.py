"""Portal articles under the two-person rule: the last changer cannot approve, a change after
approval goes back to review, typo corrections of published articles, and the version history."""

from __future__ import annotations

import pytest

from humas.audit.models import AuditEvent
from humas.offices.policy import PolicyDenied
from humas.portal.models import Article, ArticleVersion
from humas.portal.services import (
    TYPO_MAX_CHANGED,
    ArticleInput,
    WorkflowError,
    article_approve,
    article_create,
    article_submit,
    article_update,
    changed_characters,
)

pytestmark = pytest.mark.django_db
JEPARA = "33.20"
BASE = "/app/kab-jepara/portal/"
BODY = "<p>Rapat pleno rekapitulasi suara tingkat kabupaten digelar di aula KPU Jepara.</p>"


@pytest.fixture
def trio(member):
    """An Operator who writes, the Editor who approved, and a second Editor."""
    return (
        member(JEPARA, "operator", email="operator@kpu.test"),
        member(JEPARA, "editor", email="penyetuju@kpu.test"),
        member(JEPARA, "editor", email="editor.kedua@kpu.test"),
    )


def _published(trio, offices, **fields) -> Article:
    operator, approver, _ = trio
    fields.setdefault("title", "Rapat pleno rekapitulasi")
    fields.setdefault("summary", "Rapat pleno digelar hari ini.")
    fields.setdefault("body", BODY)
    article = article_create(actor=operator, office=offices[JEPARA], data=ArticleInput(**fields))
    article_submit(actor=operator, article=article)
    return article_approve(actor=approver, article=article)


def test_an_editor_who_edits_an_operators_article_in_review_cannot_approve_it(trio, offices):
    operator, _, editor = trio
    article = article_create(
        actor=operator, office=offices[JEPARA], data=ArticleInput(title="Jadwal kampanye")
    )
    article_submit(actor=operator, article=article)
    article_update(
        actor=editor, article=article, data=ArticleInput(title="Jadwal kampanye", body="<p>Ubah.</p>")
    )

    with pytest.raises(PolicyDenied) as refused:
        article_approve(actor=editor, article=article)

    assert str(refused.value) == "Anda tidak dapat menyetujui konten yang Anda tulis atau ubah terakhir."
    article.refresh_from_db()
    assert (article.status, article.approved_by, article.last_changed_by) == (
        Article.Status.IN_REVIEW,
        None,
        editor,
    )
    assert not AuditEvent.objects.filter(action="article.publish").exists()


def test_only_filing_fields_change_without_a_new_review(trio, offices):
    article = _published(trio, offices)
    _, approver, editor = trio

    article_update(
        actor=editor,
        article=article,
        data=ArticleInput(
            title=article.title,
            summary=article.summary,
            body=article.body,
            slug=article.slug,
            tags=["rekapitulasi"],
        ),
    )

    article.refresh_from_db()
    assert (article.status, article.approved_by, article.last_changed_by) == (
        Article.Status.PUBLISHED,
        approver,
        trio[0],
    )


def test_a_typo_correction_by_a_second_person_stays_published_and_is_audited(trio, offices):
    article = _published(trio, offices)
    _, approver, editor = trio
    corrected = BODY.replace("Rapat pleno", "Rapat  pleno")  # one character

    article_update(
        actor=editor,
        article=article,
        data=ArticleInput(title=article.title, summary=article.summary, body=corrected, slug=article.slug),
        typo_correction=True,
    )

    article.refresh_from_db()
    assert (article.status, article.approved_by, article.body) == (
        Article.Status.PUBLISHED,
        approver,
        corrected,
    )
    assert article.last_changed_by == editor
    event = AuditEvent.objects.get(action="article.typo_correction")
    assert event.changes == {"fields": ["body"], "version": 2, "changed_characters": 1}
    assert not AuditEvent.objects.filter(action="article.update").exists()
    assert list(ArticleVersion.objects.filter(article=article).values_list("number", "typo_correction")) == [
        (2, 1),
        (1, None),
    ]


def test_the_approver_cannot_correct_typos_in_what_they_approved(trio, offices):
    article = _published(trio, offices)
    _, approver, _ = trio

    with pytest.raises(WorkflowError) as refused:
        article_update(
            actor=approver,
            article=article,
            data=ArticleInput(title=article.title, summary="Rapat pleno digelar hari ini!", body=BODY),
            typo_correction=True,
        )

    assert "orang kedua" in str(refused.value)
    article.refresh_from_db()
    assert (article.summary, article.version, article.status) == (
        "Rapat pleno digelar hari ini.",
        1,
        Article.Status.PUBLISHED,
    )


def test_a_typo_correction_bigger_than_the_limit_is_refused(trio, offices):
    article = _published(trio, offices)
    _, _, editor = trio
    longer = BODY.replace("</p>", " Hasilnya diumumkan besok pagi di kantor.</p>")
    assert changed_characters(BODY, longer) == TYPO_MAX_CHANGED + 1

    with pytest.raises(WorkflowError) as refused:
        article_update(
            actor=editor,
            article=article,
            data=ArticleInput(title=article.title, summary=article.summary, body=longer),
            typo_correction=True,
        )

    assert str(refused.value) == (
        "Perubahan ini terlalu besar untuk koreksi salah ketik (41 karakter berubah, batas 40). "
        "Simpan tanpa tanda koreksi agar artikel ditinjau ulang."
    )
    article.refresh_from_db()
    assert (article.body, article.version) == (BODY, 1)


def test_a_typo_correction_may_not_touch_the_title(trio, offices):
    article = _published(trio, offices)
    _, _, editor = trio

    with pytest.raises(WorkflowError) as refused:
        article_update(
            actor=editor,
            article=article,
            data=ArticleInput(title="Rapat pleno rekapitulasii", summary=article.summary, body=BODY),
            typo_correction=True,
        )

    assert "judul" in str(refused.value)
    article.refresh_from_db()
    assert (article.title, article.status) == ("Rapat pleno rekapitulasi", Article.Status.PUBLISHED)


def test_a_typo_correction_only_applies_to_published_articles(trio, offices):
    operator, _, _ = trio
    article = article_create(
        actor=operator, office=offices[JEPARA], data=ArticleInput(title="Draf", body=BODY)
    )

    with pytest.raises(WorkflowError) as refused:
        article_update(
            actor=operator,
            article=article,
            data=ArticleInput(title="Draf", body=BODY.replace("aula", "aulaa")),
            typo_correction=True,
        )

    assert str(refused.value) == "Koreksi salah ketik hanya untuk artikel yang sudah terbit."


def test_changed_characters_counts_the_longer_side_of_each_change():
    assert changed_characters("pemilihan umum", "pemilihan umum") == 0
    assert changed_characters("pemilhan umum", "pemilihan umum") == 1
    assert changed_characters("Tanggal 14 Februari", "Tanggal 15 Februari") == 1
    assert changed_characters("abc", "") == 3
    assert changed_characters("a" * 10_000 + "x", "a" * 10_000 + "yz") == 2


def test_the_edit_form_of_a_published_article_offers_the_typo_checkbox_and_saves_a_correction(
    client, trio, offices
):
    article = _published(trio, offices)
    _, approver, editor = trio
    client.force_login(editor)

    page = client.get(f"{BASE}{article.pk}/edit/").content.decode()
    assert 'name="typo_correction"' in page
    assert "Koreksi salah ketik" in page
    response = client.post(
        f"{BASE}{article.pk}/edit/",
        {
            "type": "berita",
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": BODY.replace("aula KPU", "aula kantor KPU"),
            "typo_correction": "on",
        },
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.approved_by) == (Article.Status.PUBLISHED, approver)
    detail = client.get(f"{BASE}{article.pk}/").content.decode()
    assert "koreksi salah ketik (7 karakter)" in detail


def test_the_edit_form_of_a_draft_has_no_typo_checkbox(client, trio, offices):
    operator, _, _ = trio
    article = article_create(actor=operator, office=offices[JEPARA], data=ArticleInput(title="Draf"))
    client.force_login(operator)

    assert 'name="typo_correction"' not in client.get(f"{BASE}{article.pk}/edit/").content.decode()


def test_a_refused_typo_correction_is_shown_on_the_form(client, trio, offices):
    article = _published(trio, offices)
    _, approver, _ = trio
    client.force_login(approver)

    response = client.post(
        f"{BASE}{article.pk}/edit/",
        {
            "type": "berita",
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": BODY.replace("aula", "aulaa"),
            "typo_correction": "on",
        },
    )

    assert response.status_code == 400
    assert "Koreksi salah ketik harus dilakukan orang kedua" in response.content.decode()
    article.refresh_from_db()
    assert article.version == 1


def test_the_detail_page_shows_who_wrote_and_who_approved_each_version(client, trio, offices):
    operator, approver, editor = trio
    operator.first_name, operator.last_name = "Sri", "Penulis"
    operator.save()
    article = _published(trio, offices)
    article_update(
        actor=editor,
        article=article,
        data=ArticleInput(title="Rapat pleno hari kedua", body=BODY, slug=article.slug),
    )
    client.force_login(editor)

    page = client.get(f"{BASE}{article.pk}/").content.decode()

    assert f"ditulis oleh {operator}" in page
    assert f"disetujui oleh {approver}" in page
    assert f"ditulis oleh {editor}" in page
    # The last changer sees why there is no approve button.
    assert "Anda yang terakhir mengubah artikel ini, jadi Editor lain yang menyetujuinya." in page
    assert f"/portal/{article.pk}/approve/" not in page
