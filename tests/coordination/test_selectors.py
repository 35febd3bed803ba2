"""The calendar's entries: which posts and articles stand on it, when, in which colour, for whom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from humas.channels.models import Platform
from humas.coordination.selectors import (
    CalendarFilters,
    Category,
    calendar_days,
    calendar_entry_list,
    calendar_office_choices,
)
from humas.offices.policy import PolicyDenied
from humas.portal.models import Article, ElectionStage
from humas.portal.services import article_unpublish
from humas.publishing.delivery import publication_withdraw
from humas.publishing.models import Delivery, DeliveryArticle, Post

from .conftest import JATENG, JEPARA, MARCH, SEMARANG, at, deliveries_become

pytestmark = pytest.mark.django_db

APRIL = datetime(2031, 4, 1, tzinfo=UTC)


def entries(actor, office, start=MARCH, end=APRIL, **filters):
    return calendar_entry_list(
        actor=actor, office=office, start=start, end=end, filters=CalendarFilters(**filters)
    ).entries


def test_a_post_stands_at_its_scheduled_time_with_its_words_and_channels(people, offices, post):
    item = post(
        "Coklit serentak dimulai hari ini di 16 kecamatan se-Kabupaten Jepara, siapkan KTP-el dan KK.",
        status=Post.Status.IN_REVIEW,
        scheduled_at=at(10, 2),
    )

    (entry,) = entries(people["viewer"], offices[JEPARA])

    assert (entry.kind, entry.pk, entry.at) == ("post", item.pk, at(10, 2))
    assert (
        entry.title == "Coklit serentak dimulai hari ini di 16 kecamatan se-Kabupaten Jepara, siapkan KTP-el…"
    )
    assert (entry.category, entry.category_label, entry.status_label) == (
        Category.IN_REVIEW,
        "Menunggu persetujuan",
        "Menunggu persetujuan",
    )
    assert [(c.platform, c.mark, c.name) for c in entry.channels] == [("tiktok", "TT", "TikTok")]
    assert entry.url == f"/app/kab-jepara/content/{item.pk}/"
    assert entry.office == offices[JEPARA]


def test_a_draft_without_a_time_is_not_on_the_calendar(people, offices, post):
    post(status=Post.Status.DRAFT)
    post(status=Post.Status.APPROVED)  # approved, to go out whenever someone publishes it

    assert entries(people["operator"], offices[JEPARA]) == []


@pytest.mark.parametrize(
    ("status", "state", "category", "note"),
    [
        (Post.Status.DRAFT, None, Category.DRAFT, ""),
        (Post.Status.IN_REVIEW, None, Category.IN_REVIEW, ""),
        (Post.Status.APPROVED, None, Category.SCHEDULED, "Disetujui; belum diterbitkan ke kanal."),
        (Post.Status.PUBLISHED, Delivery.State.MANUAL, Category.SCHEDULED, "Menunggu diunggah manual."),
        (Post.Status.PUBLISHED, Delivery.State.QUEUED, Category.SCHEDULED, ""),
        (Post.Status.PUBLISHED, Delivery.State.SENT, Category.PUBLISHED, ""),
        (Post.Status.PUBLISHED, Delivery.State.FAILED, Category.FAILED, "TikTok gagal"),
        (Post.Status.PUBLISHED, Delivery.State.NEEDS_ATTENTION, Category.FAILED, "TikTok perlu perhatian"),
        (Post.Status.PUBLISHED, Delivery.State.HELD, Category.FAILED, "TikTok ditahan (masa jeda)"),
    ],
)
def test_post_categories(people, offices, post, status, state, category, note):
    item = post(status=status, scheduled_at=at(12, 3))
    if state is not None:
        deliveries_become(item, state, next_attempt_at=at(12, 3))

    (entry,) = entries(people["operator"], offices[JEPARA])

    assert (entry.category, entry.note) == (category, note)
    assert entry.at == at(12, 3)


def test_a_withdrawn_post_stays_where_it_went_out(people, offices, post):
    item = post(status=Post.Status.PUBLISHED, scheduled_at=at(12, 3))
    deliveries_become(item, Delivery.State.SENT, sent_at=at(12, 3, 1))
    publication = item.publications.get()
    publication_withdraw(actor=people["editor"], publication=publication, reason="Tanggal salah")

    (entry,) = entries(people["operator"], offices[JEPARA])

    assert (entry.category, entry.category_label, entry.at) == (Category.WITHDRAWN, "Ditarik", at(12, 3, 1))


def test_a_published_post_stands_when_its_first_delivery_went_out(people, offices, post, channel):
    item = post(status=Post.Status.PUBLISHED, scheduled_at=None)
    # Published at once on 14 March; the person marked TikTok done at 10:07 UTC.
    deliveries_become(item, Delivery.State.SENT, sent_at=at(14, 10, 7))

    (entry,) = entries(people["operator"], offices[JEPARA])

    assert (entry.at, entry.category) == (at(14, 10, 7), Category.PUBLISHED)


def test_a_published_post_waiting_for_its_time_stands_at_its_due_time(people, offices, post, channel):
    item = post(status=Post.Status.PUBLISHED, scheduled_at=at(20, 1))
    # As publication_create leaves a delivery to an API channel (Telegram) before its time.
    deliveries_become(item, Delivery.State.QUEUED, next_attempt_at=at(20, 1), channel=channel("telegram"))

    (entry,) = entries(people["operator"], offices[JEPARA])

    assert (entry.at, entry.category, entry.pending) == (at(20, 1), Category.SCHEDULED, True)


def test_an_assisted_channel_waiting_for_a_person_is_not_moved_by_a_new_time(people, offices, post):
    post(status=Post.Status.PUBLISHED, scheduled_at=at(20, 1))

    (entry,) = entries(people["operator"], offices[JEPARA])

    assert (entry.category, entry.pending, entry.note) == (
        Category.SCHEDULED,
        False,
        "Menunggu diunggah manual.",
    )


def test_articles_stand_at_their_schedule_or_publication(people, offices, article):
    scheduled = article("Jadwal debat kandidat", publish_at=at(18, 5), stage=ElectionStage.KAMPANYE)
    published = article("Rekapitulasi suara tingkat kabupaten", publish_at=at(19, 5))
    Article.objects.filter(pk=published.pk).update(status=Article.Status.PUBLISHED, published_at=at(19, 5, 2))
    withdrawn = article("Pengumuman yang ditarik", publish_at=at(21, 5))
    article_unpublish(actor=people["editor"], article=withdrawn, reason="Salah tanggal")

    found = {e.pk: e for e in entries(people["viewer"], offices[JEPARA])}

    assert (found[scheduled.pk].at, found[scheduled.pk].category) == (at(18, 5), Category.SCHEDULED)
    assert found[scheduled.pk].stage == "Kampanye"
    assert [(c.platform, c.mark) for c in found[scheduled.pk].channels] == [("portal", "Portal")]
    assert found[scheduled.pk].url == f"/app/kab-jepara/portal/{scheduled.pk}/"
    assert (found[published.pk].at, found[published.pk].category) == (at(19, 5, 2), Category.PUBLISHED)
    assert (found[withdrawn.pk].at, found[withdrawn.pk].category) == (at(21, 5), Category.WITHDRAWN)


def test_an_article_held_by_a_blackout_needs_attention(people, offices, article):
    from humas.blackouts.services import blackout_create

    held = article("Artikel di masa tenang", publish_at=at(22, 5))
    window = blackout_create(
        actor=people["admin"],
        office=offices[JEPARA],
        starts_at=at(22, 0),
        ends_at=at(23, 0),
        reason="masa_tenang",
    )
    Article.objects.filter(pk=held.pk).update(held_by=window)

    (entry,) = entries(people["viewer"], offices[JEPARA])

    assert (entry.category, entry.note) == (Category.FAILED, "Ditahan (masa jeda).")


def test_an_article_a_post_delivered_to_the_portal_is_shown_once_as_the_post(people, offices, post, article):
    item = post(status=Post.Status.PUBLISHED, scheduled_at=at(15, 2))
    made = article("Artikel dari unggahan", publish_at=at(15, 2))
    DeliveryArticle.objects.create(delivery=Delivery.objects.get(publication__post=item), article=made)

    assert [(e.kind, e.pk) for e in entries(people["viewer"], offices[JEPARA])] == [("post", item.pk)]


def test_entries_come_in_time_order_and_only_inside_the_range(people, offices, post, article):
    late = post("Malam", status=Post.Status.DRAFT, scheduled_at=at(31, 16, 59))
    first = article("Pagi pertama", publish_at=at(1, 0))
    post("Bulan depan", status=Post.Status.DRAFT, scheduled_at=APRIL)
    post("Bulan lalu", status=Post.Status.DRAFT, scheduled_at=MARCH - timedelta(minutes=1))
    middle = post("Siang", status=Post.Status.DRAFT, scheduled_at=at(15, 5))

    found = entries(people["operator"], offices[JEPARA])

    assert [(e.kind, e.pk) for e in found] == [("article", first.pk), ("post", middle.pk), ("post", late.pk)]


def test_a_month_in_the_office_zone_and_days_grouped_there(people, offices, post):
    """31 March 17:30 UTC is 1 April 00:30 WIB: in Jepara's April, not its March."""
    jepara = offices[JEPARA]
    zone = jepara.zoneinfo
    evening = post("Tengah malam WIB", scheduled_at=datetime(2031, 3, 31, 17, 30, tzinfo=UTC))
    morning = post("Pagi WIB", scheduled_at=datetime(2031, 3, 31, 16, 59, tzinfo=UTC))
    march = (datetime(2031, 3, 1, tzinfo=zone), datetime(2031, 4, 1, tzinfo=zone))
    april = (datetime(2031, 4, 1, tzinfo=zone), datetime(2031, 5, 1, tzinfo=zone))

    in_march = entries(people["operator"], jepara, *march)
    in_april = entries(people["operator"], jepara, *april)

    assert [e.pk for e in in_march] == [morning.pk]
    assert [e.pk for e in in_april] == [evening.pk]
    assert [(day.isoformat(), [e.pk for e in group]) for day, group in calendar_days(in_april, zone)] == [
        ("2031-04-01", [evening.pk])
    ]
    assert timezone.localtime(in_march[0].at, zone).strftime("%d %H:%M") == "31 23:59"


