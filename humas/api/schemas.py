from ninja import Schema


class OfficeOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    slug: str
    time_zone: str
    website: str
    email: str
    phone: str
    address: str


class MembershipOut(Schema):
    office_code: str
    office_slug: str
    office_name: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    memberships: list[MembershipOut]


class ErrorOut(Schema):
    detail: str
