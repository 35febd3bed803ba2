"""#18 at scale: KPU RI's calendar of a busy month, rolled up over every office below it, reads
in the same number of queries whatever the month holds (bench/cascade's `calendar` part times it
with 10,000 posts on PostgreSQL).

The month is written in bulk, row by row as the services leave it (a draft and a post in review
with their time; an approved one with its version; published ones with their publication and one
delivery per channel, sent, queued, waiting for a person or failed; a delivery to the portal with
the article it made; and portal articles of their own), across KPU RI, two provinces and their
regencies: what is counted is the queries, not how the rows came to be."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import cycle

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from humas.channels.models import Channel, Platform
from humas.offices.models import Office
from humas.portal.models import Article, ElectionStage
from humas.publishing.models import Delivery, DeliveryArticle, Post, PostVersion, Publication
from humas.publishing.portal_channel import PORTAL_ACCOUNT_ID

from .conftest import JATENG, JAYAPURA, JEPARA, MAKASSAR, SEMARANG, at

pytestmark = pytest.mark.django_db

RI = "00"
SULSEL = "73"
OFFICES = (RI, JATENG, JEPARA, SEMARANG, SULSEL, MAKASSAR, JAYAPURA)
PLATFORMS = (Platform.FACEBOOK, Platform.X, Platform.TELEGRAM, Platform.TIKTOK, Platform.PORTAL)
# What each post of the month becomes, in turn: every colour of the calendar, and the deliveries
# of each (sent, queued, waiting for a person, failed).
STATES = ("draft", "in_review", "approved", "pending", "published", "published", "failed")
MARCH_RANGE = {"start": "2031-03-01T00:00", "end": "2031-04-01T00:00", "cakupan": "semua"}
LIST_QUERY = {"bulan": "2031-03", "cakupan": "semua"}
LIST_PAGE_SIZE = 200  # entries on one page of the list view
# What the feed takes whatever the month holds: the session, the person, their second factor and
# memberships, the office, the office filter's choices, the blackout windows, and the calendar's
# own reads (a page of the entries' keys in time order with the count of them all, from one UNION;
# then the deliveries that need a word, the posts, their offices, their channels, the articles and
# theirs, one query each). The list view adds the bell, the office switcher and the campaigns offered.
FEED_QUERIES = 13
LIST_QUERIES = 16


def _counts_of_entries(queries: list[str]) -> int:
    """The queries that count the month's entries apart from reading them (none: the page of keys
    carries the count, so the UNION of the posts' and articles' keys is computed once)."""
    return sum(1 for sql in queries if sql.startswith("SELECT COUNT(*) FROM (") and "'post' AS" in sql)


def _channels(offices: dict[str, Office]) -> dict[str, list[Channel]]:
    made = Channel.objects.bulk_create(
        [
            Channel(
                office=offices[code],
                platform=platform,
                name=f"{offices[code].name} {platform}",
                account_id=PORTAL_ACCOUNT_ID if platform == Platform.PORTAL else f"{platform}-{code}",
                is_official=platform != Platform.PORTAL,
            )
            for code in OFFICES
            for platform in PLATFORMS
        ]
    )
    by_code: dict[str, list[Channel]] = {code: [] for code in OFFICES}
    for channel in made:
        by_code[next(c for c in OFFICES if offices[c].pk == channel.office_id)].append(channel)
    return by_code


def busy_month(
    count: int,
    *,
    start: int,
    offices: dict[str, Office],
    channels: dict[str, list[Channel]],
    author,
    approver,
) -> None:
    """``count`` more posts of March 2031 (numbered from ``start``) spread over OFFICES, one state
    after another, each on two or three channels; and a portal article of its own for every
    fifth post."""
    codes, states = cycle(OFFICES), cycle(STATES)
    plan = []
    for n in range(start, start + count):
        code, state = next(codes), next(states)
        when = at(1 + n % 28, n % 12, (n * 7) % 60)
        chosen = channels[code][n % 3 : n % 3 + 2 + n % 2]
        plan.append((code, state, when, chosen))
    posts = Post.objects.bulk_create(
        [
            Post(
                office=offices[code],
                author=author,
                last_changed_by=author,
                last_changed_at=when - timedelta(days=2),
                text=f"Unggahan {n}: jadwal sosialisasi tahapan pemilu di kantor KPU, terbuka untuk umum.",
                status={
                    "draft": Post.Status.DRAFT,
                    "in_review": Post.Status.IN_REVIEW,
                    "approved": Post.Status.APPROVED,
                }.get(state, Post.Status.PUBLISHED),
                scheduled_at=when,
                approved_by=None if state in ("draft", "in_review") else approver,
                approved_at=None if state in ("draft", "in_review") else when - timedelta(days=1),
            )
            for n, (code, state, when, _chosen) in enumerate(plan, start=start)
        ]
    )
    Post.channels.through.objects.bulk_create(
        [
            Post.channels.through(post_id=post.pk, channel_id=channel.pk)
            for post, (_code, _state, _when, chosen) in zip(posts, plan, strict=True)
            for channel in chosen
        ]
    )
    approved = [(post, item) for post, item in zip(posts, plan, strict=True) if post.approved_by_id]
    PostVersion.objects.bulk_create(
        [
            PostVersion(
                post=post,
                number=1,
                text=post.text,
                channels=[channel.name for channel in item[3]],
                written_by=author,
                written_at=post.last_changed_at,
                approved_by=approver,
                approved_at=post.approved_at,
            )
            for post, item in approved
        ]
    )
    published = [(post, item) for post, item in approved if item[1] != "approved"]
    publications = Publication.objects.bulk_create(
        [Publication(post=post, created_by=approver) for post, _item in published]
    )
    deliveries, portal = [], []
    for publication, (_post, (_code, state, when, chosen)) in zip(publications, published, strict=True):
        for index, channel in enumerate(chosen):
            assisted = channel.platform == Platform.TIKTOK
            fields: dict[str, object] = {"next_attempt_at": None if assisted else when}
            if state == "pending":
                fields["state"] = Delivery.State.MANUAL if assisted else Delivery.State.QUEUED
            elif state == "failed" and index == 0:
                fields.update(state=Delivery.State.FAILED, attempt_count=5, error_message="Ditolak platform.")
            else:
                fields.update(
                    state=Delivery.State.SENT,
                    attempt_count=0 if assisted else 1,
                    sent_at=when + timedelta(seconds=30),
                    url=f"https://contoh.test/{publication.pk}/{channel.platform}",
                )
            deliveries.append(Delivery(publication=publication, channel=channel, **fields))
    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        if delivery.channel.platform == Platform.PORTAL and delivery.state == Delivery.State.SENT:
            portal.append(delivery)
    stages = cycle(["", *ElectionStage.values])
    made = Article.objects.bulk_create(
        [
            Article(
                office=delivery.channel.office,
                author=author,
                approved_by=approver,
                title=f"Dari unggahan {delivery.publication.post_id}",
                slug=f"dari-unggahan-{delivery.pk}",
                status=Article.Status.PUBLISHED,
                published_at=delivery.sent_at,
            )
            for delivery in portal
        ]
        + [
            Article(
                office=offices[code],
                author=author,
                approved_by=approver,
                title=f"Artikel portal {n}",
                slug=f"artikel-portal-{n}",
                status=(Article.Status.PUBLISHED, Article.Status.SCHEDULED, Article.Status.IN_REVIEW)[n % 3],
                publish_at=at(1 + n % 28, 4),
                published_at=at(1 + n % 28, 4) if n % 3 == 0 else None,
                election_stage=next(stages),
            )
            for n, code in zip(range(start, start + count, 5), cycle(OFFICES), strict=False)
        ]
    )
    DeliveryArticle.objects.bulk_create(
        [
            DeliveryArticle(delivery=delivery, article=article)
            for delivery, article in zip(portal, made, strict=False)
        ]
    )


@pytest.fixture
def ri_editor(member):
    return member(RI, "editor", email="editor.ri@kpu.test", full_name="Editor KPU RI")


@pytest.fixture
def month(offices, member, ri_editor):
    """month(count): ``count`` more posts in a busy March 2031."""
    author = member(RI, "operator", email="operator.ri@kpu.test")
    channels = _channels(offices)
    made = [0]

    def make(count: int) -> None:
        busy_month(
            count, start=made[0], offices=offices, channels=channels, author=author, approver=ri_editor
        )
        made[0] += count

    return make


def _get(client, name: str, query: dict[str, str]) -> tuple[list[str], HttpResponse]:
    """KPU RI's page ``name`` and the SQL of its queries."""
    url = reverse(name, kwargs={"office_slug": "ri"})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries], response


