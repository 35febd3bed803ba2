"""A card made for a post and attached to it in one step (``content/<post>/kartu/``): the media
library's card maker (humas/library/cardpage.py), the card kept in the office's library and a
copy added to the post's images."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from humas.accounts.http import AuthenticatedHttpRequest
from humas.core.stages import ElectionStage
from humas.library.cardpage import CardPage, card_context, card_form_for, card_save
from humas.library.services import asset_prepared
from humas.media import cards
from humas.media.pipeline import ImageRejected
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..errors import PublishingError
from ..images import NewImage, post_images_change
from ..models import Post
from ..selectors import post_get_for_actor
from ..services import EDITABLE


def _initial(post: Post) -> dict[str, object]:
    """A card that starts from the post: its first line as the title, its stage as the badge, a
    clarification's template for a clarification."""
    first = next((line.strip() for line in post.text.splitlines() if line.strip()), "")
    return {
        "template": str(cards.Template.VERDICT if post.is_clarification else cards.Template.ANNOUNCEMENT),
        "title": first[: cards.TITLE_MAX],
        "stage": post.election_stage if post.election_stage in ElectionStage.values else "",
    }


@office_view("content.draft")
@require_http_methods(["GET", "POST"])
def post_card(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    edit_url = reverse("publishing:edit", kwargs={"office_slug": office.slug, "post_id": post.pk})
    if post.status not in EDITABLE:
        messages.error(request, _("Unggahan yang sudah diterbitkan tidak dapat diubah."))
        return redirect("publishing:detail", office_slug=office.slug, post_id=post.pk)
    page = CardPage(
        page_url=reverse("publishing:card", kwargs={"office_slug": office.slug, "post_id": post.pk}),
        save_label=_("Buat dan lampirkan ke unggahan"),
        back=(edit_url, _("Kembali ke unggahan")),
    )
    if request.method == "GET":
        form = card_form_for(request, office, initial=_initial(post))
        return render(request, "library/card.html", card_context(request, office, form, page=page))
    policy.require(request.user, "media.upload", office)
    saved = card_save(request, office)
    if saved.asset is not None:
        try:
            post_images_change(
                actor=request.user,
                post=post,
                add=[NewImage(asset_prepared(saved.asset), saved.asset.alt_text)],
            )
        except (PublishingError, ImageRejected) as exc:
            messages.error(
                request,
                _("Kartu disimpan di pustaka, tetapi tidak dapat dilampirkan: %(reason)s")
                % {"reason": " ".join(getattr(exc, "messages", [str(exc)]))},
            )
        else:
            messages.success(request, _("Kartu dibuat, disimpan di pustaka dan dilampirkan ke unggahan."))
        return redirect(edit_url)
    context = card_context(request, office, saved.form, page=page) | {"save_form": saved.save_form}
    return render(request, "library/card.html", context, status=400)
