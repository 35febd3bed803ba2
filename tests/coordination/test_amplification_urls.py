"""#18 amplification tasks: whose post a public URL is (``url_account``) and whether it is one of an
office's channels (``url_belongs_to_channel``), on every platform, with the declared handle, the
authorised one and the account id; a URL that does not name its account is refused with what to
copy instead, never guessed."""

from __future__ import annotations

import pytest

from humas.channels.models import Channel, Platform
from humas.coordination.account_urls import AccountRef, AccountUrlError, url_account, url_belongs_to_channel

pytestmark = pytest.mark.django_db


def channel(platform: str, **fields) -> Channel:
    """An unsaved channel: the check reads only its fields."""
    return Channel(platform=platform, name="KPU Kabupaten Jepara", **fields)


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://x.com/kpujepara/status/1870000000000000777", AccountRef("x", handle="kpujepara")),
        ("http://twitter.com/KPUJepara/status/123456/photo/1", AccountRef("x", handle="KPUJepara")),
        ("https://mobile.twitter.com/kpujepara/status/123456?s=20", AccountRef("x", handle="kpujepara")),
        (
            "https://www.facebook.com/kpukabjepara/posts/pfbid02abc",
            AccountRef("facebook", handle="kpukabjepara"),
        ),
        ("https://fb.com/kpukabjepara/videos/123456789", AccountRef("facebook", handle="kpukabjepara")),
        (
            "https://www.facebook.com/profile.php?id=100064123456789&sk=posts",
            AccountRef("facebook", account_id="100064123456789"),
        ),
        (
            "https://m.facebook.com/story.php?story_fbid=pfbid0x&id=100064123456789",
            AccountRef("facebook", account_id="100064123456789"),
        ),
        (
            "https://www.facebook.com/100064123456789/posts/42",
            AccountRef("facebook", account_id="100064123456789"),
        ),
        (
            "https://www.instagram.com/kpu_kab_jepara/p/C0de123/",
            AccountRef("instagram", handle="kpu_kab_jepara"),
        ),
        (
            "https://instagram.com/kpu_kab_jepara/reel/C0de123",
            AccountRef("instagram", handle="kpu_kab_jepara"),
        ),
        (
            "https://www.tiktok.com/@kpujepara/video/7300000000000000000",
            AccountRef("tiktok", handle="kpujepara"),
        ),
        ("https://t.me/kpu_jepara/123", AccountRef("telegram", handle="kpu_jepara")),
        ("https://t.me/s/kpu_jepara/123", AccountRef("telegram", handle="kpu_jepara")),
        ("https://t.me/c/1000000001/7", AccountRef("telegram", account_id="-1001000000001")),
        ("https://www.youtube.com/@kpujepara/community?lb=Ugkx", AccountRef("youtube", handle="kpujepara")),
        (
            "https://www.youtube.com/channel/UC1234567890abcdefghij/videos",
            AccountRef("youtube", account_id="UC1234567890abcdefghij"),
        ),
        (
            "https://whatsapp.com/channel/0029VaJepara00000000000/12",
            AccountRef("whatsapp", account_id="0029VaJepara00000000000"),
        ),
    ],
)
def test_the_account_a_post_url_names_is_read_on_every_platform(url, ref):
    clean, found = url_account(url)

    assert found == ref
    assert clean.startswith("https://")
    assert "#" not in clean


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://www.instagram.com/p/C0de123/", "Tautan Instagram itu tidak memuat nama akunnya"),
        ("https://www.youtube.com/watch?v=abcdefghijk", "Tautan YouTube itu tidak memuat kanalnya"),
        ("https://youtu.be/abcdefghijk", "Tautan YouTube itu tidak memuat kanalnya"),
        (
            "https://www.facebook.com/share/p/1AbCdEf/",
            "Tautan Facebook itu tidak memuat nama atau ID halamannya",
        ),
        ("https://www.facebook.com/watch/?v=123", "Tautan Facebook itu tidak memuat nama atau ID halamannya"),
        ("https://x.com/i/web/status/123456", "Tautan X itu tidak memuat nama akunnya"),
        ("https://x.com/", "Tautan X itu tidak memuat nama akunnya"),
        ("https://example.com/kpujepara/status/1", "Tautan itu bukan alamat X, Facebook, Instagram"),
        ("ftp://x.com/kpujepara/status/1", "Tautan harus diawali https://."),
        ("https://x.com/kpu jepara/status/1", "Tautan tidak boleh mengandung spasi."),
        ("https://user:rahasia@x.com/kpujepara/status/1", "Tautan itu bukan alamat X"),
        ("https://x.com:8443/kpujepara/status/1", "Tautan itu tidak dapat dibaca."),
        ("https://x.com/" + "a" * 500, "Tautan terlalu panjang (batas 500 karakter)."),
        ("", "Masukkan tautannya."),
    ],
)
def test_a_url_that_does_not_name_its_account_is_refused_with_what_to_copy(url, message):
    with pytest.raises(AccountUrlError) as refused:
        url_account(url)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("account", "url", "belongs"),
    [
        # Declared handle, without case and with or without "@".
        (channel("x", handle="@KPUJepara"), "https://x.com/kpujepara/status/1", True),
        (channel("x", handle="kpujepara"), "https://x.com/kpujateng/status/1", False),
        # The account Humas is authorised as counts too (before it is made the declared one).
        (channel("x", handle="kpujepara", authorised_handle="kpu_demo1"), "https://x.com/kpu_demo1/status/9", True),
        # A Facebook Page known by its id, or by the username in its declared URL.
        (channel("facebook", account_id="100064123456789"), "https://www.facebook.com/profile.php?id=100064123456789", True),
        (channel("facebook", url="https://www.facebook.com/kpukabjepara"), "https://www.facebook.com/kpukabjepara/posts/1", True),
        (channel("facebook", handle="kpukabjepara"), "https://www.facebook.com/kpujateng/posts/1", False),
        (channel("instagram", handle="kpu_kab_jepara"), "https://www.instagram.com/kpu_kab_jepara/p/C0de123/", True),
        (channel("tiktok", handle="kpujepara"), "https://www.tiktok.com/@kpujepara/video/7300000000000000000", True),
        # A connected Telegram channel: its chat id, or the username the platform reported.
        (channel("telegram", account_id="-1001000000001", authorised_handle="kpu_demo1"), "https://t.me/kpu_demo1/5", True),
        (channel("telegram", account_id="-1001000000001"), "https://t.me/c/1000000001/5", True),
        (channel("telegram", account_id="@kpu_jepara"), "https://t.me/kpu_jepara/5", True),
        (channel("telegram", account_id="-1001000000001", authorised_handle="kpu_demo1"), "https://t.me/kpu_demo2/5", False),
        (channel("youtube", handle="@kpujepara"), "https://www.youtube.com/@kpujepara/community?lb=x", True),
        (channel("whatsapp", url="https://whatsapp.com/channel/0029VaJepara00000000000"), "https://whatsapp.com/channel/0029VaJepara00000000000/3", True),
        # The same handle on another platform is another account.
        (channel("instagram", handle="kpujepara"), "https://x.com/kpujepara/status/1", False),
        # A URL that names no account belongs to none.
        (channel("instagram", handle="kpu_kab_jepara"), "https://www.instagram.com/p/C0de123/", False),
    ],
)  # fmt: skip
def test_a_url_belongs_to_a_channel_by_its_declared_or_authorised_account(account, url, belongs):
    assert url_belongs_to_channel(account, url) is belongs


