"""Writes to the inbox's knowledge base: an office's Administrators and Editors write, change and
archive its saved replies (``inbox.manage_replies``); every change is audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.core.workflow import WorkflowError
from humas.offices import policy
from humas.offices.models import Office

from .models import BODY_MAX, KEYWORDS_MAX, TITLE_MAX, SavedReply
from .placeholders import PlaceholderError, placeholders_check


class InboxError(WorkflowError):
    """A change the inbox refuses; the message is translated and shown."""


def _clean(title: str, keywords: str, body: str) -> tuple[str, str, str]:
    title = " ".join(title.split())
    keywords = ", ".join(word for word in (" ".join(part.split()) for part in keywords.split(",")) if word)
    body = body.strip().replace("\r\n", "\n")
    if not title:
        raise InboxError(_("Judul balasan wajib diisi."))
    if not body:
        raise InboxError(_("Isi balasan wajib diisi."))
    if len(title) > TITLE_MAX or len(keywords) > KEYWORDS_MAX or len(body) > BODY_MAX:
        raise InboxError(
            _("Judul paling panjang %(title)s karakter, kata kunci %(keywords)s, isi %(body)s.")
            % {"title": TITLE_MAX, "keywords": KEYWORDS_MAX, "body": BODY_MAX}
        )
    try:
        placeholders_check(body)
    except PlaceholderError as error:
        raise InboxError(str(error)) from None
    return title, keywords, body


def _taken(office: Office, title: str, *, but: int | None = None) -> bool:
    found = SavedReply.objects.filter(office=office, title__iexact=title, is_active=True)
    return (found if but is None else found.exclude(pk=but)).exists()


def _refuse_taken(title: str) -> InboxError:
    return InboxError(_("Kantor ini sudah punya balasan berjudul “%(title)s”.") % {"title": title})


def saved_reply_create(*, actor: User, office: Office, title: str, keywords: str, body: str) -> SavedReply:
    policy.require(actor, "inbox.manage_replies", office)
    title, keywords, body = _clean(title, keywords, body)
    if _taken(office, title):
        raise _refuse_taken(title)
    try:
        with transaction.atomic():
            reply = SavedReply.objects.create(
                office=office, title=title, keywords=keywords, body=body, created_by=actor, updated_by=actor
            )
            audit_record(
                actor=actor,
                office=office,
                action="inbox.saved_reply_create",
                obj=reply,
                changes={"title": title},
            )
    except IntegrityError:  # the same title saved at the same moment by someone else
        raise _refuse_taken(title) from None
    return reply


def saved_reply_update(*, actor: User, reply: SavedReply, title: str, keywords: str, body: str) -> SavedReply:
    policy.require(actor, "inbox.manage_replies", reply.office)
    title, keywords, body = _clean(title, keywords, body)
    if reply.is_active and _taken(reply.office, title, but=reply.pk):
        raise _refuse_taken(title)
    changes = {
        name: [getattr(reply, name), value]
        for name, value in (("title", title), ("keywords", keywords), ("body", body))
        if getattr(reply, name) != value
    }
    if not changes:
        return reply
    with transaction.atomic():
        reply.title, reply.keywords, reply.body = title, keywords, body
        reply.updated_by, reply.updated_at = actor, timezone.now()
        reply.save(update_fields=["title", "keywords", "body", "updated_by", "updated_at"])
        audit_record(
            actor=actor, office=reply.office, action="inbox.saved_reply_update", obj=reply, changes=changes
        )
    return reply


def saved_reply_archive(*, actor: User, reply: SavedReply) -> SavedReply:
    """Take an answer out of use (kept, and listed as archived: it can be put back)."""
    return _set_active(actor=actor, reply=reply, active=False)


def saved_reply_restore(*, actor: User, reply: SavedReply) -> SavedReply:
    if not reply.is_active and _taken(reply.office, reply.title):
        raise _refuse_taken(reply.title)
    return _set_active(actor=actor, reply=reply, active=True)


def _set_active(*, actor: User, reply: SavedReply, active: bool) -> SavedReply:
    policy.require(actor, "inbox.manage_replies", reply.office)
    if reply.is_active == active:
        return reply
    with transaction.atomic():
        reply.is_active, reply.updated_by, reply.updated_at = active, actor, timezone.now()
        reply.save(update_fields=["is_active", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            office=reply.office,
            action="inbox.saved_reply_restore" if active else "inbox.saved_reply_archive",
            obj=reply,
        )
    return reply