def test_a_regency_never_sees_a_siblings_entries(people, offices, post):
    post("Draf Jepara", scheduled_at=at(5, 2))
    post("Draf Semarang", scheduled_at=at(5, 3), code=SEMARANG)

    assert [e.title for e in entries(people["operator"], offices[JEPARA])] == ["Draf Jepara"]
    assert [e.title for e in entries(people["semarang"], offices[SEMARANG])] == ["Draf Semarang"]
    with pytest.raises(PolicyDenied):
        entries(people["operator"], offices[SEMARANG])
    # Naming the sibling as "one office below" shows nothing rather than its drafts.
    assert entries(people["operator"], offices[JEPARA], office_code=SEMARANG) == []
    assert entries(people["operator"], offices[JEPARA], office_code=JATENG) == []


def test_a_province_sees_its_regencies_rolled_up_and_filtered_by_office(people, offices, post):
    jepara = post("Draf Jepara", scheduled_at=at(5, 2))
    semarang = post("Draf Semarang", scheduled_at=at(5, 3), code=SEMARANG)
    province = offices[JATENG]
    editor = people["jateng"]

    assert [e.pk for e in entries(editor, province)] == [jepara.pk, semarang.pk]
    assert [e.office.code for e in entries(editor, province)] == [JEPARA, SEMARANG]
    assert entries(editor, province, include_below=False) == []
    assert [e.pk for e in entries(editor, province, office_code=SEMARANG)] == [semarang.pk]
    assert [e.pk for e in entries(editor, province, office_code=JEPARA, include_below=False)] == [jepara.pk]


