"""#18 the demo's national cascade (humas/demo/seed.py demo_cascade): KPU RI's post to every office
below, half of Jawa Tengah's regencies adopted and published, Kota Semarang declined with a
reason, Jepara's waiting; made with the services, once."""

from __future__ import annotations

import pytest

from humas.coordination.cascade_selectors import cascade_board
from humas.coordination.models import Cascade, CascadeTarget
from humas.demo.seed import (
    DEMO_CASCADE_ADOPTERS,
    DEMO_CASCADE_DECLINE,
    demo_calendar,
    demo_cascade,
    demo_content,
    demo_official_accounts,
    demo_seed,
)
from humas.offices.models import Office
from humas.publishing.models import Post

pytestmark = pytest.mark.django_db

Status = CascadeTarget.Status


def test_the_demo_has_a_national_cascade_half_adopted_in_jawa_tengah(
    offices, django_capture_on_commit_callbacks
):
    demo_seed(password="kata-sandi-demo-panjang")
    demo_content()
    demo_official_accounts()
    demo_calendar()

    with django_capture_on_commit_callbacks(execute=True):
        assert demo_cascade() == 552
    assert demo_cascade() == 0  # once

    cascade = Cascade.objects.select_related("office", "source_post").get()
    assert cascade.office.code == "00" and cascade.source_post.approved_by.email == "editor.ri@kpu.test"
    jateng = cascade.targets.filter(office__code__startswith="33.")
    assert jateng.filter(status=Status.ADOPTED).count() == DEMO_CASCADE_ADOPTERS == 18
    semarang = jateng.get(office__code="33.74")
    assert (semarang.status, semarang.decline_reason, semarang.decided_by.email) == (
        Status.DECLINED,
        DEMO_CASCADE_DECLINE,
        "admin.semarang@kpu.test",
    )
    assert jateng.get(office__code="33.20").status == Status.PENDING
    adopted = Post.objects.filter(cascade_targets__cascade=cascade)
    assert adopted.count() == 18 and set(adopted.values_list("status", flat=True)) == {Post.Status.PUBLISHED}
    assert all(
        "Informasi lengkap di http://testserver/" in text for text in adopted.values_list("text", flat=True)
    )
    board = cascade_board(actor=cascade.created_by, office=Office.objects.get(code="00"), cascade=cascade)
    assert board.counts == {"pending": 533, "adopted": 18, "adapted": 0, "declined": 1, "published": 18}
