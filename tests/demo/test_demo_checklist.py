"""The demo's verification checklist (humas/demo/seed.py demo_checklist): KPU RI's, used by every
office below, set after the demo's own approvals."""

from __future__ import annotations

import pytest

from humas.demo.seed import DEMO_CHECKLIST, demo_checklist, demo_seed
from humas.offices.models import Office
from humas.publishing.checklist import checklist_for

pytestmark = pytest.mark.django_db


def test_the_demo_gives_kpu_ri_a_checklist_every_office_below_uses(offices):
    demo_seed(password="kata-sandi-demo-panjang")

    assert demo_checklist() is True
    assert demo_checklist() is False  # once

    jepara = checklist_for(office=Office.objects.get(code="33.20"))
    assert (jepara.items, jepara.set_at.code) == (list(DEMO_CHECKLIST), "00")
