"""The review workflow that portal articles and Konten posts share: who wrote an item, who
approved it, and the rules every reviewed item follows.

- A second person approves: nobody approves what they wrote, nor what they were the last to
  change (the two-person rule). Every service that changes what goes out calls ``mark_changed``;
  a change after approval sends the item back to review (each app says to which status).
- The statuses an author may edit in are edited with content.draft; any other edit changes what
  is (or is about to be) public, so it needs content.approve.
- A transition is refused, with a translated message naming the current status, when the item's
  status is not one it starts from.

The messages stay with each app (an article and a post are named differently); these functions
take them already translated, or lazy, and raise them.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from humas.offices.policy import PolicyDenied

if TYPE_CHECKING:
    from humas.accounts.models import User

AUTHOR_EDIT_PERMISSION = "content.draft"
APPROVER_EDIT_PERMISSION = "content.approve"


class ReviewedModel(models.Model):
    """Abstract: the author of an item and the person who approved it (the fields both apps had
    to the letter; the tables keep their columns)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("penulis")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("disetujui oleh"),
    )
    # Whoever last changed what goes out (text, images, schedule, ...): they may not approve it.
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("terakhir diubah oleh"),
    )
    last_changed_at = models.DateTimeField(_("terakhir diubah pada"), null=True, blank=True)

    class Meta:
        abstract = True


class WorkflowError(ValueError):
    """A transition that the item's state does not allow; the message is translated and shown."""


class HasStatus(Protocol):
    """An item with a status field that has choices (Django adds ``get_status_display``)."""

    @property
    def status(self) -> str: ...

    def get_status_display(self) -> str: ...


class HasChanger(Protocol):
    """An item that records its author and whoever last changed what goes out (ReviewedModel)."""

    @property
    def author_id(self) -> int | None: ...

    @property
    def last_changed_by_id(self) -> int | None: ...


SECOND_PERSON = _("Anda tidak dapat menyetujui konten yang Anda tulis atau ubah terakhir.")
CHANGED_FIELDS = ("last_changed_by", "last_changed_at")


def may_approve(*, author_id: int | None, actor: User, last_changed_by_id: int | None = None) -> bool:
    """Whether ``actor`` is someone other than the author and the last changer (the policy check
    is separate)."""
    return actor.pk not in (author_id, last_changed_by_id)


def require_not_author(*, author_id: int | None, actor: User, message: str | Promise) -> None:
    """Raise PolicyDenied with ``message`` when ``actor`` wrote the item they would approve."""
    if not may_approve(author_id=author_id, actor=actor):
        raise PolicyDenied(str(message))


def may_approve_item(item: HasChanger, actor: User) -> bool:
    """Whether ``actor`` is a second person for ``item``: neither its author nor its last changer."""
    return may_approve(author_id=item.author_id, actor=actor, last_changed_by_id=item.last_changed_by_id)


def require_second_person(item: HasChanger, actor: User, *, own_message: str | Promise) -> None:
    """Raise PolicyDenied when ``actor`` wrote ``item`` (``own_message``, the app's wording) or
    was the last to change what goes out (SECOND_PERSON). Call it on the locked row, so a change
    committed meanwhile is seen."""
    require_not_author(author_id=item.author_id, actor=actor, message=own_message)
    if item.last_changed_by_id == actor.pk:
        raise PolicyDenied(str(SECOND_PERSON))


def mark_changed(item: ReviewedModel, actor: User) -> tuple[str, ...]:
    """Record ``actor`` as the last to change what goes out of ``item`` (the caller saves).
    Returns the field names to add to ``update_fields``."""
    item.last_changed_by = actor
    item.last_changed_at = timezone.now()
    return CHANGED_FIELDS


def may_author_edit(status: str, author_editable: AbstractSet[str]) -> bool:
    """Whether an item in ``status`` is still the author's to edit (not in review, not public)."""
    return status in author_editable


def edit_permission(status: str, author_editable: AbstractSet[str]) -> str:
    """The permission an edit of an item in ``status`` needs: content.draft while the author may
    edit it, content.approve otherwise (the change goes live)."""
    if may_author_edit(status, author_editable):
        return AUTHOR_EDIT_PERMISSION
    return APPROVER_EDIT_PERMISSION


def require_status(
    item: HasStatus,
    allowed: AbstractSet[str],
    *,
    message: str | Promise,
    error: type[WorkflowError] = WorkflowError,
) -> None:
    """Raise ``error`` when ``item`` is not in one of the ``allowed`` statuses. ``message`` is a
    translated text with ``%(status)s``, filled with the label of the item's status."""
    if item.status not in allowed:
        raise error(str(message) % {"status": item.get_status_display()})
