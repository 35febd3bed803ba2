from __future__ import annotations

import pytest
from django.core import mail

from humas.accounts.models import User
from humas.audit.models import AuditEvent
from humas.offices import policy
from humas.offices.models import Membership
from humas.offices.services import (
    ServiceError,
    membership_change_role,
    membership_invite,
    membership_remove,
    office_update_profile,
)

pytestmark = pytest.mark.django_db


def test_admin_invites_new_person_to_office_below(
    offices, member, django_capture_on_commit_callbacks, settings
):
    settings.HUMAS_BACKOFFICE_URL = "https://humas.example"
    admin = member("33", "admin")

    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_invite(
            actor=admin,
            office=offices["33.20"],
            email=" Baru@KPU.test ",
            role="operator",
            full_name="Orang Baru",
        )

    assert membership.user.email == "baru@kpu.test"
    assert membership.user.has_usable_password() is False
    assert membership.office.code == "33.20"
    assert membership.role == "operator"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["baru@kpu.test"]
    assert "KPU Kabupaten Jepara" in mail.outbox[0].subject
    assert "https://humas.example/accounts/reset/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="member.invite")
    assert event.actor == admin
    assert event.office.code == "33.20"
    assert event.changes == {"email": "baru@kpu.test", "role": "operator"}


def test_inviting_existing_user_adds_membership_without_new_account(offices, member):
    admin = member("00", "admin")
    existing = member("73.71", "viewer")

    membership_invite(actor=admin, office=offices["33.20"], email=existing.email, role="editor")

    assert User.objects.filter(email=existing.email).count() == 1
    assert set(existing.memberships.values_list("office__code", "role")) == {
        ("73.71", "viewer"),
        ("33.20", "editor"),
    }


def test_inviting_twice_to_same_office_is_refused(offices, member):
    admin = member("33", "admin")
    membership_invite(actor=admin, office=offices["33.20"], email="dua@kpu.test", role="viewer")

    with pytest.raises(ServiceError):
        membership_invite(actor=admin, office=offices["33.20"], email="DUA@kpu.test", role="editor")

    assert Membership.objects.filter(user__email="dua@kpu.test").count() == 1


@pytest.mark.parametrize(
    ("home", "role", "target"),
    [
        ("33.20", "admin", "33"),  # parent
        ("33.20", "admin", "33.74"),  # sibling
        ("33", "editor", "33.20"),  # not an administrator
        ("33", "operator", "33"),
    ],
)
def test_invite_is_denied_outside_reach_or_without_admin_role(offices, member, home, role, target):
    actor = member(home, role)

    with pytest.raises(policy.PolicyDenied):
        membership_invite(actor=actor, office=offices[target], email="x@kpu.test", role="viewer")

    assert not User.objects.filter(email="x@kpu.test").exists()
    assert not AuditEvent.objects.filter(action="member.invite").exists()


def test_nobody_grants_a_role_above_their_own(offices, member):
    # Administrator of Jepara, but only a viewer at the province: may not make anyone admin there.
    actor = member("33.20", "admin")
    Membership.objects.create(user=actor, office=offices["33"], role="viewer")
    policy.forget(actor)

    with pytest.raises(policy.PolicyDenied):
        membership_invite(actor=actor, office=offices["33"], email="naik@kpu.test", role="admin")
    membership_invite(actor=actor, office=offices["33.20"], email="ok@kpu.test", role="admin")
    assert Membership.objects.get(user__email="ok@kpu.test").role == "admin"


def test_change_role_and_remove_are_audited(offices, member):
    admin = member("33", "admin")
    target = member("33.20", "operator")
    membership = target.memberships.get()

    membership_change_role(actor=admin, membership=membership, role="editor")
    membership.refresh_from_db()
    assert membership.role == "editor"
    membership_remove(actor=admin, membership=membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="member.")
        .order_by("id")
        .values_list("action", "changes")
    )
    assert actions == [
        ("member.change_role", {"role": {"before": "operator", "after": "editor"}}),
        ("member.remove", {"email": target.email, "role": "editor"}),
    ]


def test_cannot_remove_or_demote_yourself(offices, member):
    admin = member("33", "admin")
    own = admin.memberships.get()
    with pytest.raises(ServiceError):
        membership_remove(actor=admin, membership=own)
    with pytest.raises(ServiceError):
        membership_change_role(actor=admin, membership=own, role="viewer")
    assert Membership.objects.get(pk=own.pk).role == "admin"


def test_regency_admin_cannot_touch_sibling_members(offices, member):
    actor = member("33.20", "admin")
    other = member("33.74", "operator").memberships.get()
    with pytest.raises(policy.PolicyDenied):
        membership_remove(actor=actor, membership=other)
    with pytest.raises(policy.PolicyDenied):
        membership_change_role(actor=actor, membership=other, role="viewer")
    assert Membership.objects.get(pk=other.pk).role == "operator"


def test_profile_update_records_only_changed_fields(offices, member):
    admin = member("33.20", "admin")
    office = offices["33.20"]

    office_update_profile(actor=admin, office=office, data={"phone": "0291-591234", "address": ""})

    event = AuditEvent.objects.get(action="office.update")
    assert event.changes == {"phone": {"before": "", "after": "0291-591234"}}
    with pytest.raises(policy.PolicyDenied):
        office_update_profile(actor=member("33.20", "editor"), office=office, data={"phone": "1"})
    office.refresh_from_db()
    assert office.phone == "0291-591234"


def test_invitations_are_limited_per_inviting_person(client, member, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HUMAS_INVITATIONS_PER_HOUR = 2
    client.force_login(member("33", "admin"))

    statuses = [
        client.post(
            "/app/jateng/settings/people/invite/",
            {"email": f"baru{n}@kpu.test", "full_name": "", "office": "kab-jepara", "role": "operator"},
        ).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]
    cache.clear()
