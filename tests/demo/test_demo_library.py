"""The demo's media library (humas/demo/seed.py demo_library): cards in the offices' brand and
drawn illustrations in Jepara's and Central Java's libraries, some shared below, and Jepara's
additions to the guideline."""

from __future__ import annotations

import pytest

from humas.demo.seed import DEMO_CARDS, DEMO_ILLUSTRATIONS, demo_library, demo_seed
from humas.guideline.check import text_policy_report
from humas.library.models import Asset
from humas.library.selectors import asset_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_the_demo_library_is_made_once(offices):
    demo_seed(password="demo-pass-123456")
    assert demo_library() == len(DEMO_CARDS) + len(DEMO_ILLUSTRATIONS)
    assert demo_library() == 0

    operator = Asset.objects.filter(office__code="33.20").first().created_by
    seen = asset_list(actor=operator, office=offices["33.20"]).object_list
    origins = sorted({(a.office.code, a.origin) for a in seen})
    assert origins == [("33", "kartu"), ("33", "unggahan"), ("33.20", "kartu"), ("33.20", "unggahan")]
    assert all(a.alt_text for a in seen)
    report = text_policy_report(office=offices["33.20"], texts=[("t", "", "Ayo coblos pak tris!")])
    assert [f.rule for f in report.blocks] == ["partisan.support_candidate"]
