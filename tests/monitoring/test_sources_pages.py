"""The source management pages: who sees and who changes an office's sources, the form of each
kind (channels of the office only, the pre-filled watch list, feed addresses checked line by
line), switching on and off, "Jalankan sekarang", the audit trail, and escaping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_describe
from humas.channels import crypto
from humas.channels.models import Channel, ChannelCredential
from humas.monitoring.models import Item, Source
from humas.monitoring.services import MonitoringError
from humas.monitoring.sources import default_terms, source_create, source_run_now
from humas.offices.policy import PolicyDenied

from .feeds.server import start

pytestmark = pytest.mark.django_db

JEPARA = "kab-jepara"


def url(name, office_slug=JEPARA, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"office_slug": office_slug, **kwargs})


def connected(office, platform, name, *, credential=True, active=True):
    channel = Channel.objects.create(
        office=office, platform=platform, name=name, handle=name.lower(), account_id=name, is_active=active
    )
    if credential:
        ChannelCredential.objects.create(channel=channel, ciphertext=crypto.encrypt("rahasia"), kind="page")
    return channel


@pytest.fixture
def editor(member):
    return member("33.20", "editor", full_name="Editor Jepara", email="editor.jepara@kpu.test")


@pytest.fixture
def news(jepara, editor):
    return source_create(
        actor=editor,
        office=jepara,
        kind=Source.Kind.NEWS_FEED,
        name="Berita daring",
        config={"feeds": ["https://warta.example/berita.xml"]},
        poll_interval_minutes=30,
    )


# (membership office, role) -> (the list, the new-source page, a source's form) of Jepara's pages.
MATRIX = [
    ("33.20", "admin", 200, 200, 200),
    ("33.20", "editor", 200, 200, 200),
    ("33.20", "operator", 200, 403, 403),
    ("33.20", "analyst", 200, 403, 403),
    ("33.20", "viewer", 403, 403, 403),
    ("33", "editor", 200, 200, 200),  # the province manages the sources below it
    ("00", "analyst", 200, 403, 403),
    ("33.74", "admin", 403, 403, 403),  # a sibling regency does not
    ("35", "editor", 403, 403, 403),
]


@pytest.mark.parametrize(("home", "role", "list_status", "new_status", "edit_status"), MATRIX)
def test_who_sees_and_who_manages_the_sources(
    client, member, news, home, role, list_status, new_status, edit_status
):
    client.force_login(member(home, role))

    assert client.get(url("source_list")).status_code == list_status
    assert client.get(url("sources")).status_code == list_status  # the old address still works
    assert client.get(url("source_new")).status_code == new_status
    assert client.get(url("source_new") + "?jenis=news_feed").status_code == new_status
    assert client.get(url("source_edit", source_id=news.pk)).status_code == edit_status
    for action in ("source_run", "source_deactivate"):
        assert client.post(url(action, source_id=news.pk)).status_code in (
            {302} if edit_status == 200 else {403}
        )


def test_an_operator_cannot_create_a_source(client, member, jepara):
    operator = member("33.20", "operator")
    client.force_login(operator)

    response = client.post(
        url("source_new") + "?jenis=news_feed",
        {"name": "Berita", "feeds": "https://warta.example/berita.xml", "poll_interval_minutes": "15"},
    )

    assert response.status_code == 403
    with pytest.raises(PolicyDenied):
        source_create(
            actor=operator,
            office=jepara,
            kind=Source.Kind.NEWS_FEED,
            name="Berita",
            config={"feeds": ["https://warta.example/berita.xml"]},
            poll_interval_minutes=15,
        )
    assert Source.objects.count() == 0
    assert not AuditEvent.objects.filter(action="monitoring.source_create").exists()


def test_another_office_cannot_see_or_change_a_source_through_its_own_address(client, member, news):
    client.force_login(member("33.74", "admin"))  # Kota Semarang's own pages

    assert client.get(url("source_edit", office_slug="kota-semarang", source_id=news.pk)).status_code == 404
    assert (
        client.post(url("source_deactivate", office_slug="kota-semarang", source_id=news.pk)).status_code
        == 404
    )
    news.refresh_from_db()
    assert news.is_active


def test_the_list_shows_kind_health_runs_and_counts(client, editor, news):
    Source.objects.filter(pk=news.pk).update(
        health=Source.Health.FAILING,
        last_error="Server umpan warta.example/berita.xml sedang bermasalah (kode 503).",
        consecutive_failures=3,
        item_count=42,
    )
    client.force_login(editor)

    page = client.get(url("source_list")).content.decode()

    assert "Berita daring" in page
    assert "Umpan berita" in page
    assert "Bermasalah" in page
    assert "sedang bermasalah (kode 503)" in page
    assert "gagal 3 kali berturut-turut" in page
    assert ">42<" in page
    assert "Jalankan sekarang" in page
    assert url("source_edit", source_id=news.pk) in page


def test_people_who_only_monitor_get_no_buttons(client, member, news):
    client.force_login(member("33.20", "operator"))

    page = client.get(url("source_list")).content.decode()

    assert "Berita daring" in page
    assert "Jalankan sekarang" not in page
    assert url("source_new") not in page
    assert url("source_edit", source_id=news.pk) not in page


def test_names_and_errors_are_shown_as_text(client, editor, news):
    Source.objects.filter(pk=news.pk).update(
        name="<script>alert(1)</script>", last_error="<img src=x onerror=alert(2)>"
    )
    client.force_login(editor)

    page = client.get(url("source_list")).content.decode()

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page


def test_the_new_source_page_offers_every_polled_kind(client, editor):
    client.force_login(editor)

    page = client.get(url("source_new")).content.decode()

    for kind in ("channel_comments", "keyword_search", "news_feed", "factcheck_feed"):
        assert f"?jenis={kind}" in page
    assert "?jenis=file_import" not in page


def test_a_news_source_is_created_from_its_addresses(client, editor, jepara):
    client.force_login(editor)

    response = client.post(
        url("source_new") + "?jenis=news_feed",
        {
            "name": "  Berita   Jepara ",
            "feeds": "https://warta.example/berita.xml\n\nhttps://kabar.example/rss\nhttps://warta.example/berita.xml\n",
            "poll_interval_minutes": "60",
        },
    )

    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.office, source.kind, source.name) == (jepara, Source.Kind.NEWS_FEED, "Berita Jepara")
    assert source.config == {"feeds": ["https://warta.example/berita.xml", "https://kabar.example/rss"]}
    assert source.poll_interval_minutes == 60
    assert source.next_run_at is None  # due at once
    assert source.created_by == editor
    event = AuditEvent.objects.get(action="monitoring.source_create")
    assert event.changes == {
        "source_kind": "news_feed",
        "poll_interval_minutes": 60,
        "config": "https://warta.example/berita.xml, https://kabar.example/rss",
    }
    [described] = audit_describe([event])
    assert described.sentence == "Editor Jepara menambahkan sumber pemantauan “Berita Jepara”."


def test_bad_feed_addresses_are_named_by_line_and_nothing_is_created(client, editor):
    client.force_login(editor)

    response = client.post(
        url("source_new") + "?jenis=news_feed",
        {
            "name": "Berita",
            "feeds": "https://warta.example/berita.xml\njavascript:alert(1)\nhttps://u:p@kabar.example/rss\nbukan alamat",
            "poll_interval_minutes": "15",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Baris 2: “javascript:alert(1)” bukan alamat http:// atau https:// yang sah." in page
    assert "Baris 3: alamat tidak boleh memuat nama pengguna atau kata sandi." in page
    assert "Baris 4: “bukan alamat” bukan alamat http:// atau https:// yang sah." in page
    assert Source.objects.count() == 0
    assert not AuditEvent.objects.filter(action="monitoring.source_create").exists()


def test_a_name_the_office_already_uses_is_refused(client, editor, news):
    client.force_login(editor)

    response = client.post(
        url("source_new") + "?jenis=news_feed",
        {"name": "Berita daring", "feeds": "https://kabar.example/rss", "poll_interval_minutes": "15"},
    )

    assert response.status_code == 400
    assert "Kantor ini sudah punya sumber bernama “Berita daring”." in response.content.decode()
    assert Source.objects.count() == 1


def test_a_fact_check_source_names_its_fact_checker(client, editor):
    client.force_login(editor)
    form = client.get(url("source_new") + "?jenis=factcheck_feed").content.decode()
    assert 'value="TurnBackHoax"' in form

    client.post(
        url("source_new") + "?jenis=factcheck_feed",
        {
            "name": "Cek fakta",
            "feeds": "https://turnbackhoax.example/feed/",
            "source_name": "TurnBackHoax",
            "poll_interval_minutes": "180",
        },
    )

    source = Source.objects.get()
    assert source.config == {"feeds": ["https://turnbackhoax.example/feed/"], "source_name": "TurnBackHoax"}


def test_the_keyword_watch_list_starts_with_the_election_words_and_the_region(client, editor, jepara):
    x = connected(jepara, "x", "KPUJepara")
    client.force_login(editor)

    page = client.get(url("source_new") + "?jenis=keyword_search").content.decode()

    assert "KPU\npemilu\npilkada\nTPS\nDPT\nSirekap\ntahapan\nJepara</textarea>" in page
    assert default_terms(jepara) == ["KPU", "pemilu", "pilkada", "TPS", "DPT", "Sirekap", "tahapan", "Jepara"]
    response = client.post(
        url("source_new") + "?jenis=keyword_search",
        {
            "name": "Pencarian X",
            "channel": x.pk,
            "terms": "KPU\npemilu\nkpu\n Jepara \n",
            "poll_interval_minutes": "15",
        },
    )
    assert response.status_code == 302
    assert Source.objects.get().config == {
        "platform": "x",
        "channel_id": x.pk,
        "terms": ["KPU", "pemilu", "Jepara"],
    }


def test_only_the_offices_connected_channels_can_be_chosen(client, editor, jepara, offices):
    facebook = connected(jepara, "facebook", "KPUJeparaFB")
    x = connected(jepara, "x", "KPUJeparaX")
    connected(jepara, "instagram", "TanpaToken", credential=False)
    connected(jepara, "telegram", "KanalMati", active=False)
    connected(jepara, "tiktok", "KanalTikTok")
    elsewhere = connected(offices["33.74"], "facebook", "KPUSemarang")
    client.force_login(editor)

    comments = client.get(url("source_new") + "?jenis=channel_comments").content.decode()
    search = client.get(url("source_new") + "?jenis=keyword_search").content.decode()
    refused = client.post(
        url("source_new") + "?jenis=channel_comments",
        {"name": "Komentar", "channel": elsewhere.pk, "poll_interval_minutes": "15"},
    )

    # Channels are listed as "<platform>: <handle>".
    assert "Facebook: kpujeparafb" in comments and "X: kpujeparax" in comments
    for absent in ("tanpatoken", "kanalmati", "kanaltiktok", "kpusemarang"):
        assert absent not in comments
    assert "X: kpujeparax" in search and "kpujeparafb" not in search
    assert refused.status_code == 400
    assert Source.objects.count() == 0
    client.post(
        url("source_new") + "?jenis=channel_comments",
        {"name": "Komentar", "channel": facebook.pk, "poll_interval_minutes": "15"},
    )
    assert Source.objects.get().config == {"channel_id": facebook.pk}
    assert x.pk != facebook.pk


def test_without_a_connected_channel_the_form_says_where_to_connect_one(client, editor):
    client.force_login(editor)

    response = client.post(
        url("source_new") + "?jenis=channel_comments", {"name": "Komentar", "poll_interval_minutes": "15"}
    )

    assert response.status_code == 400
    assert (
        "Belum ada kanal yang terhubung; hubungkan kanal di Pengaturan → Kanal." in response.content.decode()
    )


def test_a_source_is_changed_and_the_change_audited(client, editor, news):
    client.force_login(editor)
    form = client.get(url("source_edit", source_id=news.pk)).content.decode()
    assert "https://warta.example/berita.xml</textarea>" in form

    response = client.post(
        url("source_edit", source_id=news.pk),
        {"name": "Berita Jepara", "feeds": "https://kabar.example/rss", "poll_interval_minutes": "60"},
    )

    assert response.status_code == 302
    news.refresh_from_db()
    assert (news.name, news.config, news.poll_interval_minutes) == (
        "Berita Jepara",
        {"feeds": ["https://kabar.example/rss"]},
        60,
    )
    event = AuditEvent.objects.get(action="monitoring.source_update")
    assert event.changes == {
        "name": {"before": "Berita daring", "after": "Berita Jepara"},
        "poll_interval_minutes": {"before": 30, "after": 60},
        "config": {"before": "https://warta.example/berita.xml", "after": "https://kabar.example/rss"},
    }
    [described] = audit_describe([event])
    assert described.sentence == "Editor Jepara mengubah sumber pemantauan “Berita Jepara”."


def test_saving_an_unchanged_form_records_nothing(client, editor, news):
    client.force_login(editor)

    client.post(
        url("source_edit", source_id=news.pk),
        {"name": "Berita daring", "feeds": "https://warta.example/berita.xml", "poll_interval_minutes": "30"},
    )

    assert not AuditEvent.objects.filter(action="monitoring.source_update").exists()


def test_a_file_import_source_has_no_form(client, editor, jepara):
    pushed = Source.objects.create(office=jepara, kind=Source.Kind.FILE_IMPORT, name="Impor berkas")
    client.force_login(editor)

    assert client.get(url("source_edit", source_id=pushed.pk)).status_code == 404
    with pytest.raises(MonitoringError):
        source_run_now(actor=editor, source=pushed)


def test_a_source_is_switched_off_and_on(client, editor, news):
    client.force_login(editor)

    client.post(url("source_deactivate", source_id=news.pk))
    news.refresh_from_db()
    assert not news.is_active
    page = client.get(url("source_list")).content.decode()
    assert "nonaktif" in page and "Aktifkan" in page and "Jalankan sekarang" not in page

    client.post(url("source_activate", source_id=news.pk))
    news.refresh_from_db()
    assert news.is_active
    assert list(
        AuditEvent.objects.filter(action__startswith="monitoring.source_")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["monitoring.source_create", "monitoring.source_deactivate", "monitoring.source_activate"]
    assert client.post(url("source_run", source_id=news.pk)).status_code == 302


def test_run_now_polls_the_source_at_once(
    client, editor, jepara, settings, django_capture_on_commit_callbacks
):
    settings.HUMAS_MONITORING_FEED_ALLOW_PRIVATE = True
    web, server = start()
    try:
        web.serve("/berita.xml", "berita.xml")
        web.serve("/artikel/1.html", "artikel1.html")
        source = source_create(
            actor=editor,
            office=jepara,
            kind=Source.Kind.NEWS_FEED,
            name="Warta",
            config={"feeds": [web.url("/berita.xml")]},
            poll_interval_minutes=15,
        )
        client.force_login(editor)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("source_run", source_id=source.pk), follow=True)
    finally:
        server.shutdown()
        server.server_close()

    assert "sedang diambil" in response.content.decode()
    source.refresh_from_db()
    assert source.item_count == 3
    assert Item.objects.filter(source=source).count() == 3
    assert source.lease_until is None
    assert AuditEvent.objects.filter(action="monitoring.source_run", object_id=str(source.pk)).count() == 1


def test_run_now_of_a_source_being_polled_queues_nothing(client, editor, news):
    from humas.monitoring.polling import source_lease_claim

    source_lease_claim(source_id=news.pk)
    client.force_login(editor)

    response = client.post(url("source_run", source_id=news.pk), follow=True)

    assert "sedang berjalan; tunggu sampai selesai" in response.content.decode()
    assert not AuditEvent.objects.filter(action="monitoring.source_run").exists()
    page = client.get(url("source_list")).content.decode()
    assert "sedang berjalan" in page
