"""The tipline on every portal: ``/cek-klaim/`` and ``/lapor-hoaks/`` (the national site), and the
same under each office's slug.

Cek Klaim's empty page is an ordinary cached portal page; a question is a POST (so what was
pasted appears in no address, log or cache), exempt from CSRF because it changes nothing, and
answered with a page of its own that is never stored. The tip form carries a CSRF token, so its
page is never stored either."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from humas.media.pipeline import ImageRejected
from humas.offices.models import Office, office_prefix
from humas.portal.selectors import site_office_get
from humas.web import limits, pagecache
from humas.web.requestcontext import request_client_ip

from ..checks import CheckRefused, claim_check
from ..forms import CheckForm, TipForm
from ..models import Tip
from ..services import TipInput, tip_submit
from ..telegram import bot_get

CHECK_LIMIT_NAME = "claim-check"
TIP_LIMIT_NAME = "tip"


def _office(request: HttpRequest, office_slug: str | None) -> Office:
    return site_office_get(slug=office_slug or getattr(request, "site_office_slug", None))


def _private(response: HttpResponse) -> HttpResponse:
    pagecache.cache_headers(response, shared=False)
    response["Cache-Control"] = "no-store"
    return response


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@csrf_exempt
def check(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    office = _office(request, office_slug)
    context: dict[str, object] = {"office": office, "nav_path": "cek-klaim/"}
    if request.method != "POST":
        context["form"] = CheckForm()
        return pagecache.finish(request, render(request, "tipline/check.html", context))
    form = CheckForm(request.POST)
    context["form"] = form
    status = 200
    wait = limits.hit(
        limits.Limit(CHECK_LIMIT_NAME, settings.HUMAS_CLAIM_CHECKS_PER_MINUTE, 60),
        request_client_ip(request) or "",
    )
    if wait is not None:
        context["problem"] = limits.wait_message(wait)
        status = 429
    elif not form.is_valid():
        context["problem"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 400
    else:
        try:
            context["answer"] = claim_check(text=form.cleaned_data["teks"], link=form.cleaned_data["tautan"])
        except CheckRefused as refused:
            context["problem"] = str(refused)
            status = 400
    template = "tipline/_check_results.html" if _is_htmx(request) else "tipline/check.html"
    # htmx swaps in only a 2xx answer: a refusal is still shown in place.
    response = render(request, template, context, status=200 if _is_htmx(request) else status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return _private(response)


def _tip_limit() -> limits.Limit:
    return limits.Limit(TIP_LIMIT_NAME, settings.HUMAS_TIPS_PER_HOUR, 3600)


def tip_new(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    office = _office(request, office_slug)
    context: dict[str, object] = {"office": office, "nav_path": "lapor-hoaks/"}
    status = 200
    if request.method == "POST" and request.POST.get("dari_cek"):
        # "Laporkan" from a Cek Klaim answer: the form filled with what was checked, not sent.
        form = TipForm(
            initial={
                "teks": request.POST.get("teks", "")[:5000],
                "tautan": request.POST.get("tautan", "")[:2000],
            },
            office=office,
        )
    elif request.method == "POST":
        form = TipForm(request.POST, request.FILES, office=office)
        client = request_client_ip(request) or ""
        if form.is_bot:
            # Said to have worked, so a bot learns nothing; nothing is stored.
            return redirect(_sent_url(office, "LH-00000000"))
        wait = limits.blocked(_tip_limit(), client)
        if wait is not None:
            context["problem"] = limits.wait_message(wait)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                tip = tip_submit(
                    office=office,
                    data=TipInput(
                        text=data["teks"],
                        link=data.get("tautan") or "",
                        region_code=data.get("wilayah") or "",
                        contact_email=data.get("email") or "",
                        language="en" if (get_language() or "").startswith("en") else "id",
                    ),
                    screenshots=data.get("tangkapan") or [],
                )
            except ImageRejected as rejected:
                form.add_error("tangkapan", rejected)
                status = 400
            else:
                limits.hit(_tip_limit(), client)
                return redirect(_sent_url(office, tip.reference))
        else:
            status = 400
    else:
        form = TipForm(office=office)
    context["form"] = form
    response = render(request, "tipline/tip_form.html", context, status=status)
    return _private(response)


def _sent_url(office: Office, reference: str) -> str:
    return f"{office_prefix(office.slug)}lapor-hoaks/terkirim/?nomor={reference}"


def tip_sent(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    office = _office(request, office_slug)
    reference = request.GET.get("nomor", "")[:16]
    if not reference.startswith("LH-"):
        raise Http404("reference")
    tip = Tip.objects.filter(reference=reference).only("reference", "contact_email", "received_at").first()
    context = {
        "office": office,
        "reference": reference,
        # A bot turned away sees the same page; a person sees whether they will be told.
        "will_tell": bool(tip and tip.contact_email),
        # The tipline bot, when there is one: "tell me on Telegram" links the tip to a chat.
        "bot_username": bot.username if (bot := bot_get()) is not None and tip is not None else "",
        "nav_path": "lapor-hoaks/",
        "page_title": _("Laporan terkirim"),
    }
    return _private(render(request, "tipline/tip_sent.html", context))
