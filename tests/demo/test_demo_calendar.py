"""The demo's month of Konten, its scheduled article and KPU RI's masa tenang (humas/demo/seed.py)."""

from __future__ import annotations

import pytest

from humas.blackouts.models import Blackout
from humas.blackouts.selectors import blocking_window
from humas.demo.seed import DEMO_POSTS, demo_calendar, demo_content, demo_official_accounts, demo_seed
from humas.portal.models import Article
from humas.publishing.models import Post

pytestmark = pytest.mark.django_db


def test_the_demo_calendar_has_a_month_of_posts_and_a_held_article(
    offices, django_capture_on_commit_callbacks
):
    demo_seed(password="kata-sandi-demo-panjang")
    demo_content()
    demo_official_accounts()
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_calendar() == len(DEMO_POSTS)
    assert demo_calendar() == 0  # once
    statuses = set(Post.objects.values_list("status", flat=True))
    assert statuses == {Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.APPROVED}
    assert (
        Post.objects.filter(office__code="33").count() and Post.objects.filter(office__code="33.20").count()
    )
    window = Blackout.objects.get()
    assert window.office.code == "00" and window.includes_below
    held = Article.objects.get(status=Article.Status.SCHEDULED)
    assert held.held_by == window
    # No demo post sits inside the window: each was scheduled where the rules allow.
    for post in Post.objects.select_related("office"):
        assert blocking_window(office=post.office, at=post.scheduled_at) is None
