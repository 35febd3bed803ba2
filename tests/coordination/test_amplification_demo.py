"""#18 the demo's amplification task (humas/demo/seed.py demo_amplification): KPU RI asks every
office below to share and like a post of @KPU_ID on X; four of Jawa Tengah's offices recorded it
with the URL of their own X account (Demak only liked it), Jepara's waits; made with the
services, once."""

from __future__ import annotations

import pytest

from humas.coordination.amplification_selectors import amplification_board
from humas.coordination.models import AmplificationTarget, AmplificationTask
from humas.demo.seed import (
    DEMO_AMPLIFIED_URL,
    demo_amplification,
    demo_content,
    demo_official_accounts,
    demo_seed,
)
from humas.offices.models import Office

pytestmark = pytest.mark.django_db

Status = AmplificationTarget.Status


def test_the_demo_has_a_national_task_done_by_some_of_jawa_tengahs_offices(offices):
    demo_seed(password="kata-sandi-demo-panjang")
    demo_content()
    demo_official_accounts()

    assert demo_amplification() == 4
    assert demo_amplification() == 0  # once

    task = AmplificationTask.objects.select_related("office", "account__office", "created_by").get()
    assert (task.url, task.platform, task.account.handle, task.account.office.code) == (
        DEMO_AMPLIFIED_URL,
        "x",
        "KPU_ID",
        "00",
    )
    assert (task.ask_share, task.ask_interact, task.created_by.email) == (True, True, "editor.ri@kpu.test")
    done = {
        t.office.code: t for t in task.targets.filter(status=Status.DONE).select_related("office", "channel")
    }
    assert set(done) == {"33.74", "33.19", "33.18", "33.21"}
    assert done["33.74"].result_url.startswith("https://x.com/kpukotasemarang/status/")
    assert done["33.74"].channel.handle == "kpukotasemarang"
    assert (done["33.21"].shared, done["33.21"].interacted, done["33.21"].result_url) == (False, True, "")
    assert task.targets.get(office__code="33.20").status == Status.PENDING

    ri = Office.objects.get(code="00")
    board = amplification_board(actor=task.created_by, office=ri, task=task)
    assert board.counts == {"pending": 548, "sharing": 0, "done": 4, "declined": 0}
