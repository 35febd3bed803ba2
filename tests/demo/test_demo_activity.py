"""The demo's month of posting by Jawa Tengah's regencies (humas/demo/seed.py demo_activity): on
first start Keaktifan unggahan ranks them with real, differing figures."""

from __future__ import annotations

import pytest

from humas.accounts.models import User
from humas.coordination.compliance import compliance_report, default_period
from humas.demo.seed import demo_activity, demo_calendar, demo_content, demo_official_accounts, demo_seed
from humas.offices.models import Office
from humas.publishing.models import Delivery, Post

pytestmark = pytest.mark.django_db


def test_the_demo_ranks_jawa_tengahs_offices_by_a_month_of_posting(offices):
    demo_seed(password="kata-sandi-demo-panjang")
    demo_content()
    demo_official_accounts()
    demo_calendar()

    made = demo_activity()

    assert made > 500
    assert demo_activity() == 0  # once
    jateng = Office.objects.get(code="33")
    start, end = default_period(office=jateng)
    report = compliance_report(
        actor=User.objects.get(email="editor.jateng@kpu.test"), office=jateng, start=start, end=end
    )
    activity = [row.activity for row in report.rows]
    assert len(activity) == Office.objects.filter(parent=jateng, is_active=True).count()
    assert min(activity) < 80 < max(activity)  # some below the default threshold, some above
    assert all(row.posts > 0 for row in report.rows)
    history = Post.objects.filter(publications__deliveries__marked_by__isnull=False)
    assert history.count() == made
    assert (
        not Delivery.objects.filter(publication__post__in=history).exclude(state=Delivery.State.SENT).exists()
    )


def test_the_demo_names_a_campaign_the_calendar_can_follow(offices):
    from humas.demo.seed import DEMO_CAMPAIGN, demo_cascade

    demo_seed(password="kata-sandi-demo-panjang")
    demo_content()
    demo_official_accounts()
    demo_calendar()
    demo_cascade()

    tagged = Post.objects.filter(campaign=DEMO_CAMPAIGN)
    assert set(tagged.values_list("office__code", flat=True)) >= {"00", "33.20"}
    assert (
        not Post.objects.filter(campaign=DEMO_CAMPAIGN)
        .exclude(election_stage="pemutakhiran-data-pemilih")
        .exists()
    )
