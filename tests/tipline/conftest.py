from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from PIL import Image

from humas.factcheck.matching import claim_index_reset
from humas.web import pagecache

# The people and the published clarification of KPU Kabupaten Jepara, as the knowledge base's tests make them.
from ..factcheck.conftest import editor, jepara, operator, publish_clarification  # noqa: F401
from ..monitoring.test_pipeline import background_claims

HOAX = (
    "Surat suara di Jepara sudah dicoblos sebelum hari pemungutan, fotonya beredar dari gudang logistik KPU"
)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, offices):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"
    settings.HUMAS_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    cache.clear()  # rate-limit counters
    claim_index_reset()
    background_claims(offices["00"], n=300)
    yield
    pagecache.clear()
    claim_index_reset()


def png(width=400, height=300, *, exif=True) -> io.BytesIO:
    """A PNG screenshot (with an EXIF block naming a camera when ``exif``)."""
    image = Image.new("RGB", (width, height), (200, 30, 40))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "KameraRahasia"  # Make
        image.save(buffer, format="PNG", exif=data)
    else:
        image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "layar.png"
    return buffer
