""" "Bagikan ke kanal": a published portal article becomes a draft post of its office."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.portal.selectors import article_get_for_actor

from ..models import Post
from ..services import PublishingError
from ..sharing import post_from_article
from ._flow import to_detail


@require_POST
@office_view("content.draft")
def post_from_article_view(
    request: AuthenticatedHttpRequest, office: Office, article_id: int
) -> HttpResponse:
    # Only an article of this very office (another office's article is not there: 404).
    article = article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    try:
        post, created = post_from_article(actor=request.user, article=article)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("portal_admin:detail", office_slug=office.slug, article_id=article.pk)
    if created:
        messages.success(
            request, _("Draf unggahan dibuat dari artikel ini. Periksa teksnya, lalu kirim untuk disetujui.")
        )
    else:
        messages.info(request, _("Artikel ini sudah punya unggahan; ini unggahannya."))
    if post.status == Post.Status.DRAFT:
        return redirect("publishing:edit", office_slug=office.slug, post_id=post.pk)
    # In review, approved or published: its page says where it stands (an edit would send a
    # post in review or approved back to draft).
    return to_detail(office, post.pk)
