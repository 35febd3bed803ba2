"""Where post images live: the private media storage (``humas.media.storage``), outside MEDIA_ROOT.

MEDIA_ROOT is served to anyone by nginx (``/media/``). A draft's images must not be reachable
before the post is approved and published, so they are kept under ``HUMAS_PRIVATE_MEDIA_ROOT``,
which no web server serves directly; the back office and the platforms get them through views
that check the post (humas/publishing/views/media.py).
"""

from __future__ import annotations

from humas.media.storage import PrivateMediaStorage, private_storage


def post_image_storage() -> PrivateMediaStorage:
    """The storage of PostImage.file (a callable, so migrations do not freeze a path)."""
    return private_storage()
