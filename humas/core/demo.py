"""Demo people for a trial install: a few offices at each level, one person per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices.models import Membership, Office

# (email, full name, [(office code, role)], what to try with this login)
DEMO_PEOPLE: list[tuple[str, str, list[tuple[str, str]], str]] = [
    ("admin@kpu.test", "Admin KPU RI", [("00", "admin")], "Administrator nasional: menjangkau semua kantor"),
    (
        "editor.jateng@kpu.test",
        "Editor Jawa Tengah",
        [("33", "editor")],
        "Editor provinsi: menjangkau 35 kab/kota",
    ),
    ("operator.jepara@kpu.test", "Operator Jepara", [("33.20", "operator")], "Operator KPU Kabupaten Jepara"),
    (
        "admin.semarang@kpu.test",
        "Admin Semarang & Makassar",
        [("33.74", "admin"), ("73.71", "viewer")],
        "Dua keanggotaan: coba ganti kantor",
    ),
    ("analis.aceh@kpu.test", "Analis KIP Aceh", [("11", "analyst")], "Analis KIP Aceh"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    note: str


def demo_seed(*, password: str | None = None) -> list[DemoLogin]:
    """Create (or reset) the demo people. Needs the offices loaded. Re-running resets their passwords."""
    logins: list[DemoLogin] = []
    with transaction.atomic():
        offices = {
            o.code: o for o in Office.objects.filter(code__in={c for p in DEMO_PEOPLE for c, _ in p[2]})
        }
        for email, name, grants, note in DEMO_PEOPLE:
            secret = password or secrets.token_urlsafe(9)
            user = User.objects.filter(email=email).first() or User(email=email)
            user.full_name = name
            user.is_active = True
            user.is_staff = user.is_superuser = grants == [("00", "admin")]
            user.set_password(secret)
            user.save()
            for code, role in grants:
                Membership.objects.update_or_create(user=user, office=offices[code], defaults={"role": role})
            logins.append(DemoLogin(email=email, password=secret, note=note))
        audit_record(actor=None, office=offices["00"], action="demo.seed", changes={"people": len(logins)})
    return logins
