"""A post published on the office's portal gets an article slug without a trailing dash (issue #14)."""

from __future__ import annotations

import pytest

from humas.portal.models import Article
from humas.publishing.delivery import publication_create
from humas.publishing.portal_channel import portal_channel_ensure
from tests.portal.test_slugs import CUT, LONG_TITLE

from .conftest import JEPARA

pytestmark = pytest.mark.django_db


def test_a_post_with_a_long_first_sentence_gets_a_slug_cut_at_a_word(
    offices, approved_post, operator, django_capture_on_commit_callbacks
):
    portal = portal_channel_ensure(office=offices[JEPARA])
    post = approved_post(f"{LONG_TITLE}. Rapat dihadiri saksi partai politik dan Bawaslu.", channels=[portal])

    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_create(actor=operator, post=post, channels=[portal])

    article = Article.objects.get()
    assert article.title == LONG_TITLE
    assert article.slug == CUT
    assert publication.deliveries.get().url == f"/kab-jepara/pengumuman/{CUT}/"
