"""The two-person-rule migrations fill the new fields of rows that existed before them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import UserFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = [("publishing", "0004_images_variants"), ("portal", "0003_default_categories")]
AFTER = [("publishing", "0005_two_person_rule"), ("portal", "0004_two_person_rule")]


@pytest.mark.django_db(transaction=True)
def test_existing_posts_and_articles_get_their_author_as_last_changer_and_their_approval_as_history(offices):
    author, approver = UserFactory(), UserFactory()
    office = offices["33.20"]
    approved_at = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    try:
        old = migrate(BEFORE)
        Post = old.get_model("publishing", "Post")
        approved_post = Post.objects.create(
            office_id=office.pk,
            author_id=author.pk,
            text="Disetujui dulu.",
            status="approved",
            approved_by_id=approver.pk,
            approved_at=approved_at,
        )
        draft_post = Post.objects.create(office_id=office.pk, author_id=author.pk, text="Draf.")
        Article = old.get_model("portal", "Article")
        ArticleVersion = old.get_model("portal", "ArticleVersion")
        article = Article.objects.create(
            office_id=office.pk,
            author_id=author.pk,
            title="Terbit",
            slug="terbit",
            status="published",
            approved_by_id=approver.pk,
            version=2,
        )
        for number in (1, 2):
            ArticleVersion.objects.create(
                article=article, number=number, title="Terbit", created_by_id=author.pk
            )

        new = migrate(AFTER)

        Post = new.get_model("publishing", "Post")
        assert set(Post.objects.values_list("pk", "last_changed_by_id")) == {
            (approved_post.pk, author.pk),
            (draft_post.pk, author.pk),
        }
        assert list(
            new.get_model("publishing", "PostVersion").objects.values_list(
                "post_id", "number", "written_by_id", "approved_by_id", "approved_at"
            )
        ) == [(approved_post.pk, 1, author.pk, approver.pk, approved_at)]
        assert new.get_model("portal", "Article").objects.get(pk=article.pk).last_changed_by_id == author.pk
        versions = new.get_model("portal", "ArticleVersion").objects.filter(article_id=article.pk)
        assert sorted(versions.values_list("number", "approved_by_id")) == [(1, None), (2, approver.pk)]
    finally:
        migrate_to_latest()
