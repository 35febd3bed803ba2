"""Where post images live: a private storage outside MEDIA_ROOT.

MEDIA_ROOT is served to anyone by nginx (``/media/``). A draft's images must not be reachable
before the post is approved and published, so they are kept under ``HUMAS_PRIVATE_MEDIA_ROOT``,
which no web server serves directly; the back office and the platforms get them through views
that check the post (humas/publishing/views/media.py).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.functional import cached_property


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
        raise ValueError("post images have no public storage URL; use the publishing image views")


_storage = PrivateMediaStorage()


def post_image_storage() -> PrivateMediaStorage:
    """The storage of PostImage.file (a callable, so migrations do not freeze a path)."""
    return _storage
