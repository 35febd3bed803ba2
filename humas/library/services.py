"""Writes of the media library: images added, described, shared and archived; cards made; the
office's card colours. Every function checks the policy and audits what it changed."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.media import cards
from humas.media.pipeline import ImageRejected, PreparedImage, clean_texts, prepare_upload
from humas.media.storage import delete_quietly, read_bytes, save_new
from humas.media.variants import encode_jpeg
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths

from .models import CREDIT_REQUIRED, Asset, CardBrand, Licence, asset_storage

logger = logging.getLogger(__name__)

TITLE_MAX = 200
CREDIT_MAX = 200
LICENCE_NOTE_MAX = 300
TAGS_MAX = 12
TAG_MAX = 40
# What a card says ("Klaim:", "HOAKS") is for the public: Indonesian, whatever the language of the
# person making it.
CARD_LANGUAGE = "id"
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class LibraryError(Exception):
    """A change the library refuses, with a translated reason (or several)."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Description:
    """What a person says about an image: required alt text, optional title, credit and tags."""

    alt_text: str
    title: str = ""
    credit: str = ""
    licence: str = Licence.OWN
    licence_note: str = ""
    tags: str | Iterable[str] = ""
    shared_below: bool = False


def clean_tags(raw: str | Iterable[str]) -> list[str]:
    """Tags typed with commas (or given as a list): trimmed, lower-cased, each once, bounded."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    tags = list(dict.fromkeys(" ".join(str(part).replace("\x00", "").split()).lower() for part in parts))
    tags = [tag for tag in tags if tag]
    if len(tags) > TAGS_MAX:
        raise LibraryError(_("Paling banyak %(limit)s label per gambar.") % {"limit": TAGS_MAX})
    long = [tag for tag in tags if len(tag) > TAG_MAX]
    if long:
        raise LibraryError(
            _("Label terlalu panjang (batas %(limit)s karakter): %(tag)s")
            % {"limit": TAG_MAX, "tag": long[0][:40]}
        )
    return tags


def _line(value: str, *, limit: int, label: str) -> str:
    value = " ".join((value or "").replace("\x00", "").split())
    if len(value) > limit:
        raise LibraryError(
            _("%(field)s terlalu panjang: %(count)s karakter, paling banyak %(limit)s.")
            % {"field": label, "count": len(value), "limit": limit}
        )
    return value


def _described(description: Description) -> dict[str, Any]:
    """The cleaned fields of ``description``; raises LibraryError or ImageRejected (alt text)."""
    alt, _caption = clean_texts(alt_text=description.alt_text)
    if description.licence not in Licence.values:
        raise LibraryError(_("Pilih lisensi gambar dari daftar."))
    fields: dict[str, Any] = {
        "alt_text": alt,
        "title": _line(description.title, limit=TITLE_MAX, label=_("Judul")),
        "credit": _line(description.credit, limit=CREDIT_MAX, label=_("Sumber / kredit")),
        "licence": description.licence,
        "licence_note": _line(description.licence_note, limit=LICENCE_NOTE_MAX, label=_("Catatan lisensi")),
        "tags": clean_tags(description.tags),
        "shared_below": bool(description.shared_below),
    }
    if fields["licence"] in CREDIT_REQUIRED and not fields["credit"]:
        raise LibraryError(_("Lisensi ini mewajibkan kredit: isi sumber / kredit gambar."))
    return fields


def _search_text(fields: dict[str, Any]) -> str:
    """What the library's search looks in: the texts lower-cased, then each tag between bars
    (``selectors.tag_token``)."""
    parts = [fields.get("title", ""), fields.get("alt_text", ""), fields.get("credit", "")]
    tags = "".join(f"|{tag}" for tag in fields.get("tags", [])) + "|" if fields.get("tags") else ""
    return (" ".join(str(part) for part in parts if part) + " " + tags).lower()


def _store(*, office: Office, prepared: PreparedImage) -> tuple[str, str]:
    key = uuid.uuid4().hex
    name = save_new(
        storage=asset_storage(),
        name=f"library/{office.pk}/{key}.{prepared.extension}",
        content=prepared.content,
    )
    return key, name


def _create(
    *,
    actor: User,
    office: Office,
    prepared: PreparedImage,
    fields: dict[str, Any],
    origin: str,
    card: dict[str, Any] | None = None,
) -> Asset:
    key, name = _store(office=office, prepared=prepared)
    try:
        with transaction.atomic():
            asset = Asset(
                office=office,
                key=key,
                origin=origin,
                card=card or {},
                width=prepared.width,
                height=prepared.height,
                mime=prepared.mime,
                bytes=len(prepared.content),
                created_by=actor,
                search_text=_search_text(fields),
                **fields,
            )
            asset.file.name = name
            asset.save()
            audit_record(
                actor=actor,
                office=office,
                action="asset.create",
                obj=asset,
                changes={
                    "origin": origin,
                    "licence": fields["licence"],
                    "width": asset.width,
                    "height": asset.height,
                    **({"template": card.get("template")} if card else {}),
                },
            )
    except Exception:
        delete_quietly(storage=asset_storage(), names=[name])
        raise
    return asset


def asset_upload(*, actor: User, office: Office, file: IO[bytes] | Any, description: Description) -> Asset:
    """Add an uploaded image to ``office``'s library after the one upload check (real type, size,
    pixels; EXIF and every other metadata dropped). Needs media.upload. Raises ImageRejected or
    LibraryError (translated) and then stores nothing."""
    policy.require(actor, "media.upload", office)
    fields = _described(description)
    prepared = prepare_upload(file=file)
    return _create(actor=actor, office=office, prepared=prepared, fields=fields, origin=Asset.Origin.UPLOAD)


def _may_change(actor: User, asset: Asset) -> bool:
    if policy.can(actor, "media.manage", asset.office):
        return True
    return asset.created_by_id == actor.pk and policy.can(actor, "media.upload", asset.office)


def asset_update(*, actor: User, asset: Asset, description: Description) -> bool:
    """Change what is said about an image of the office's own library: by whoever added it, or an
    approver (media.manage). Returns whether anything changed."""
    if not _may_change(actor, asset):
        policy.require(actor, "media.manage", asset.office)
    fields = _described(description)
    changes = {
        name: {"before": getattr(asset, name), "after": value}
        for name, value in fields.items()
        if getattr(asset, name) != value
    }
    if not changes:
        return False
    with transaction.atomic():
        for name, value in fields.items():
            setattr(asset, name, value)
        asset.search_text = _search_text(fields)
        asset.save(update_fields=[*fields, "search_text", "updated_at"])
        audit_record(actor=actor, office=asset.office, action="asset.update", obj=asset, changes=changes)
    return True


def asset_archive(*, actor: User, asset: Asset, archived: bool = True) -> bool:
    """Archive an image (no longer offered for new posts; posts that used it keep their copy) or
    bring it back. Returns whether anything changed."""
    if not _may_change(actor, asset):
        policy.require(actor, "media.manage", asset.office)
    if (asset.archived_at is not None) == archived:
        return False
    with transaction.atomic():
        asset.archived_at = timezone.now() if archived else None
        asset.save(update_fields=["archived_at", "updated_at"])
        audit_record(
            actor=actor,
            office=asset.office,
            action="asset.archive" if archived else "asset.restore",
            obj=asset,
            changes={},
        )
    return True


def asset_prepared(asset: Asset) -> PreparedImage:
    """The asset's clean file as the upload check would have made it (it was made by it): what a
    post or an article copies when it uses the image."""
    content = read_bytes(storage=asset_storage(), name=str(asset.file.name))
    fmt = _FORMATS.get(asset.mime)
    if fmt is None:
        raise ImageRejected(_("Berkas gambar pustaka ini tidak dapat dipakai."))
    return PreparedImage(
        content=content, format=fmt, source_format=fmt, width=asset.width, height=asset.height
    )


# --------------------------------------------------------------------------------------------
# Cards


@dataclass(frozen=True)
class Brand:
    """The colours an office's cards use and where they were set (None: the defaults)."""

    primary: str
    accent: str
    text_on_primary: str
    set_at: Office | None