def test_the_demos_fake_platform_links_are_read_as_the_platforms_own(settings):
    settings.HUMAS_PLATFORM_WEB_URLS = {"telegram": "http://127.0.0.1:8001/_fake/telegram"}

    clean, ref = url_account("http://127.0.0.1:8001/_fake/telegram/kpu_demo1/4")

    assert (clean, ref) == (
        "http://127.0.0.1:8001/_fake/telegram/kpu_demo1/4",
        AccountRef("telegram", handle="kpu_demo1"),
    )


def test_a_portal_url_names_its_office_by_the_first_path_segment(settings, offices):
    settings.HUMAS_PUBLIC_BASE_URL = "https://humas.kpu.go.id"
    settings.HUMAS_SITE_HOSTS = {"kpujepara.go.id": "kab-jepara"}

    assert url_account("https://humas.kpu.go.id/kab-kudus/berita/coklit/")[1] == AccountRef(
        Platform.PORTAL, handle="kab-kudus"
    )
    assert url_account("https://humas.kpu.go.id/berita/coklit/")[1] == AccountRef(
        Platform.PORTAL, handle="ri"
    )
    assert url_account("https://kpujepara.go.id/kab-jepara/berita/x/")[1] == AccountRef(
        Platform.PORTAL, handle="kab-jepara"
    )
