"""publishing 0007 gives a publication withdrawn before its withdrawer was kept with it the person
its audit log names, so its page says who withdrew it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from tests.factories import UserFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = [("publishing", "0006_approved_channels")]
AFTER = [("publishing", "0007_returned_and_withdrawn_by")]


@pytest.mark.django_db(transaction=True)
def test_withdrawn_publications_get_their_withdrawer_from_the_audit_log(offices):
    author, first, second = UserFactory(), UserFactory(), UserFactory()
    office = offices["33.20"]
    try:
        old = migrate(BEFORE)
        Post = old.get_model("publishing", "Post")
        Publication = old.get_model("publishing", "Publication")
        post = Post.objects.create(
            office_id=office.pk, author_id=author.pk, text="Ditarik.", status="withdrawn"
        )
        withdrawn = Publication.objects.create(
            post=post, created_by_id=author.pk, withdrawn_at=timezone.now()
        )
        live = Publication.objects.create(post=post, created_by_id=author.pk)
        for actor in (first, second):  # withdrawn twice: the first withdrawer counts
            AuditEvent.objects.create(
                actor=actor,
                action="publication.withdraw",
                object_type="publishing.publication",
                object_id=str(withdrawn.pk),
                changes={"cancelled": 0, "post_status": "withdrawn"},
            )

        new = migrate(AFTER)

        Publication = new.get_model("publishing", "Publication")
        assert Publication.objects.get(pk=withdrawn.pk).withdrawn_by_id == first.pk
        assert Publication.objects.get(pk=withdrawn.pk).withdrawal_reason == ""
        assert Publication.objects.get(pk=live.pk).withdrawn_by_id is None
    finally:
        migrate_to_latest()
