"""A post's campaign and election stage: planning labels shared by name across the hierarchy,
checked by the service, kept out of what is approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.publishing.models import Post
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.selectors import campaign_names
from humas.publishing.services import PublishingError, post_create, post_update

pytestmark = pytest.mark.django_db
JEPARA = "33.20"


def test_a_hashtag_campaign_is_named_without_its_hash_and_tidied(offices, operator):
    post = post_create(
        actor=operator,
        office=offices[JEPARA],
        text="Cek DPT online sekarang.",
        campaign="  #AyoKeTPS   2029 ",
        election_stage="pemutakhiran-data-pemilih",
    )

    post.refresh_from_db()
    assert (post.campaign, post.election_stage) == ("AyoKeTPS 2029", "pemutakhiran-data-pemilih")
    event = AuditEvent.objects.get(action="post.create", object_id=str(post.pk))
    assert event.changes["campaign"] == "AyoKeTPS 2029"


@pytest.mark.parametrize(
    ("campaign", "stage", "message"),
    [
        ("Ayo <script>", "", "hanya boleh berisi huruf, angka, spasi"),
        ("x" * 65, "", "Nama kampanye terlalu panjang"),
        ("", "pilkada-ulang", "Tahapan pemilu tidak dikenal"),
    ],
)
def test_bad_labels_are_refused_and_nothing_is_created(offices, operator, campaign, stage, message):
    with pytest.raises(PublishingError, match=message):
        post_create(
            actor=operator, office=offices[JEPARA], text="Teks.", campaign=campaign, election_stage=stage
        )
    assert not Post.objects.exists()


def test_changing_only_the_labels_keeps_the_approval(offices, approved_post):
    post = approved_post(channels=[portal_channel_ensure(office=offices[JEPARA])])
    editor = post.approved_by

    changed = post_update(
        actor=editor,
        post=post,
        text=post.text,
        link=post.link,
        scheduled_at=post.scheduled_at,
        campaign="Pemilu Damai",
        election_stage="kampanye",
    )

    assert (changed.status, changed.approved_by) == (Post.Status.APPROVED, editor)
    assert (changed.campaign, changed.election_stage) == ("Pemilu Damai", "kampanye")
    event = AuditEvent.objects.filter(action="post.update").latest("pk")
    assert event.changes["fields"] == []
    assert event.changes["campaign"] == {"before": "", "after": "Pemilu Damai"}
    # ... while a change of the text still sends it back to draft.
    again = post_update(actor=editor, post=changed, text="Teks baru.", link=post.link, campaign=None)
    assert (again.status, again.campaign) == (Post.Status.DRAFT, "Pemilu Damai")


def test_the_composer_offers_the_campaigns_of_the_offices_above_and_below_not_a_siblings(
    client, offices, member, operator
):
    post_create(actor=member("00", "operator"), office=offices["00"], text="Nasional.", campaign="AyoKeTPS")
    post_create(actor=member("33", "operator"), office=offices["33"], text="Provinsi.", campaign="AyoKeTPS")
    post_create(actor=operator, office=offices[JEPARA], text="Jepara.", campaign="Jepara Memilih")
    post_create(
        actor=member("33.74", "operator"),
        office=offices["33.74"],
        text="Semarang.",
        campaign="Semarang Hebat",
    )

    assert campaign_names(office=offices[JEPARA]) == ["AyoKeTPS", "Jepara Memilih"]
    assert campaign_names(office=offices["33"]) == ["AyoKeTPS", "Jepara Memilih", "Semarang Hebat"]
    client.force_login(operator)
    page = client.get(
        reverse("publishing:new", kwargs={"office_slug": offices[JEPARA].slug})
    ).content.decode()
    assert '<option value="AyoKeTPS">' in page and "Semarang Hebat" not in page
    assert 'list="campaign-names"' in page


def test_the_composer_saves_the_labels(client, offices, operator):
    client.force_login(operator)
    portal = portal_channel_ensure(office=offices[JEPARA])

    response = client.post(
        reverse("publishing:new", kwargs={"office_slug": offices[JEPARA].slug}),
        {
            "text": "Ayo cek DPT.",
            "channels": [portal.pk],
            "campaign": "#CekDPT",
            "election_stage": "pemutakhiran-data-pemilih",
        },
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.campaign, post.election_stage) == ("CekDPT", "pemutakhiran-data-pemilih")
