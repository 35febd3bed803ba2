"""Fixtures of the cascade tests: the people of KPU RI, Jawa Tengah and its regencies, a national
post approved and published, and a cascade of it. Import the fixtures a module uses by name:

    from .cascade_fixtures import crew, national_post, send  # noqa: F401 - fixtures
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.coordination.cascades import cascade_create
from humas.coordination.models import Cascade
from humas.offices.models import Office
from humas.portal.models import Article
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.publishing.delivery import publication_create
from humas.publishing.models import Post
from humas.publishing.services import post_approve, post_create, post_submit

RI = "00"
JATENG = "33"
JEPARA = "33.20"
SEMARANG = "33.74"
KUDUS = "33.19"
JATIM = "35"
SURABAYA = "35.78"
MAKASSAR = "73.71"

TEXT = (
    "Cek DPT online di cekdptonline.kpu.go.id: cukup masukkan NIK. Info {nama_kantor}: {kontak}, "
    "{url_portal}, ikuti {akun_resmi}."
)


@pytest.fixture
def crew(member):
    """The people: KPU RI's author and approvers, Jawa Tengah's, Jepara's, Semarang's, Jawa Timur's
    and a regency of another province."""
    return {
        "ri_operator": member(RI, "operator", email="operator.ri@kpu.test", full_name="Operator KPU RI"),
        "ri_editor": member(RI, "editor", email="editor.ri@kpu.test", full_name="Editor KPU RI"),
        "ri_admin": member(RI, "admin", email="admin.ri@kpu.test", full_name="Admin KPU RI"),
        "ri_viewer": member(RI, "viewer", email="peninjau.ri@kpu.test", full_name="Peninjau KPU RI"),
        "jateng_editor": member(
            JATENG, "editor", email="editor.jateng@kpu.test", full_name="Editor Jawa Tengah"
        ),
        "jateng_operator": member(
            JATENG, "operator", email="operator.jateng@kpu.test", full_name="Operator Jawa Tengah"
        ),
        "jepara_operator": member(
            JEPARA, "operator", email="operator.jepara@kpu.test", full_name="Operator Jepara"
        ),
        "jepara_editor": member(JEPARA, "editor", email="editor.jepara@kpu.test", full_name="Editor Jepara"),
        "jepara_admin": member(JEPARA, "admin", email="admin.jepara@kpu.test", full_name="Admin Jepara"),
        "jepara_viewer": member(
            JEPARA, "viewer", email="peninjau.jepara@kpu.test", full_name="Peninjau Jepara"
        ),
        "jepara_analyst": member(
            JEPARA, "analyst", email="analis.jepara@kpu.test", full_name="Analis Jepara"
        ),
        "semarang_operator": member(
            SEMARANG, "operator", email="operator.semarang@kpu.test", full_name="Operator Semarang"
        ),
        "kudus_operator": member(
            KUDUS, "operator", email="operator.kudus@kpu.test", full_name="Operator Kudus"
        ),
        "jatim_editor": member(JATIM, "editor", email="editor.jatim@kpu.test", full_name="Editor Jawa Timur"),
        "surabaya_operator": member(
            SURABAYA, "operator", email="operator.surabaya@kpu.test", full_name="Operator Surabaya"
        ),
        "makassar_operator": member(
            MAKASSAR, "operator", email="operator.makassar@kpu.test", full_name="Operator Makassar"
        ),
    }


def assisted_channel(office: Office, actor, platform: str = "tiktok", handle: str | None = None) -> Channel:
    """An active assisted channel (no platform API, so no fake is needed)."""
    return channel_create(
        actor=actor,
        office=office,
        data=ChannelInput(
            platform=platform, name=office.name, handle=f"kpu{office.slug}" if handle is None else handle
        ),
    )


@pytest.fixture
def national_post(crew, offices):
    """national_post(text, publish=False) -> a KPU RI post written by its Operator and approved by
    its Editor (published to its TikTok channel when ``publish``)."""

    def make(text: str = TEXT, *, publish: bool = False, **fields) -> Post:
        office = offices[RI]
        channel = Channel.objects.filter(office=office, platform="tiktok").first() or assisted_channel(
            office, crew["ri_admin"]
        )
        post = post_create(actor=crew["ri_operator"], office=office, text=text, channels=[channel], **fields)
        post_submit(actor=crew["ri_operator"], post=post)
        post = post_approve(actor=crew["ri_editor"], post=post)
        if publish:
            publication_create(actor=crew["ri_editor"], post=post, channels=[channel])
            post.refresh_from_db()
        return post

    return make


@pytest.fixture
def national_article(crew, offices):
    """national_article(title, summary) -> a published KPU RI portal article."""

    def make(
        title: str = "Masa tenang: peserta pemilu dilarang berkampanye",
        summary: str = "Selama masa tenang tidak boleh ada kampanye dalam bentuk apa pun.",
        **fields,
    ) -> Article:
        article = article_create(
            actor=crew["ri_operator"],
            office=offices[RI],
            data=ArticleInput(title=title, summary=summary, body="<p>Isi artikel.</p>", **fields),
        )
        article_submit(actor=crew["ri_operator"], article=article)
        return article_approve(actor=crew["ri_editor"], article=article)

    return make


@pytest.fixture
def send(crew, offices, national_post):
    """send(scope="province", province="33", ...) -> a cascade of a national post (made unless
    ``source`` is given) from KPU RI by its Editor, deadline two days ahead."""

    def make(
        scope: str = Cascade.Scope.PROVINCE,
        *,
        province: str | None = JATENG,
        chosen: tuple[str, ...] = (),
        source=None,
        office: str = RI,
        actor=None,
        text: str | None = None,
        deadline=None,
    ) -> Cascade:
        return cascade_create(
            actor=actor or crew["ri_editor"],
            office=offices[office],
            source=source if source is not None else national_post(),
            scope=scope,
            province=offices[province] if scope == Cascade.Scope.PROVINCE and province else None,
            chosen=[offices[code] for code in chosen],
            text=text,
            deadline=deadline or timezone.now() + timedelta(days=2),
        )

    return make
