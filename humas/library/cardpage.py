"""The card maker as a page shows it (``library/card.html``): the library's own page and any
other app's page that offers it (a post's "make a card and attach it") build it from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from humas.accounts.http import AuthenticatedHttpRequest
from humas.media.pipeline import ImageRejected
from humas.offices.models import Office, office_prefix

from .forms import CardForm, CardSaveForm
from .models import Asset
from .selectors import asset_get
from .services import LibraryError, card_brand_for, card_check, card_make, card_spec


def card_form_for(
    request: AuthenticatedHttpRequest, office: Office, *, initial: dict[str, Any] | None = None
) -> CardForm:
    """The card form: bound to the query string when it carries a card (a preview asked for, a
    card made from a clarification), else empty with the office's portal address as its footer;
    ``?dari=<id>`` starts from a card kept in the library."""
    source = request.GET.get("dari", "")
    if source.isdigit():
        asset = asset_get(actor=request.user, office=office, asset_id=int(source))
        if asset is not None and asset.card:
            return CardForm(initial=CardForm.initial_from(asset.card))
    if request.GET.get("title"):
        return CardForm(request.GET)
    return CardForm(initial={"footer": portal_address(office), **(initial or {})})


def portal_address(office: Office) -> str:
    """The office's portal address as a card's footer shows it: no scheme, no trailing slash."""
    parts = urlsplit(settings.HUMAS_PUBLIC_BASE_URL)
    return f"{parts.netloc}{parts.path.rstrip('/')}{office_prefix(office.slug)}".rstrip("/")


@dataclass(frozen=True)
class CardPage:
    """Where a page showing the card maker sends its preview and its saving (itself), what its
    saving button says, and the way back."""

    page_url: str
    save_label: str
    back: tuple[str, str]


def card_context(
    request: AuthenticatedHttpRequest, office: Office, form: CardForm, *, page: CardPage | None = None
) -> dict[str, Any]:
    """What ``library/card.html`` needs: the form, its problems, the preview's address, where the
    preview and the saving go (``page_url``: this page; another app's page may show the same
    maker, e.g. a post's "make a card and attach it") and the way back."""
    page = page or CardPage(
        page_url=reverse("library:card", kwargs={"office_slug": office.slug}),
        save_label=_("Simpan ke pustaka"),
        back=(reverse("library:list", kwargs={"office_slug": office.slug}), _("Pustaka media")),
    )
    problems: list[str] = []
    preview = ""
    if form.is_bound and form.is_valid():
        problems = card_check(card_spec(office=office, values=form.values()))
        if not problems:
            preview = urlencode([(name, form.data[name]) for name in form.fields if form.data.get(name)])
    return {
        "office": office,
        "form": form,
        "save_form": CardSaveForm(),
        "problems": problems,
        "preview_query": preview,
        "brand": card_brand_for(office),
        "preview_action": page.page_url,
        "save_action": page.page_url,
        "save_label": page.save_label,
        "back_url": page.back[0],
        "back_label": page.back[1],
        "nav_active": "library",
    }


@dataclass
class CardSaved:
    """A card form sent to be kept: the card made (None when refused) and the forms to show
    again with their errors."""

    asset: Asset | None
    form: CardForm
    save_form: CardSaveForm


def card_save(request: AuthenticatedHttpRequest, office: Office) -> CardSaved:
    """Make and keep the card the POST describes in ``office``'s library; every refusal lands on
    the forms (a problem of the card's texts, an alt text refused)."""
    form, save_form = CardForm(request.POST), CardSaveForm(request.POST)
    if not (form.is_valid() and save_form.is_valid()):
        return CardSaved(None, form, save_form)
    try:
        asset = card_make(
            actor=request.user,
            office=office,
            spec=card_spec(office=office, values=form.values()),
            alt_text=save_form.cleaned_data["alt_text"],
            tags=save_form.cleaned_data["tags"],
            shared_below=save_form.cleaned_data["shared_below"],
        )
    except LibraryError as exc:
        form.add_error(None, [str(exc), *exc.problems])
    except ImageRejected as exc:
        save_form.add_error("alt_text", exc.messages)
    else:
        return CardSaved(asset, form, save_form)
    return CardSaved(None, form, save_form)
