"""A world for the entity index and data subject requests: an old commune merged into a new ward, an unrelated
ward, documents holding fictitious personal data (rows of ``personal_data`` as detection leaves them), one of
them độ mật, one value restricted by a data subject; users of the new ward and of the unrelated ward."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest

from sohoa.db.models import FileUnit, PersonalDatum, UnitLink
from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.services.identity import accounts
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests._profiles import profile_database

from . import _helpers as helpers

__all__ = ["CCCD", "NAME", "PARCEL", "PersonalWorld", "build_personal_world"]

NAME = "Nguyễn Văn Thuận"  # fictitious (Dữ liệu giả lập)
CCCD = "001085012345"
PARCEL = "thửa đất số 123, tờ bản đồ số 45"


@dataclass
class PersonalWorld:
    units: dict[str, int]
    docs: dict[str, int]
    data: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)

    def principal(self, username: str, role: str, unit: str | None = None) -> Principal:
        return Principal(self.users.get(username, 9000), username, role, self.units[unit] if unit else None)


def _document(ctx: AppContext, unit_id: int, file_code: str, number: str, subject: str, *,
              access: str = "internal", secrecy: str | None = None) -> int:
    """A document as ingest leaves it (a master, one page image), reviewed, in a hồ sơ of its own."""
    with ctx.db.session() as session:
        file = FileUnit(file_code=file_code, file_notation=file_code[-5:], title=f"Hồ sơ {file_code}",
                        unit_id=unit_id, sheet_total=1, page_total=1, access_level=access)
        session.add(file)
        session.flush()
        file_id = file.id
    return helpers.document(ctx, file_id, pages=1, state="accepted", type_name="Quyết định", code_number=number,
                            code_notation="QĐ-UBND", issued_date=date(2019, 3, 12), subject=subject,
                            access_level=access, secrecy=secrecy, organ_name="Ủy ban nhân dân xã Thử")


def _datum(ctx: AppContext, doc_id: int, kind: PersonalKind, value: str, *, restricted: bool = False) -> int:
    with ctx.db.session() as session:
        row = PersonalDatum(document_id=doc_id, page_no=1, kind=kind.value, value=value,
                            normalized=normalize_value(kind, value), boxes=[[1, 100, 200, 400, 230]],
                            source="detected", status="masked", restricted=restricted, confidence=0.97)
        session.add(row)
        session.flush()
        return row.id


def build_personal_world(ctx: AppContext, *, role_users: bool = True) -> PersonalWorld:
    """The world; users: 'ward_officer' (the new ward), 'other_officer' (an unrelated ward), and one per role
    (``role_users``; False when the ``staff`` fixture made them)."""
    units = {"old": accounts.create_unit(ctx, "PD.CU.001", "Xã Thử Cũ", "xã", "test"),
             "ward": accounts.create_unit(ctx, "PD.MOI.001", "Phường Thử Mới", "phường", "test"),
             "other": accounts.create_unit(ctx, "PD.MOI.002", "Phường Khác", "phường", "test")}
    with ctx.db.session() as session:
        session.add(UnitLink(from_unit_id=units["old"], to_unit_id=units["ward"], kind="merged_into", share="full",
                             effective_date=date(2025, 7, 1), legal_act="NQ thử"))
    docs = {
        "land": _document(ctx, units["old"], "PD.CU.001.2019.01", "12", "Về việc giao đất ở cho hộ gia đình"),
        "allowance": _document(ctx, units["old"], "PD.CU.001.2019.02", "31", "Về việc trợ cấp xã hội"),
        "other": _document(ctx, units["other"], "PD.MOI.002.2019.01", "7", "Về việc cấp giấy phép xây dựng"),
        "secret": _document(ctx, units["old"], "PD.CU.001.2019.03", "2", "Về việc bảo vệ", secrecy="Mật"),
    }
    world = PersonalWorld(units, docs)
    world.data = {
        "land_name": _datum(ctx, docs["land"], PersonalKind.NAME, NAME),
        "land_cccd": _datum(ctx, docs["land"], PersonalKind.CCCD, "001 085 012 345"),
        "land_parcel": _datum(ctx, docs["land"], PersonalKind.PARCEL, PARCEL),
        "land_dob": _datum(ctx, docs["land"], PersonalKind.DOB, "ngày 05 tháng 3 năm 1985"),
        "allowance_name": _datum(ctx, docs["allowance"], PersonalKind.NAME, "NGUYỄN VĂN THUẬN"),
        "allowance_phone": _datum(ctx, docs["allowance"], PersonalKind.PHONE, "0912 345 678", restricted=True),
        "other_name": _datum(ctx, docs["other"], PersonalKind.NAME, "Nguyễn Văn Thuần"),
        "other_address": _datum(ctx, docs["other"], PersonalKind.ADDRESS, "số 5 ngõ 12 phố Thuận Hòa"),
        "secret_name": _datum(ctx, docs["secret"], PersonalKind.NAME, NAME),
    }
    if role_users:
        helpers.users(ctx)
    world.users = {name: accounts.create_user(ctx, name, helpers.PASSWORD, "unit_officer", unit_id=units[unit]).id
                   for name, unit in (("ward_officer", "ward"), ("other_officer", "other"))}
    return world


def personal_context(request: pytest.FixtureRequest, settings: Settings) -> Iterator[AppContext]:
    """A context on the fixture's profile (tests/_profiles.py): SQLite, or PostgreSQL (the LIKE matches, the scope
    clause) with the objects in S3 for ``cluster``."""
    url = profile_database(request)  # read again below: the cluster profile's storage variables are set now
    context = open_context(Settings(**{**settings.model_dump(exclude_unset=True), "database_url": url}))
    yield context
    context.close()