def test_the_office_filter_offers_the_offices_below_down_to_regencies(people, offices):
    choices = calendar_office_choices(actor=people["jateng"], office=offices[JATENG])
    national = calendar_office_choices(actor=people["jateng"], office=offices[JEPARA])

    assert len(choices) == 35  # Jawa Tengah's 29 regencies and 6 cities
    assert (choices[0].depth, {c.depth for c in choices}) == (1, {1})
    assert any(c.code == JEPARA and c.name == "KPU Kabupaten Jepara" for c in choices)
    assert national == []


def test_filters_by_platform_status_and_stage(people, offices, post, article):
    on_tiktok = post("Di TikTok", status=Post.Status.IN_REVIEW, scheduled_at=at(6, 2))
    on_youtube = post("Di YouTube", status=Post.Status.DRAFT, scheduled_at=at(6, 3), platform="youtube")
    staged = article("Masa kampanye", publish_at=at(6, 4), stage=ElectionStage.KAMPANYE)
    article("Tanpa tahapan", publish_at=at(6, 5))
    viewer = people["viewer"]
    jepara = offices[JEPARA]

    assert [e.pk for e in entries(viewer, jepara, platform=Platform.YOUTUBE)] == [on_youtube.pk]
    assert [e.kind for e in entries(viewer, jepara, platform=Platform.PORTAL)] == ["article", "article"]
    assert [e.pk for e in entries(viewer, jepara, category=Category.IN_REVIEW)] == [on_tiktok.pk]
    assert [e.title for e in entries(viewer, jepara, category=Category.SCHEDULED)] == [
        "Masa kampanye",
        "Tanpa tahapan",
    ]
    # These posts carry no election stage: with a stage chosen only articles of that stage remain.
    assert [e.pk for e in entries(viewer, jepara, stage=ElectionStage.KAMPANYE)] == [staged.pk]
    assert entries(viewer, jepara, stage=ElectionStage.PEMUNGUTAN) == []


