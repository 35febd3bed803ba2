"""The whole permission matrix: role x relation (own, child, sibling, parent, other province) x action."""

from __future__ import annotations

import itertools

import pytest

from humas.offices import policy
from humas.offices.models import Office

pytestmark = pytest.mark.django_db

ALL = {"admin", "editor", "operator", "analyst", "viewer"}
# Written out here, independently of policy.ACTIONS, as the product's specification.
READ_ACTIONS = {
    "office.view": ALL,
    "content.view": ALL,
    "report.view": ALL,
    "media.view": ALL,
    "monitoring.view": {"admin", "editor", "operator", "analyst"},
    "factcheck.view": {"admin", "editor", "operator", "analyst"},
    "member.view": {"admin", "editor"},
    "audit.view": {"admin", "editor"},
}
WRITE_ACTIONS = {
    "office.update": {"admin"},
    "member.manage": {"admin"},
    "channel.manage": {"admin"},
    "content.draft": {"admin", "editor", "operator"},
    "content.approve": {"admin", "editor"},
    "cascade.send": {"admin", "editor"},
    "cascade.respond": {"admin", "editor", "operator"},
    "cascade.auto_publish": {"admin"},
    "compliance.manage": {"admin"},
    "content.policy_override": {"admin"},
    "checklist.manage": {"admin"},
    "guideline.manage": {"admin"},
    "media.upload": {"admin", "editor", "operator"},
    "media.manage": {"admin", "editor"},
    "card.brand": {"admin"},
    "monitoring.ingest": {"admin", "editor", "operator"},
    "monitoring.manage_sources": {"admin", "editor"},
    "monitoring.triage": {"admin", "editor", "operator"},
    "factcheck.manage": {"admin", "editor"},
    "inbox.reply": {"admin", "editor", "operator"},
    "inbox.manage_replies": {"admin", "editor"},
}

# membership office -> {relation: target office code}
RELATIONS = {
    "33": {"own": "33", "child": "33.20", "sibling": "35", "parent": "00", "other_province": "35.07"},
    "33.20": {
        "own": "33.20",
        "child": "33.20.01",
        "sibling": "33.74",
        "parent": "33",
        "other_province": "35.07",
    },
    "00": {"own": "00", "child": "33", "grandchild": "33.20"},
}
REACHES = {"own", "child", "grandchild"}


@pytest.fixture
def tree(offices):
    # A sub-district body below a regency: reach must work at any depth.
    jepara = offices["33.20"]
    ppk = Office.objects.create(
        code="33.20.01",
        name="PPK Kedung",
        region_name="Kedung",
        level=Office.Level.PPK,
        parent=jepara,
        path=f"{jepara.path}33.20.01/",
        depth=jepara.depth + 1,
        slug="ppk-kedung-jepara",
        time_zone=jepara.time_zone,
    )
    return {**offices, "33.20.01": ppk}


CASES = [
    (home, role, relation, action, allowed_roles)
    for home, relations in RELATIONS.items()
    for role in sorted(ALL)
    for relation in relations
    for action, allowed_roles in itertools.chain(READ_ACTIONS.items(), WRITE_ACTIONS.items())
]


@pytest.mark.parametrize(("home", "role", "relation", "action", "allowed_roles"), CASES)
def test_permission_matrix(tree, member, home, role, relation, action, allowed_roles):
    user = member(home, role)
    target = tree[RELATIONS[home][relation]]

    expected = relation in REACHES and role in allowed_roles

    assert policy.can(user, action, target) is expected
    if expected:
        policy.require(user, action, target)
    else:
        with pytest.raises(policy.PolicyDenied):
            policy.require(user, action, target)


@pytest.mark.parametrize(
    ("home", "role"), [("33", "viewer"), ("33.20", "admin"), ("00", "analyst"), ("11", "editor")]
)
def test_visible_offices_agrees_with_can_for_every_office(tree, member, home, role):
    user = member(home, role)
    visible = set(policy.visible_offices(user).values_list("code", flat=True))
    assert visible == {code for code, office in tree.items() if policy.can(user, "office.view", office)}
    assert visible == {code for code in tree if code == home or code.startswith(home + ".") or home == "00"}


def test_two_memberships_reach_both_subtrees_and_nothing_else(tree, member, offices):
    user = member("33.74", "admin")
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, office=offices["73.71"], role="viewer")
    policy.forget(user)

    assert policy.can(user, "member.manage", offices["33.74"])
    assert policy.can(user, "office.view", offices["73.71"])
    assert not policy.can(user, "member.manage", offices["73.71"])
    assert not policy.can(user, "office.view", offices["73.72"])
    assert set(policy.visible_offices(user).values_list("code", flat=True)) == {"33.74", "73.71"}


def test_anonymous_and_inactive_users_can_do_nothing(tree, member):
    from django.contrib.auth.models import AnonymousUser

    user = member("00", "admin")
    user.is_active = False
    assert not policy.can(AnonymousUser(), "office.view", tree["33"])
    assert not policy.can(user, "office.view", tree["33"])
    assert policy.visible_offices(AnonymousUser()).count() == 0


def test_superuser_reaches_everything(tree):
    from tests.factories import UserFactory

    root = UserFactory(is_superuser=True, is_staff=True)
    assert policy.can(root, "member.manage", tree["33.20.01"])
    assert policy.visible_offices(root).count() == len(tree)


def test_unknown_action_is_a_programming_error(tree, member):
    with pytest.raises(KeyError):
        policy.can(member("33", "admin"), "office.destroy", tree["33"])


@pytest.mark.parametrize(
    ("home", "role", "target", "grantable"),
    [
        ("33", "admin", "33.20", ["admin", "editor", "operator", "analyst", "viewer"]),
        ("33", "editor", "33.20", []),
        ("33.20", "admin", "33", []),
        ("33.20", "admin", "33.74", []),
    ],
)
def test_grantable_roles_never_exceed_own(tree, member, home, role, target, grantable):
    assert policy.grantable_roles(member(home, role), tree[target]) == grantable
