"""Writes to offices and memberships. Every function checks the policy and records an audit event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from humas.accounts import twofactor
from humas.accounts.models import User, normalize_email
from humas.audit.services import audit_record, diff
from humas.web.origins import backoffice_url

from . import policy
from .models import NATIONAL_CODE, NATIONAL_SLUG, PATH_SEPARATOR, Membership, Office
from .regions import (
    PROVINCE_SLUGS,
    RegionRow,
    office_name,
    parse_regions,
    slugify_region,
    time_zone_for_province,
)
from .signals import membership_removed

if TYPE_CHECKING:
    from collections.abc import Iterable

NATIONAL_NAME = "KPU Republik Indonesia"


class ServiceError(ValueError):
    """A request that cannot be carried out; the message is translated and safe to show."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_codes: list[str] = field(default_factory=list)


def office_path(parent: Office | None, code: str) -> str:
    base = parent.path if parent is not None else PATH_SEPARATOR
    return f"{base}{code}{PATH_SEPARATOR}"


def offices_load(*, text: str, actor: User | None = None) -> LoadResult:
    """Create or update the national office and every region office from a region CSV.

    All-or-nothing: the whole file is validated first (RegionFileError names the line) and
    applied in one transaction. Idempotent: a second run with the same file changes nothing.
    Slugs are set once, at creation, so URLs stay stable when a region is renamed.
    """
    rows = parse_regions(text)
    result = LoadResult()
    with transaction.atomic():
        existing = {office.code: office for office in Office.objects.select_for_update().all()}
        used_slugs = {office.slug for office in existing.values()}
        national = existing.get(NATIONAL_CODE)
        if national is None:
            national = Office.objects.create(
                code=NATIONAL_CODE,
                name=NATIONAL_NAME,
                region_name="Indonesia",
                level=Office.Level.PUSAT,
                parent=None,
                path=office_path(None, NATIONAL_CODE),
                depth=0,
                slug=NATIONAL_SLUG,
                time_zone=Office.TimeZone.WIB,
            )
            existing[NATIONAL_CODE] = national
            used_slugs.add(NATIONAL_SLUG)
            result.created += 1
            result.changed_codes.append(NATIONAL_CODE)
        else:
            result.unchanged += 1
        for row in sorted(rows, key=lambda r: (r.level != "provinsi", r.code)):
            _apply_row(row, existing, used_slugs, result)
        if result.created or result.updated:
            audit_record(
                actor=actor,
                office=national,
                action="offices.load",
                changes={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
    return result


def _apply_row(row: RegionRow, existing: dict[str, Office], used_slugs: set[str], result: LoadResult) -> None:
    province_code = row.code[:2]
    if row.level == "provinsi":
        parent = existing[NATIONAL_CODE]
        level = Office.Level.PROVINSI
    else:
        parent = existing[row.parent_code]
        level = Office.Level.KABKOTA
    wanted: dict[str, Any] = {
        "name": office_name(
            code=row.code, region_name=row.name, level=row.level, province_code=province_code
        ),
        "region_name": row.name,
        "level": level,
        "parent_id": parent.pk,
        "path": office_path(parent, row.code),
        "depth": parent.depth + 1,
        "time_zone": time_zone_for_province(province_code),
    }
    office = existing.get(row.code)
    if office is None:
        slug = _unique_slug(row, existing, used_slugs)
        office = Office.objects.create(code=row.code, slug=slug, **wanted)
        existing[row.code] = office
        used_slugs.add(slug)
        result.created += 1
        result.changed_codes.append(row.code)
        return
    changed = [name for name, value in wanted.items() if getattr(office, name) != value]
    if not changed:
        result.unchanged += 1
        return
    for name in changed:
        setattr(office, name, wanted[name])
    office.save(update_fields=[*changed, "updated_at"])
    result.updated += 1
    result.changed_codes.append(row.code)


def _unique_slug(row: RegionRow, existing: dict[str, Office], used: set[str]) -> str:
    if row.level == "provinsi":
        candidate = PROVINCE_SLUGS.get(row.code) or slugify_region(row.name)
    else:
        candidate = slugify_region(row.name)
    if candidate in used:
        province_slug = existing[row.parent_code].slug if row.parent_code else row.code
        candidate = f"{candidate}-{province_slug}"
    if candidate in used:
        candidate = f"{candidate}-{row.code.replace('.', '')}"
    return candidate


PROFILE_FIELDS = ("address", "phone", "email", "website")


def office_update_profile(*, actor: User, office: Office, data: dict[str, str]) -> Office:
    """Update the public contact fields. Needs office.update at ``office``."""
    policy.require(actor, "office.update", office)
    before = {name: getattr(office, name) for name in PROFILE_FIELDS}
    after = {name: data.get(name, before[name]) for name in PROFILE_FIELDS}
    changes = diff(before, after)
    if not changes:
        return office
    with transaction.atomic():
        for name, value in after.items():
            setattr(office, name, value)
        office.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
        audit_record(actor=actor, office=office, action="office.update", obj=office, changes=changes)
    return office


def _check_grant(actor: User, office: Office, role: str) -> None:
    policy.require(actor, "member.manage", office)
    if role not in policy.grantable_roles(actor, office):
        raise policy.PolicyDenied(_("Anda tidak dapat memberikan peran yang lebih tinggi dari peran Anda."))


def membership_invite(
    *,
    actor: User,
    office: Office,
    email: str,
    role: str,
    full_name: str = "",
) -> Membership:
    """Give ``email`` a role at ``office``, creating the account if needed and e-mailing an invitation.

    The actor needs member.manage at ``office`` and may not grant a role above their own there.
    Whether the person already had an account is not told to the actor (not in the answer, not
    in the audit event the office's people can read): both get the same kind of e-mail, with a
    link on the back office's configured origin.
    """
    if role not in policy.ROLE_RANK:
        raise ServiceError(_("Peran tidak dikenal."))
    _check_grant(actor, office, role)
    email = normalize_email(email)
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(email=email, full_name=full_name.strip())
        if Membership.objects.filter(user=user, office=office).exists():
            raise ServiceError(
                _("%(email)s sudah menjadi anggota %(office)s.") % {"email": email, "office": office}
            )
        membership = Membership.objects.create(user=user, office=office, role=role, invited_by=actor)
        audit_record(
            actor=actor,
            office=office,
            action="member.invite",
            obj=membership,
            changes={"email": email, "role": role},
        )
        transaction.on_commit(
            lambda: _send_invitation(
                user=user,
                office=office,
                role=role,
                actor=actor,
                new_account=created,
            )
        )
    return membership


def _send_invitation(*, user: User, office: Office, role: str, actor: User, new_account: bool) -> None:
    # One e-mail with one link either way; only the invited person learns which link it is.
    sets_password = new_account or not user.has_usable_password()
    if sets_password:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = backoffice_url(reverse("accounts:password_reset_confirm", args=[uid, token]))
    else:
        link = backoffice_url(reverse("accounts:login"))
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "office": office,
            "role": Membership.Role(role).label,
            "actor": actor,
            "link": link,
            "sets_password": sets_password,
        }
        subject = _("Undangan Humas: %(office)s") % {"office": office.name}
        body = render_to_string("offices/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Change a member's role; the actor may neither raise anyone above themselves nor change their own role."""
    if role not in policy.ROLE_RANK:
        raise ServiceError(_("Peran tidak dikenal."))
    office = membership.office
    _check_grant(actor, office, role)
    _check_can_touch(actor, membership)
    if membership.role == role:
        return membership
    with transaction.atomic():
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor,
            office=office,
            action="member.change_role",
            obj=membership,
            changes={"role": {"before": before, "after": role}},
        )
    policy.forget(membership.user)
    return membership


def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member from an office. The actor needs member.manage there and may not remove themselves."""
    office = membership.office
    policy.require(actor, "member.manage", office)
    _check_can_touch(actor, membership)
    with transaction.atomic():
        audit_record(
            actor=actor,
            office=office,
            action="member.remove",
            obj=membership,
            changes={"email": membership.user.email, "role": membership.role},
        )
        membership.delete()
        membership_removed.send(sender=Membership, user=membership.user, office=office)
    policy.forget(membership.user)


def membership_two_factor_reset(*, actor: User, membership: Membership) -> int:
    """Delete every second-factor device of the membership's person (a lost phone, used-up
    recovery codes); they enrol again at their next sign-in. Returns how many devices were removed.

    The actor needs member.manage at the membership's office and may not touch themselves or a
    higher role, as for a role change; and because the devices are the person's, not the
    membership's, the same holds for every other membership of the person: an Administrator of a
    regency cannot reach a national Administrator through a Viewer membership in that regency.
    """
    office = membership.office
    person = membership.user
    policy.require(actor, "member.manage", office)
    _check_can_touch(actor, membership)
    if person.is_superuser and not actor.is_superuser:
        raise policy.PolicyDenied(_("Anda tidak dapat mengubah anggota dengan peran lebih tinggi dari Anda."))
    for other in Membership.objects.filter(user=person).exclude(pk=membership.pk).select_related("office"):
        policy.require(actor, "member.manage", other.office)
        _check_can_touch(actor, other)
    with transaction.atomic():
        removed = twofactor.devices_delete(user=person)
        audit_record(
            actor=actor,
            office=office,
            action="member.two_factor_reset",
            obj=membership,
            changes={"email": person.email, "devices": removed},
        )
        transaction.on_commit(lambda: _send_two_factor_reset(user=person, actor=actor))
    return removed


def _send_two_factor_reset(*, user: User, actor: User) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "actor": actor, "link": backoffice_url(reverse("accounts:login"))}
        subject = _("Humas: verifikasi dua langkah Anda diatur ulang")
        body = render_to_string("offices/email/two_factor_reset.txt", context)
    send_mail(subject, body, None, [user.email])


def _check_can_touch(actor: User, membership: Membership) -> None:
    if membership.user_id == actor.pk:
        raise ServiceError(_("Anda tidak dapat mengubah atau menghapus keanggotaan Anda sendiri."))
    if policy.ROLE_RANK[membership.role] > policy.rank_at(actor, membership.office):
        raise policy.PolicyDenied(_("Anda tidak dapat mengubah anggota dengan peran lebih tinggi dari Anda."))


def memberships_for(users: Iterable[User]) -> dict[int, list[Membership]]:
    grouped: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(user__in=list(users)).select_related("office"):
        grouped.setdefault(membership.user_id, []).append(membership)
    return grouped
