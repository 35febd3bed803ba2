"""The review workflow shared by portal articles and Konten posts (humas/core/workflow.py)."""

from __future__ import annotations

import pytest
from django.db.models import ForeignKey
from django.utils import translation
from django.utils.translation import gettext_lazy

from humas.accounts.models import User
from humas.core import workflow
from humas.offices.policy import PolicyDenied
from humas.portal.models import Article
from humas.portal.services import WorkflowError as ArticleWorkflowError
from humas.publishing.models import Post
from humas.publishing.services import PublishingError

OWN = gettext_lazy("Anda tidak dapat menyetujui artikel Anda sendiri.")
REFUSED = gettext_lazy("Artikel berstatus %(status)s tidak dapat diproses dengan cara ini.")
AUTHOR_EDITABLE = frozenset({"draft", "rejected"})


def test_the_author_may_not_approve_their_own_item():
    author = User(pk=7)

    assert workflow.may_approve(author_id=7, actor=author) is False


def test_someone_other_than_the_author_may_approve():
    assert workflow.may_approve(author_id=7, actor=User(pk=8)) is True


def test_require_not_author_refuses_the_author_with_the_given_message():
    with translation.override("id"), pytest.raises(PolicyDenied) as refused:
        workflow.require_not_author(author_id=7, actor=User(pk=7), message=OWN)

    assert str(refused.value) == "Anda tidak dapat menyetujui artikel Anda sendiri."


def test_require_not_author_message_is_translated_when_raised():
    with translation.override("en"), pytest.raises(PolicyDenied) as refused:
        workflow.require_not_author(author_id=7, actor=User(pk=7), message=OWN)

    assert str(refused.value) == "You cannot approve your own article."


def test_require_not_author_lets_a_second_person_through():
    workflow.require_not_author(author_id=7, actor=User(pk=8), message=OWN)  # does not raise


def test_a_status_the_author_owns_is_editable_by_the_author_with_content_draft():
    assert workflow.may_author_edit("draft", AUTHOR_EDITABLE) is True
    assert workflow.edit_permission("draft", AUTHOR_EDITABLE) == "content.draft"
    assert workflow.edit_permission("rejected", AUTHOR_EDITABLE) == "content.draft"


def test_a_status_in_review_or_public_needs_content_approve_to_edit():
    assert workflow.may_author_edit("published", AUTHOR_EDITABLE) is False
    assert workflow.edit_permission("published", AUTHOR_EDITABLE) == "content.approve"
    assert workflow.edit_permission("in_review", AUTHOR_EDITABLE) == "content.approve"


def test_an_allowed_transition_passes_the_guard():
    article = Article(status=Article.Status.IN_REVIEW)

    workflow.require_status(article, {Article.Status.IN_REVIEW}, message=REFUSED)  # does not raise


def test_a_refused_transition_names_the_current_status_in_indonesian():
    article = Article(status=Article.Status.PUBLISHED)

    with translation.override("id"), pytest.raises(workflow.WorkflowError) as refused:
        workflow.require_status(article, {Article.Status.IN_REVIEW}, message=REFUSED)

    assert str(refused.value) == "Artikel berstatus Terbit tidak dapat diproses dengan cara ini."


def test_a_refused_transition_is_translated_when_raised():
    article = Article(status=Article.Status.DRAFT)

    with translation.override("en"), pytest.raises(workflow.WorkflowError) as refused:
        workflow.require_status(article, {Article.Status.IN_REVIEW}, message=REFUSED)

    assert str(refused.value) == "An article with status Draft cannot be handled this way."


def test_a_refused_transition_raises_the_app_error_given():
    post = Post(status=Post.Status.PUBLISHED)
    message = gettext_lazy("Unggahan berstatus %(status)s tidak dapat diproses dengan cara ini.")

    with translation.override("id"), pytest.raises(PublishingError) as refused:
        workflow.require_status(post, {Post.Status.IN_REVIEW}, message=message, error=PublishingError)

    assert str(refused.value) == "Unggahan berstatus Diterbitkan tidak dapat diproses dengan cara ini."


def test_both_apps_errors_are_workflow_errors_but_not_each_other():
    assert issubclass(ArticleWorkflowError, workflow.WorkflowError)
    assert issubclass(PublishingError, workflow.WorkflowError)
    assert issubclass(workflow.WorkflowError, ValueError)
    assert not issubclass(PublishingError, ArticleWorkflowError)
    assert not issubclass(ArticleWorkflowError, PublishingError)


@pytest.mark.parametrize("model", [Article, Post])
def test_articles_and_posts_take_author_and_approver_from_the_shared_mixin(model):
    assert issubclass(model, workflow.ReviewedModel)
    for name in ("author", "approved_by"):
        shared = workflow.ReviewedModel._meta.get_field(name)
        field = model._meta.get_field(name)
        assert isinstance(field, ForeignKey) and isinstance(shared, ForeignKey)
        assert field.deconstruct()[1:] == shared.deconstruct()[1:]
        assert field.column == f"{name}_id"