def test_filters_posts_by_campaign_and_stage_across_the_offices_below(people, offices, post, article):
    jepara_post = post("Ayo ke TPS di Jepara", scheduled_at=at(7, 2))
    semarang_post = post("Ayo ke TPS di Semarang", scheduled_at=at(7, 3), code=SEMARANG)
    other = post("Tanpa kampanye", scheduled_at=at(7, 4))
    article("Artikel tanpa kampanye", publish_at=at(7, 5))
    Post.objects.filter(pk__in=[jepara_post.pk, semarang_post.pk]).update(
        campaign="AyoKeTPS", election_stage=ElectionStage.PEMUNGUTAN
    )
    Post.objects.filter(pk=other.pk).update(election_stage=ElectionStage.KAMPANYE)
    jateng = offices[JATENG]

    # Matched without regard to case; articles belong to no campaign.
    found = entries(people["jateng"], jateng, campaign="ayoketps")
    assert [e.pk for e in found] == [jepara_post.pk, semarang_post.pk]
    assert entries(people["jateng"], jateng, campaign="Pemilu Damai") == []
    # Posts now carry a stage too.
    assert [e.pk for e in entries(people["jateng"], jateng, stage=ElectionStage.KAMPANYE)] == [other.pk]
    # A regency sees its own campaign posts only.
    assert [e.pk for e in entries(people["viewer"], offices[JEPARA], campaign="AyoKeTPS")] == [jepara_post.pk]


def test_a_slice_counts_everything_beyond_it(people, offices, post):
    for day in range(1, 6):
        post(f"Unggahan {day}", scheduled_at=at(day, 2))

    first = calendar_entry_list(
        actor=people["operator"], office=offices[JEPARA], start=MARCH, end=APRIL, limit=2
    )
    last = calendar_entry_list(
        actor=people["operator"], office=offices[JEPARA], start=MARCH, end=APRIL, offset=4, limit=2
    )

    assert ([e.title for e in first.entries], first.total, first.truncated) == (
        ["Unggahan 1", "Unggahan 2"],
        5,
        True,
    )
    assert ([e.title for e in last.entries], last.total, last.truncated) == (["Unggahan 5"], 5, False)


def test_naive_bounds_are_refused(people, offices):
    with pytest.raises(ValueError):
        calendar_entry_list(
            actor=people["operator"], office=offices[JEPARA], start=datetime(2031, 3, 1), end=APRIL
        )


def _busy_month(post, article, count: int) -> None:
    statuses = [Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.APPROVED, Post.Status.PUBLISHED]
    for n in range(count):
        code = JEPARA if n % 2 else SEMARANG
        item = post(f"Unggahan nomor {n}", status=statuses[n % 4], scheduled_at=at(1 + n % 28, 2), code=code)
        if item.status == Post.Status.PUBLISHED:
            deliveries_become(
                item, Delivery.State.FAILED if n % 8 == 3 else Delivery.State.SENT, sent_at=at(2, 2)
            )
        article(f"Artikel nomor {n}", publish_at=at(1 + n % 28, 4), code=code)


@pytest.mark.parametrize("count", [4, 24])
def test_a_rolled_up_month_takes_the_same_queries_whatever_its_size(
    people, offices, post, article, django_assert_max_num_queries, count
):
    _busy_month(post, article, count)
    province = offices[JATENG]

    # The offices below, a page of keys with their count, the posts, the articles, their offices,
    # the deliveries that need a word and the posts' channels.
    with django_assert_max_num_queries(7):
        found = entries(people["jateng"], province)

    assert len(found) == 2 * count
    assert {e.category for e in found} >= {
        Category.DRAFT,
        Category.IN_REVIEW,
        Category.SCHEDULED,
        Category.FAILED,
    }
