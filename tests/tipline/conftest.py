from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from PIL import Image

from humas.factcheck.matching import claim_index_reset
from humas.portal.services import article_approve, article_create, article_submit
from humas.web import pagecache

from ..factcheck.conftest import klarifikasi
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


@pytest.fixture
def jepara(offices):
    return offices["33.20"]


@pytest.fixture
def operator(member):
    return member("33.20", "operator", full_name="Operator Jepara", email="operator.jepara@kpu.test")


@pytest.fixture
def editor(member):
    return member("33.20", "editor", full_name="Editor Jepara")


@pytest.fixture
def publish_clarification(operator, editor, jepara, django_capture_on_commit_callbacks):
    """publish_clarification(**fields) -> a klarifikasi of KPU Kabupaten Jepara, published, with
    the after-commit work run (its claim in the knowledge base, tips answered)."""

    def make(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            article = article_create(actor=operator, office=jepara, data=klarifikasi(**overrides))
            article_submit(actor=operator, article=article)
            return article_approve(actor=editor, article=article)

    return make


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
