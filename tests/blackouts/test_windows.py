"""Blackout windows: who declares them, what they cover, and the rule publishing asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.blackouts.models import Blackout
from humas.blackouts.selectors import (
    ancestor_paths,
    blackout_list_for_office,
    blocking_among,
    blocking_exists,
    blocking_window,
    windows_ahead,
)
from humas.blackouts.services import (
    BlackoutError,
    blackout_cancel,
    blackout_create,
    blackout_refusal,
    blackout_update,
)
from humas.offices.policy import PolicyDenied

pytestmark = pytest.mark.django_db

JEPARA, KUDUS, JATENG, BALI = "33.20", "33.19", "33", "51"


def window(actor, office, *, start=-1, hours=48, **fields):
    now = timezone.now()
    values = {"reason": Blackout.Reason.MASA_TENANG} | fields
    return blackout_create(
        actor=actor,
        office=office,
        starts_at=now + timedelta(hours=start),
        ends_at=now + timedelta(hours=start + hours),
        **values,
    )


@pytest.fixture
def national_admin(member):
    return member("00", "admin", email="admin.ri@kpu.test")


def test_ancestor_paths():
    assert ancestor_paths("/00/33/33.20/") == ["/00/", "/00/33/"]
    assert ancestor_paths("/00/") == []


def test_a_national_window_covers_every_office_below(offices, national_admin):
    masa_tenang = window(national_admin, offices["00"])
    now = timezone.now()
    for code in ("00", JATENG, JEPARA, BALI):
        assert blocking_window(office=offices[code], at=now) == masa_tenang
    assert blocking_window(office=offices[JEPARA], at=now + timedelta(days=3)) is None
    assert blocking_window(office=offices[JEPARA], at=now - timedelta(hours=2)) is None
    event = AuditEvent.objects.get(action="blackout.create")
    assert event.changes["reason"] == "masa_tenang" and event.changes["includes_below"] is True


def test_a_provincial_window_covers_its_regencies_only(offices, member):
    jateng_admin = member(JATENG, "admin", email="admin.jateng@kpu.test")
    berkabung = window(jateng_admin, offices[JATENG], reason=Blackout.Reason.BERKABUNG)
    now = timezone.now()
    assert blocking_window(office=offices[JEPARA], at=now) == berkabung
    assert blocking_window(office=offices[BALI], at=now) is None
    assert blocking_window(office=offices["00"], at=now) is None


def test_a_window_for_the_office_alone_leaves_the_offices_below(offices, member):
    jateng_admin = member(JATENG, "admin", email="admin.jateng@kpu.test")
    own = window(jateng_admin, offices[JATENG], includes_below=False)
    assert blocking_window(office=offices[JATENG], at=timezone.now()) == own
    assert blocking_window(office=offices[JEPARA], at=timezone.now()) is None


def test_clarifications_pass_a_window_that_exempts_them(offices, national_admin):
    window(national_admin, offices["00"])
    now = timezone.now()
    assert blocking_window(office=offices[JEPARA], at=now, clarification=True) is None
    strict = window(national_admin, offices["00"], start=60, clarifications_exempt=False)
    assert blocking_window(office=offices[JEPARA], at=now + timedelta(hours=61), clarification=True) == strict


def test_a_cancelled_window_blocks_nothing(offices, national_admin):
    masa_tenang = window(national_admin, offices["00"])
    blackout_cancel(actor=national_admin, blackout=masa_tenang)
    assert blocking_window(office=offices[JEPARA], at=timezone.now()) is None
    assert AuditEvent.objects.filter(action="blackout.cancel").count() == 1
    page = blackout_list_for_office(actor=national_admin, office=offices[JEPARA])
    assert page.current == [] and page.past == [masa_tenang]


def test_only_an_administrator_declares_and_only_where_they_reach(offices, member):
    editor = member(JEPARA, "editor", email="editor.jepara@kpu.test")
    jepara_admin = member(JEPARA, "admin", email="admin.jepara@kpu.test")
    with pytest.raises(PolicyDenied):
        window(editor, offices[JEPARA])
    with pytest.raises(PolicyDenied):
        window(jepara_admin, offices[KUDUS])  # a sibling
    with pytest.raises(PolicyDenied):
        window(jepara_admin, offices[JATENG])  # above
    assert not Blackout.objects.exists()
    own = window(jepara_admin, offices[JEPARA], includes_below=True)
    assert own.includes_below is False  # a regency has nothing below it


@pytest.mark.parametrize(
    ("start", "hours", "fields", "message"),
    [
        (5, -2, {}, "Waktu selesai harus sesudah waktu mulai."),
        (-10, 2, {}, "Waktu selesai sudah lewat"),
        (1, 24 * 40, {}, "paling lama 31 hari"),
        (1, 2, {"reason": Blackout.Reason.LAINNYA}, "Tuliskan keterangan"),
        (1, 2, {"reason": "libur"}, "Pilih alasan"),
    ],
)
def test_bad_windows_are_refused_with_a_reason(offices, national_admin, start, hours, fields, message):
    with pytest.raises(BlackoutError, match=message):
        window(national_admin, offices["00"], start=start, hours=hours, **fields)
    assert not Blackout.objects.exists()


def test_a_window_overlapping_another_of_the_same_office_is_refused(offices, national_admin):
    first = window(national_admin, offices["00"], start=1, hours=24)
    with pytest.raises(BlackoutError, match="bertumpang tindih"):
        window(national_admin, offices["00"], start=10, hours=24)
    # Right after it is fine, and changing the first one does not clash with itself.
    window(national_admin, offices["00"], start=25, hours=5)
    now = timezone.now()
    changed = blackout_update(
        actor=national_admin,
        blackout=first,
        starts_at=first.starts_at,
        ends_at=now + timedelta(hours=20),
        reason=Blackout.Reason.MASA_TENANG,
        note="Keputusan KPU Nomor 1 Tahun 2029",
    )
    assert changed.note.startswith("Keputusan")
    event = AuditEvent.objects.get(action="blackout.update")
    assert set(event.changes) == {"ends_at", "note"}


def test_the_refusal_names_the_window_and_its_end_in_the_office_zone(offices, national_admin):
    window(national_admin, offices["00"], start=-1, hours=10)
    papua = offices["94"] if "94" in offices else offices["91"]
    message = blackout_refusal(office=papua, at=timezone.now())
    assert message is not None
    assert "Masa tenang ditetapkan" in message and "WIT" in message
    own = blackout_refusal(office=offices["00"], at=timezone.now())
    assert own is not None and "berlaku di kantor ini" in own and "WIB" in own


def test_the_engines_question_in_one_query_agrees_with_the_rule(offices, national_admin, member):
    """``blocking_exists`` (asked for many rows inside the delivery engine's claim) and
    ``blocking_among`` (the windows read once for a batch of offices) answer as
    ``blocking_window`` does for one office, for every office, instant and kind of post."""
    from humas.publishing.models import Post

    jateng_admin = member(JATENG, "admin")
    window(national_admin, offices["00"])  # everything below, clarifications pass
    window(jateng_admin, offices[JATENG], start=60, includes_below=False)  # the province alone
    window(jateng_admin, offices[JATENG], start=120, clarifications_exempt=False)  # strict, below too
    blackout_cancel(actor=national_admin, blackout=window(national_admin, offices["00"], start=200))
    author = member(JATENG, "operator")
    posts = [
        Post.objects.create(office=offices[code], author=author, text="Teks.", is_clarification=clarification)
        for code in ("00", JATENG, JEPARA, KUDUS, BALI)
        for clarification in (False, True)
    ]
    now = timezone.now()
    for hours in (0, 50, 61, 121, 201, 500):
        at = now + timedelta(hours=hours)
        answered = dict(
            Post.objects.filter(pk__in=[p.pk for p in posts])
            .annotate(blocked=blocking_exists(office="office", clarification="is_clarification", at=at))
            .values_list("pk", "blocked")
        )
        for post in posts:
            expected = blocking_window(office=post.office, at=at, clarification=post.is_clarification)
            assert answered[post.pk] is (expected is not None), (
                hours,
                post.office.code,
                post.is_clarification,
            )
            among = blocking_among(
                windows_ahead(now=now), office=post.office, at=at, clarification=post.is_clarification
            )
            assert among == expected, (hours, post.office.code, post.is_clarification)
    # The instants above reach every kind of answer.
    assert {
        blocking_window(office=offices[JEPARA], at=now + timedelta(hours=h)) is None for h in (0, 500)
    } == {
        True,
        False,
    }