@pytest.fixture
def editor_client(client, ri_editor):
    client.force_login(ri_editor)
    _get(client, "coordination:data", MARCH_RANGE)  # the session and the second factor, once
    return client


@pytest.mark.parametrize("count", [10, 200])
def test_the_national_month_feed_reads_in_a_bounded_number_of_queries(
    editor_client, month, django_assert_max_num_queries, count
):
    month(count)

    with django_assert_max_num_queries(FEED_QUERIES):
        _queries, response = _get(editor_client, "coordination:data", MARCH_RANGE)

    body = json.loads(response.content)
    articles = len(range(0, count, 5))
    assert (body["ok"], body["total"], body["truncated"]) == (True, count + articles, False)
    assert len(body["events"]) == count + articles  # a portal delivery's article is its post
    assert {e["extendedProps"]["category"] for e in body["events"]} == {
        "draft",
        "in_review",
        "scheduled",
        "published",
        "failed",
    }
    assert {e["extendedProps"]["office"] for e in body["events"]} == {
        "KPU Republik Indonesia",
        "KPU Provinsi Jawa Tengah",
        "KPU Kabupaten Jepara",
        "KPU Kota Semarang",
        "KPU Provinsi Sulawesi Selatan",
        "KPU Kota Makassar",
        "KPU Kota Jayapura",
    }


@pytest.mark.parametrize("count", [10, 200])
def test_the_national_month_list_reads_in_a_bounded_number_of_queries(
    editor_client, month, django_assert_max_num_queries, count
):
    month(count)

    with django_assert_max_num_queries(LIST_QUERIES):
        _queries, response = _get(editor_client, "coordination:calendar", LIST_QUERY)

    entries = count + len(range(0, count, 5))
    assert response.content.decode().count('class="calendar-entry ') == min(entries, LIST_PAGE_SIZE)


def test_ten_posts_and_two_hundred_take_the_same_queries(editor_client, month):
    month(10)
    feed_small, _ = _get(editor_client, "coordination:data", MARCH_RANGE)
    list_small, _ = _get(editor_client, "coordination:calendar", LIST_QUERY)
    month(190)
    feed_large, _ = _get(editor_client, "coordination:data", MARCH_RANGE)
    list_large, _ = _get(editor_client, "coordination:calendar", LIST_QUERY)

    assert len(feed_large) == len(feed_small) == FEED_QUERIES
    # 12 entries fit on the list's first page; of 240, 200 are shown, and both are counted in the
    # same statement that reads the page.
    assert (_counts_of_entries(list_small), _counts_of_entries(list_large)) == (0, 0)
    assert len(list_large) == len(list_small) == LIST_QUERIES