def card_brand_for(office: Office) -> Brand:
    """``office``'s own card colours, else the nearest office's above it, else the defaults."""
    default = cards.CardStyle()
    rows = {
        brand.office.path: brand
        for brand in CardBrand.objects.select_related("office").filter(
            office__path__in=[*ancestor_paths(office.path), office.path]
        )
    }
    for path in sorted(rows, key=len, reverse=True):
        row = rows[path]
        return Brand(row.primary, row.accent, row.text_on_primary, row.office)
    return Brand(default.primary, default.accent, default.text_on_primary, None)


def _logo_bytes(office: Office) -> bytes | None:
    """The office's logo from its profile, else the nearest one above it (a regency's cards carry
    the commission's logo until it uploads its own)."""
    chain = [office]
    if office.parent_id is not None:
        chain += list(Office.objects.filter(path__in=ancestor_paths(office.path)).order_by("-depth"))
    for candidate in chain:
        if candidate.logo and candidate.logo.name:
            try:
                with candidate.logo.open("rb") as fh:
                    data = bytes(fh.read(cards.LOGO_MAX_BYTES + 1))
            except OSError:
                logger.warning("logo of office %s unreadable", candidate.pk)
                continue
            if _logo_usable(data):
                return data
            logger.warning("logo of office %s is not an image the cards can draw; skipped", candidate.pk)
    return None


