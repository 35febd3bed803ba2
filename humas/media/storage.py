"""Where image files live: the public storage (MEDIA_ROOT, served by nginx) or a private one.

MEDIA_ROOT is served to anyone (``/media/``). Images that must not be reachable before someone
approves them are kept under ``HUMAS_PRIVATE_MEDIA_ROOT``, which no web server serves directly;
they reach people and platforms only through views that check who asks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.signals import setting_changed
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)


class PrivateMediaStorage(FileSystemStorage):
    """A FileSystemStorage rooted at ``settings.HUMAS_PRIVATE_MEDIA_ROOT`` (read when first used,
    and again when a test changes the setting), with no public URL."""

    def __init__(self) -> None:
        super().__init__(location=None, base_url=None)
        setting_changed.connect(self._reset_private)

    def _reset_private(self, *, setting: str, **kwargs: object) -> None:
        if setting == "HUMAS_PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.HUMAS_PRIVATE_MEDIA_ROOT))

    def url(self, name: str | None) -> str:
        raise ValueError("private images have no public storage URL; serve them through a view")


_private = PrivateMediaStorage()


def public_storage() -> Storage:
    """The default storage (MEDIA_ROOT): what is stored there is public."""
    return cast(Storage, default_storage)


def private_storage() -> PrivateMediaStorage:
    """The storage under HUMAS_PRIVATE_MEDIA_ROOT, served by no web server."""
    return _private


def storage_for(*, private: bool) -> Storage:
    """The private storage when ``private``, else the public one."""
    return private_storage() if private else public_storage()


def save_new(*, storage: Storage, name: str, content: bytes) -> str:
    """Store ``content`` under ``name`` (or a free name beside it); the name actually used."""
    return storage.save(name, ContentFile(content))


def save_replacing(*, storage: Storage, name: str, content: bytes) -> str:
    """Store ``content`` under ``name``, replacing an earlier file of that name (a re-run)."""
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def read_bytes(*, storage: Storage, name: str) -> bytes:
    """The whole content of a stored file."""
    with storage.open(name, "rb") as fh:
        return bytes(fh.read())


def delete_quietly(*, storage: Storage, names: Iterable[str]) -> None:
    """Delete each file; one that cannot be deleted is logged and the others still go."""
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            logger.warning("could not delete %s", name, exc_info=True)
