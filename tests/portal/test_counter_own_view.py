"""The beacon shows the view it just counted: the first reader of a new article reads "Telah
dilihat 1 kali", not 0 (issue #14). What a beacon answers is the flushed total plus the views
still waiting for the flush, on both stores (the embedded buffer and Redis)."""

from __future__ import annotations

import pytest
from django.test import Client

from humas.portal import counter

# The store fixture (database or Redis) and the per-test data directory of the counter's tests.
from .test_counter import _own_data_dir, beacon, buffer  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_first_reader_sees_their_own_view(client, publish, buffer):  # noqa: F811
    article = publish("33.20", title="Debat kandidat")

    assert beacon(client, article.pk).json() == {"views": 1}


def test_readers_see_every_view_waiting_for_the_flush_and_the_total_after_it(
    client,
    publish,
    buffer,  # noqa: F811
):
    article = publish("33.20", title="Debat kandidat")
    ani, budi, citra = client, Client(), Client()

    assert beacon(ani, article.pk).json() == {"views": 1}
    assert beacon(ani, article.pk).json() == {"views": 1}  # reloading is not a new view
    assert beacon(budi, article.pk).json() == {"views": 2}
    assert counter.views_flush() == 2
    assert beacon(ani, article.pk).json() == {"views": 2}
    assert beacon(citra, article.pk).json() == {"views": 3}
    assert beacon(budi, article.pk).json() == {"views": 3}
    assert counter.views_flush() == 1
    assert counter.article_views_total(article_id=article.pk) == 3


def test_a_beacon_that_is_not_counted_shows_the_views_counted_so_far(
    client,
    publish,
    member,
    buffer,  # noqa: F811
):
    article = publish("33.20", title="Debat kandidat")
    other = publish("33.20", title="Rapat pleno")
    beacon(client, article.pk)
    beacon(Client(), other.pk)  # another article's views are not this one's
    staff = Client()
    staff.force_login(member("33.20", "operator"))

    assert beacon(Client(), article.pk, user_agent="curl/8.5.0").json() == {"views": 1}
    assert beacon(staff, article.pk).json() == {"views": 1}
    assert counter.views_flush() == 2