def _logo_usable(data: bytes) -> bool:
    """Whether a logo file is an image of a sane size (read from its header, nothing decoded):
    a broken logo in an office's profile leaves its cards without a logo, it does not stop them."""
    if len(data) > cards.LOGO_MAX_BYTES:
        return False
    try:
        with Image.open(io.BytesIO(data), formats=cards.LOGO_FORMATS) as img:
            return bool(img.width * img.height <= cards.LOGO_MAX_PIXELS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return False


def card_style_for(office: Office) -> cards.CardStyle:
    """The brand and logo ``office``'s cards are drawn with."""
    brand = card_brand_for(office)
    return cards.CardStyle(
        primary=brand.primary,
        accent=brand.accent,
        text_on_primary=brand.text_on_primary,
        logo=_logo_bytes(office),
    )


def _colour(value: str, label: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != 7 or value[0] != "#" or any(c not in "0123456789ABCDEF" for c in value[1:]):
        raise LibraryError(_("%(field)s harus berupa warna heksadesimal seperti #8B0000.") % {"field": label})
    return value


def card_brand_set(*, actor: User, office: Office, primary: str, accent: str, text_on_primary: str) -> Brand:
    """Set ``office``'s own card colours (offices below without their own use them). Needs card.brand."""
    policy.require(actor, "card.brand", office)
    values = {
        "primary": _colour(primary, _("Warna utama")),
        "accent": _colour(accent, _("Warna aksen")),
        "text_on_primary": _colour(text_on_primary, _("Warna teks")),
    }
    before = card_brand_for(office)
    with transaction.atomic():
        CardBrand.objects.update_or_create(office=office, defaults={**values, "set_by": actor})
        audit_record(
            actor=actor,
            office=office,
            action="card_brand.set",
            obj=office,
            changes={
                "before": [before.primary, before.accent, before.text_on_primary],
                "after": list(values.values()),
            },
        )
    return card_brand_for(office)


def card_brand_clear(*, actor: User, office: Office) -> Brand:
    """Drop ``office``'s own colours: it uses those above it again. Needs card.brand."""
    policy.require(actor, "card.brand", office)
    with transaction.atomic():
        deleted, _rows = CardBrand.objects.filter(office=office).delete()
        if deleted:
            audit_record(actor=actor, office=office, action="card_brand.clear", obj=office, changes={})
    return card_brand_for(office)


def card_spec(
    *, office: Office, values: dict[str, Any], style: cards.CardStyle | None = None
) -> cards.CardSpec:
    """The card of ``office`` described by ``values`` (the card form's cleaned fields or a saved
    card's ``Asset.card``): its office name and brand filled in."""
    schedule = tuple((str(when), str(what)) for when, what in values.get("schedule") or ())
    try:
        template = cards.Template(values.get("template", ""))
    except ValueError:
        raise LibraryError(_("Pilih templat kartu dari daftar.")) from None
    return cards.CardSpec(
        template=template,
        size=str(values.get("size", "")),
        office_name=office.name,
        title=str(values.get("title", "")),
        body=str(values.get("body", "")),
        attribution=str(values.get("attribution", "")),
        figure=str(values.get("figure", "")),
        schedule=schedule,
        verdict=str(values.get("verdict", "")),
        stage=str(values.get("stage", "")),
        footer=str(values.get("footer", "")),
        style=style or card_style_for(office),
    )


def card_values(spec: cards.CardSpec) -> dict[str, Any]:
    """What is kept of a card to make it again (``Asset.card``): its texts, not the office's brand."""
    return {
        "template": str(spec.template),
        "size": spec.size,
        "title": spec.title,
        "body": spec.body,
        "attribution": spec.attribution,
        "figure": spec.figure,
        "schedule": [list(row) for row in spec.schedule],
        "verdict": spec.verdict,
        "stage": spec.stage,
        "footer": spec.footer,
    }


def fonts_missing(missing: cards.CardFontsMissing) -> LibraryError:
    """The set-up error of missing card fonts as a refusal a person can pass on (logged for the
    administrator of the server)."""
    logger.error("image cards unavailable: %s", missing)
    return LibraryError(_("Kartu tidak dapat dibuat: huruf kartu belum terpasang di server."), [str(missing)])


def card_check(spec: cards.CardSpec) -> list[str]:
    """Every problem of the card's texts (the renderer's), or the set-up error of missing fonts."""
    try:
        return cards.card_check(spec)
    except cards.CardFontsMissing as missing:
        error = fonts_missing(missing)
        return [str(error), *error.problems]


def card_preview(spec: cards.CardSpec) -> bytes:
    """The card as PNG, stored nowhere. Raises LibraryError with every problem of its texts."""
    try:
        with translation.override(CARD_LANGUAGE):
            return cards.card_png(spec)
    except cards.CardRefused as refused:
        raise LibraryError(_("Kartu belum dapat dibuat."), refused.problems) from None
    except cards.CardFontsMissing as missing:
        raise fonts_missing(missing) from None


def card_alt_text(spec: cards.CardSpec) -> str:
    """The alt text drafted from the card's words, in the language the card is drawn in."""
    with translation.override(CARD_LANGUAGE):
        return cards.card_alt_text(spec)


def card_preview_jpeg(spec: cards.CardSpec) -> bytes:
    """The card as a JPEG for a preview on screen (smaller and quicker than the PNG kept)."""
    try:
        with translation.override(CARD_LANGUAGE):
            image = cards.card_render(spec)
    except cards.CardRefused as refused:
        raise LibraryError(_("Kartu belum dapat dibuat."), refused.problems) from None
    except cards.CardFontsMissing as missing:
        raise fonts_missing(missing) from None
    return encode_jpeg(image=image, quality=85)


def card_make(
    *,
    actor: User,
    office: Office,
    spec: cards.CardSpec,
    alt_text: str = "",
    tags: str | Iterable[str] = "",
    shared_below: bool = False,
) -> Asset:
    """Render ``spec`` and keep it in ``office``'s library as the office's own image, its alt text
    drafted from its texts unless given. Needs media.upload."""
    policy.require(actor, "media.upload", office)
    png = card_preview(spec)
    fields = _described(
        Description(
            alt_text=alt_text or card_alt_text(spec),
            title=spec.title[:TITLE_MAX],
            credit=office.name[:CREDIT_MAX],
            licence=Licence.OWN,
            tags=tags,
            shared_below=shared_below,
        )
    )
    width, height = cards.SIZES[spec.size]
    prepared = PreparedImage(content=png, format="PNG", source_format="PNG", width=width, height=height)
    return _create(
        actor=actor,
        office=office,
        prepared=prepared,
        fields=fields,
        origin=Asset.Origin.CARD,
        card=card_values(spec),
    )
