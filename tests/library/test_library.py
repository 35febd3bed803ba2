"""The media library (humas/library): images with alt text, credit, licence and tags; search;
sharing down the tree and nowhere else; private files; cards made in the office's brand; reuse
in posts and portal articles."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from humas.audit.models import AuditEvent
from humas.library.models import Asset, Licence
from humas.library.selectors import asset_list, asset_usable
from humas.library.services import (
    Description,
    LibraryError,
    asset_archive,
    asset_update,
    asset_upload,
    card_brand_for,
    card_brand_set,
    card_make,
    card_spec,
)
from humas.media.pipeline import ImageRejected
from humas.offices.policy import PolicyDenied
from humas.publishing.models import Post, PostImage
from humas.publishing.services import post_create

pytestmark = pytest.mark.django_db

JEPARA, KUDUS, CENTRAL_JAVA = "33.20", "33.19", "33"
BASE = "/app/kab-jepara/pustaka/"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "public"


def jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (30, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "S", 2: (6.0, 35.0, 0.0)}  # GPS
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def upload(data: bytes | None = None, name: str = "foto.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or jpeg_with_gps(), content_type="image/jpeg")


@pytest.fixture
def people(member):
    return {
        "operator": member(JEPARA, "operator", email="op.jepara@kpu.test"),
        "editor": member(JEPARA, "editor", email="ed.jepara@kpu.test"),
        "admin": member(JEPARA, "admin", email="admin.jepara@kpu.test"),
        "viewer": member(JEPARA, "viewer", email="viewer.jepara@kpu.test"),
        "province": member(CENTRAL_JAVA, "operator", email="op.jateng@kpu.test"),
        "province_admin": member(CENTRAL_JAVA, "admin", email="admin.jateng@kpu.test"),
        "kudus": member(KUDUS, "operator", email="op.kudus@kpu.test"),
    }


def add(actor, office, **fields) -> Asset:
    description = Description(**{"alt_text": "Petugas coklit mendatangi rumah warga", **fields})
    return asset_upload(actor=actor, office=office, file=upload(), description=description)


def test_an_upload_is_stored_clean_described_and_audited(people, offices):
    asset = add(
        people["operator"],
        offices[JEPARA],
        title="Coklit hari pertama",
        credit="Humas KPU Jepara",
        tags="Coklit, pemutakhiran data, coklit",
    )

    assert asset.tags == ["coklit", "pemutakhiran data"]
    stored = Image.open(asset.file.open("rb"))
    assert not stored.getexif()  # the GPS position and the phone's make are gone
    assert (asset.width, asset.height, asset.mime) == (800, 600, "image/jpeg")
    event = AuditEvent.objects.get(action="asset.create")
    assert event.changes["origin"] == "unggahan"


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"alt_text": "  "}, ImageRejected, "Teks alternatif wajib"),
        ({"licence": Licence.CC_BY}, LibraryError, "mewajibkan kredit"),
        ({"licence": "curian"}, LibraryError, "Pilih lisensi"),
        ({"tags": ",".join(f"l{n}" for n in range(13))}, LibraryError, "Paling banyak 12 label"),
        ({"title": "x" * 201}, LibraryError, "Judul terlalu panjang"),
    ],
)
def test_bad_descriptions_are_refused_and_nothing_is_stored(people, offices, fields, error, message):
    with pytest.raises(error, match=message):
        add(people["operator"], offices[JEPARA], **fields)
    assert not Asset.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(people, offices):
    with pytest.raises(ImageRejected):
        asset_upload(
            actor=people["operator"],
            office=offices[JEPARA],
            file=upload(b"<svg onload=alert(1)>", name="x.jpg"),
            description=Description(alt_text="x"),
        )
    assert not Asset.objects.exists()


def test_shared_images_reach_the_offices_below_and_no_sibling(people, offices):
    shared = add(people["province"], offices[CENTRAL_JAVA], title="Logo pemilu", shared_below=True)
    private = add(people["province"], offices[CENTRAL_JAVA], title="Draf internal")
    own = add(people["operator"], offices[JEPARA], title="Foto Jepara")

    seen = {a.pk for a in asset_list(actor=people["operator"], office=offices[JEPARA]).object_list}
    assert seen == {shared.pk, own.pk}
    assert asset_usable(actor=people["operator"], office=offices[JEPARA], asset_id=private.pk) is None
    assert asset_usable(actor=people["kudus"], office=offices[KUDUS], asset_id=own.pk) is None
    assert asset_usable(actor=people["kudus"], office=offices[KUDUS], asset_id=shared.pk) == shared
    # A viewer sees the library but may not use an image in a post.
    assert asset_usable(actor=people["viewer"], office=offices[JEPARA], asset_id=own.pk) is None


def test_search_tags_scope_and_licence(people, offices):
    add(people["operator"], offices[JEPARA], title="Rapat pleno", tags="pleno")
    unclear = add(people["operator"], offices[JEPARA], title="Foto dari grup WA", licence=Licence.UNCLEAR)
    add(people["province"], offices[CENTRAL_JAVA], title="Pleno provinsi", tags="pleno", shared_below=True)

    def titles(**filters):
        page = asset_list(actor=people["operator"], office=offices[JEPARA], **filters)
        return sorted(a.title for a in page.object_list)

    assert titles(query="pleno") == ["Pleno provinsi", "Rapat pleno"]
    assert titles(tag="pleno", scope="sendiri") == ["Rapat pleno"]
    assert titles(scope="atasan") == ["Pleno provinsi"]
    assert titles(tag="plen") == []  # a tag matches whole
    assert asset_usable(actor=people["operator"], office=offices[JEPARA], asset_id=unclear.pk) is None


def test_who_may_change_and_archive(people, offices):
    asset = add(people["operator"], offices[JEPARA])
    other = people["kudus"]
    with pytest.raises(PolicyDenied):
        asset_update(actor=other, asset=asset, description=Description(alt_text="diubah"))
    assert asset_update(actor=people["editor"], asset=asset, description=Description(alt_text="Foto coklit"))
    assert asset_archive(actor=people["operator"], asset=asset)
    assert asset_usable(actor=people["operator"], office=offices[JEPARA], asset_id=asset.pk) is None
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == ["asset.update", "asset.archive"]
    with pytest.raises(PolicyDenied):
        add(people["viewer"], offices[JEPARA])


def test_files_are_served_only_to_offices_that_may_see_them(client, people, offices):
    own = add(people["operator"], offices[JEPARA])
    client.force_login(people["operator"])
    thumb = client.get(f"{BASE}{own.pk}/thumb.img")
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert "private" in thumb["Cache-Control"]
    assert client.get(f"{BASE}{own.pk}/full.img").status_code == 200
    assert client.get(f"{BASE}{own.pk}/other.img").status_code == 404

    client.force_login(people["kudus"])
    assert client.get(f"/app/kab-kudus/pustaka/{own.pk}/thumb.img").status_code == 404
    assert client.get(f"{BASE}{own.pk}/thumb.img").status_code == 403


def test_the_library_pages(client, people, offices):
    client.force_login(people["operator"])
    assert "Pustaka ini masih kosong" in client.get(BASE).content.decode()
    sent = client.post(
        f"{BASE}unggah/",
        {
            "file": upload(),
            "alt_text": "Spanduk sosialisasi coklit",
            "licence": Licence.OWN,
            "tags": "coklit",
        },
        follow=True,
    )
    assert "Gambar disimpan di pustaka." in sent.content.decode()
    asset = Asset.objects.get()
    page = client.get(BASE).content.decode()
    assert "Spanduk sosialisasi coklit" in page
    detail = client.get(f"{BASE}{asset.pk}/").content.decode()
    assert f"/app/kab-jepara/content/new/?pustaka={asset.pk}" in detail
    refused = client.post(f"{BASE}unggah/", {"file": upload(), "alt_text": "", "licence": Licence.OWN})
    assert refused.status_code == 400
    client.force_login(people["viewer"])
    assert client.get(f"{BASE}unggah/").status_code == 403


CARD = {
    "template": "klarifikasi",
    "size": "1080x1080",
    "title": "Pemilih harus membawa undangan C6 untuk mencoblos",
    "body": "Pemilih cukup membawa KTP elektronik bila tidak menerima undangan.",
    "verdict": "hoaks",
    "stage": "pemungutan-suara",
}


def test_a_card_is_made_in_the_offices_brand_and_kept_with_its_texts(people, offices):
    card_brand_set(
        actor=people["province_admin"],
        office=offices[CENTRAL_JAVA],
        primary="#0b3d91",
        accent="#ffcc00",
        text_on_primary="#ffffff",
    )
    assert card_brand_for(offices[JEPARA]).primary == "#0B3D91"  # inherited from the province

    spec = card_spec(office=offices[JEPARA], values={**CARD, "stage": "Pemungutan suara"})
    asset = card_make(actor=people["operator"], office=offices[JEPARA], spec=spec)

    assert asset.origin == Asset.Origin.CARD
    assert (asset.width, asset.height, asset.mime) == (1080, 1080, "image/png")
    assert asset.card["verdict"] == "hoaks"
    assert "HOAKS" in asset.alt_text and len(asset.alt_text) <= 250
    image = Image.open(asset.file.open("rb")).convert("RGB")
    assert (11, 61, 145) in {image.getpixel((x, 10)) for x in range(0, 1080, 40)}  # the brand colour


def test_a_bad_colour_and_a_title_of_5000_characters_are_refused(people, offices):
    with pytest.raises(LibraryError, match="heksadesimal"):
        card_brand_set(
            actor=people["admin"],
            office=offices[JEPARA],
            primary="merah",
            accent="#000000",
            text_on_primary="#fff",
        )
    spec = card_spec(office=offices[JEPARA], values={**CARD, "title": "kata " * 1000})
    with pytest.raises(LibraryError) as refused:
        card_make(actor=people["operator"], office=offices[JEPARA], spec=spec)
    assert any("200" in problem for problem in refused.value.problems)
    assert not Asset.objects.exists()


def test_the_card_page_previews_and_saves(client, people, offices):
    client.force_login(people["operator"])
    page = client.get(f"{BASE}kartu/", CARD).content.decode()
    assert f"{BASE}kartu/pratinjau.jpg?" in page
    preview = client.get(f"{BASE}kartu/pratinjau.jpg", CARD)
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(preview.content)).size == (1080, 1080)

    too_long = client.get(f"{BASE}kartu/", {**CARD, "title": "x" * 5000}).content.decode()
    assert "paling banyak 200" in too_long
    assert client.get(f"{BASE}kartu/pratinjau.jpg", {**CARD, "title": "x" * 5000}).status_code == 404

    saved = client.post(f"{BASE}kartu/", {**CARD, "alt_text": "", "tags": "hoaks"}, follow=True)
    assert "Kartu dibuat dan disimpan di pustaka." in saved.content.decode()
    asset = Asset.objects.get()
    assert asset.tags == ["hoaks"]
    again = client.get(f"{BASE}kartu/", {"dari": asset.pk}).content.decode()
    assert "Pemilih harus membawa undangan C6" in again


def test_the_brand_page_is_an_administrators(client, people):
    client.force_login(people["editor"])
    assert client.get(f"{BASE}merek-kartu/").status_code == 403
    client.force_login(people["admin"])
    saved = client.post(
        f"{BASE}merek-kartu/",
        {"primary": "#123456", "accent": "#abcdef", "text_on_primary": "#ffffff"},
        follow=True,
    )
    assert "Warna kartu disimpan." in saved.content.decode()
    cleared = client.post(f"{BASE}merek-kartu/", {"hapus": "1"}, follow=True)
    assert "kembali memakai warna kartu kantor di atasnya" in cleared.content.decode()


def test_a_library_image_goes_into_a_post_from_the_composer(client, people, offices):
    asset = add(people["operator"], offices[JEPARA], title="Coklit")
    client.force_login(people["operator"])
    form = client.get(f"/app/kab-jepara/content/new/?pustaka={asset.pk}").content.decode()
    assert f'value="{asset.pk}"' in form and "checked" in form

    client.post(
        "/app/kab-jepara/content/new/",
        {"text": "Coklit dimulai hari ini.", "pustaka": [str(asset.pk)]},
    )
    post = Post.objects.get()
    image = PostImage.objects.get(post=post)
    assert image.alt_text == asset.alt_text
    assert (image.width, image.height) == (asset.width, asset.height)


def test_another_offices_image_id_is_not_taken_by_the_composer(client, people, offices):
    foreign = add(people["kudus"], offices[KUDUS])
    client.force_login(people["operator"])
    client.post("/app/kab-jepara/content/new/", {"text": "Teks", "pustaka": [str(foreign.pk)]})
    assert not PostImage.objects.exists()


def test_a_card_for_a_post_is_made_and_attached_in_one_step(client, people, offices):
    post = post_create(
        actor=people["operator"], office=offices[JEPARA], text="Jadwal coklit\nMulai 12 Februari."
    )
    client.force_login(people["operator"])
    url = f"/app/kab-jepara/content/{post.pk}/kartu/"
    page = client.get(url).content.decode()
    assert "Jadwal coklit" in page  # the post's first line as the card's title

    done = client.post(
        url, {"template": "pengumuman", "size": "1080x1350", "title": "Jadwal coklit"}, follow=True
    )
    assert "dilampirkan ke unggahan" in done.content.decode()
    image = PostImage.objects.get(post=post)
    assert (image.width, image.height) == (1080, 1350)
    assert Asset.objects.get().origin == Asset.Origin.CARD


def test_a_library_image_becomes_an_articles_cover(
    client, people, offices, django_capture_on_commit_callbacks
):
    from humas.portal.models import Article

    asset = add(people["operator"], offices[JEPARA], title="Coklit", credit="Humas KPU Jepara")
    client.force_login(people["operator"])
    form = client.get("/app/kab-jepara/portal/new/").content.decode()
    assert f'<option value="{asset.pk}">Coklit</option>' in form
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/app/kab-jepara/portal/new/",
            {
                "type": "berita",
                "title": "Coklit dimulai",
                "summary": "Ringkas.",
                "body": "<p>Isi</p>",
                "cover_library": str(asset.pk),
            },
        )
    cover = Article.objects.get().cover
    assert cover is not None
    assert cover.alt_text == asset.alt_text
    assert cover.caption == "Sumber: Humas KPU Jepara"
    assert (cover.width, cover.height) == (asset.width, asset.height)


def test_a_clarification_offers_its_card(client, people, offices):
    from humas.portal.services import ArticleInput, article_create

    article = article_create(
        actor=people["operator"],
        office=offices[JEPARA],
        data=ArticleInput(
            title="Hoaks undangan C6",
            type="klarifikasi",
            summary="Pemilih cukup membawa KTP elektronik.",
            claim="Pemilih tanpa undangan C6 tidak boleh mencoblos",
            verdict="hoaks",
        ),
    )
    client.force_login(people["operator"])
    page = client.get(f"/app/kab-jepara/portal/{article.pk}/").content.decode()
    assert "Buat kartu klarifikasi" in page
    assert "template=klarifikasi" in page and "verdict=hoaks" in page
    prefilled = client.get(
        f"{BASE}kartu/",
        {"template": "klarifikasi", "title": article.claim, "verdict": "hoaks", "size": "1080x1080"},
    ).content.decode()
    assert "pratinjau.jpg?" in prefilled


def test_missing_fonts_are_a_clear_set_up_error_not_a_crash(client, people, settings, tmp_path):
    settings.HUMAS_CARD_FONT_DIR = str(tmp_path / "no-fonts")
    client.force_login(people["operator"])
    page = client.get(f"{BASE}kartu/", CARD)
    assert page.status_code == 200
    assert "huruf kartu belum terpasang" in page.content.decode()
    assert client.get(f"{BASE}kartu/pratinjau.jpg", CARD).status_code == 404
    refused = client.post(f"{BASE}kartu/", CARD)
    assert refused.status_code == 400
    assert "font-source-sans-pro" in refused.content.decode()
    assert not Asset.objects.exists()


def test_a_broken_or_huge_logo_in_the_profile_leaves_the_card_without_a_logo(people, offices):
    from django.core.files.base import ContentFile

    from humas.library.services import card_style_for
    from tests.publishing.test_images_variants import png_declaring

    jepara = offices[JEPARA]
    jepara.logo.save("logo.png", ContentFile(b"<svg>not a picture</svg>"), save=True)
    assert card_style_for(jepara).logo is None
    jepara.logo.save("logo.png", ContentFile(png_declaring(30000, 30000)), save=True)
    assert card_style_for(jepara).logo is None
    good = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 0, 0, 255)).save(good, "PNG")
    jepara.logo.save("logo.png", ContentFile(good.getvalue()), save=True)
    assert card_style_for(jepara).logo == good.getvalue()
    # A regency without a logo of its own carries the nearest one above.
    assert card_style_for(offices[KUDUS]).logo is None
    offices[CENTRAL_JAVA].logo.save("logo.png", ContentFile(good.getvalue()), save=True)
    assert card_style_for(offices[KUDUS]).logo == good.getvalue()
    card_make(actor=people["operator"], office=jepara, spec=card_spec(office=jepara, values=CARD))
