"""Units and their succession: import the Hanoi 2025 reorganisation, resolve predecessors/successors."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from sohoa.db.models import Unit, UnitLink
from sohoa.domain.errors import NotFound
from sohoa.domain.text import canonical_text, fold
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["ImportSummary", "find_units", "import_hanoi_2025", "related_unit_ids"]

REORG_DATE = date(2025, 7, 1)
OLD_END = date(2025, 6, 30)
LEGAL_ACT = "NQ 1656/NQ-UBTVQH15"
_DISTRICT_TYPES = {"Quận": "quận", "Huyện": "huyện", "Thị xã": "thị xã"}


@dataclass(frozen=True)
class ImportSummary:
    """What an import created (zero on a second run)."""

    new_units: int
    old_units: int
    districts: int
    links: int


def _unit_type(name: str) -> str:
    for prefix, kind in (("Phường", "phường"), ("Xã", "xã"), ("Thị trấn", "thị trấn"), *_DISTRICT_TYPES.items()):
        if name.startswith(prefix + " "):
            return kind
    return "khác"


def _get_or_create(session: Session, identifier: str, **values: object) -> tuple[Unit, bool]:
    unit = session.execute(select(Unit).where(Unit.identifier == identifier)).scalar_one_or_none()
    if unit is not None:
        return unit, False
    name = canonical_text(str(values.pop("name")))
    unit = Unit(identifier=identifier, name=name, name_folded=fold(name), **values)
    session.add(unit)
    session.flush()
    return unit, True


def _district(session: Session, name: str, counts: dict[str, int]) -> Unit:
    key = fold(name).replace(" ", "").upper()[:24]
    unit, created = _get_or_create(session, f"HN.HUYEN.{key}", name=name, unit_type=_unit_type(name),
                                   valid_to=OLD_END, note="Cấp huyện, chấm dứt hoạt động 01/7/2025")
    counts["districts"] += created
    if created:
        session.add(UnitLink(from_unit_id=unit.id, to_unit_id=None, kind="dissolved",
                             effective_date=REORG_DATE, legal_act="Luật Tổ chức chính quyền địa phương 72/2025/QH15"))
    return unit


def _link(session: Session, old: Unit, new: Unit, share: str, counts: dict[str, int]) -> None:
    kind = "merged_into" if share == "full" else "split_into"
    exists = session.execute(select(UnitLink.id).where(
        UnitLink.from_unit_id == old.id, UnitLink.to_unit_id == new.id, UnitLink.kind == kind)).first()
    if exists is None:
        session.add(UnitLink(from_unit_id=old.id, to_unit_id=new.id, kind=kind, share=share,
                             effective_date=REORG_DATE, legal_act=LEGAL_ACT))
        counts["links"] += 1


def _import_row(session: Session, row: dict[str, str], counts: dict[str, int]) -> None:
    new, created = _get_or_create(
        session, f"HN.MOI.{row['new_unit_code_gso']}", name=row["new_unit_name"],
        unit_type=row["new_unit_type"], gso_code=row["new_unit_code_gso"], valid_from=REORG_DATE,
        note=f"{LEGAL_ACT}, Điều 1 khoản {row['nq1656_clause']}")
    counts["new_units"] += created
    for entry in row["old_units_detail"].split(";"):
        code, name, district_name, share = entry.split("|")
        district = _district(session, district_name, counts)
        old, created = _get_or_create(session, f"HN.CU.{code}", name=name, unit_type=_unit_type(name),
                                      gso_code=code, valid_to=OLD_END, parent_id=district.id)
        counts["old_units"] += created
        _link(session, old, new, share, counts)
        _link(session, district, new, "partial", counts)  # the district's records pass to its successors


def import_hanoi_2025(ctx: AppContext, actor: str = "system") -> ImportSummary:
    """Load the 126 new units, their 526 predecessors and 30 districts with succession links (idempotent)."""
    raw = resources.files("sohoa.data").joinpath("hanoi_units_2025.csv").read_text(encoding="utf-8")
    counts = {"new_units": 0, "old_units": 0, "districts": 0, "links": 0}
    with ctx.db.session() as session:
        for row in csv.DictReader(io.StringIO(raw)):
            _import_row(session, row, counts)
        if any(counts.values()):
            record_event(session, actor, "units.import", "unit", None, {"source": "hanoi_units_2025", **counts})
    return ImportSummary(**counts)


def find_units(session: Session, query: str, limit: int = 20) -> list[Unit]:
    """Units whose name matches a query, tone-insensitively ('hoan kiem' finds 'Phường Hoàn Kiếm')."""
    folded = f"%{fold(query)}%"
    stmt = select(Unit).where(or_(Unit.name_folded.like(folded), Unit.identifier == query)).limit(limit)
    return list(session.execute(stmt.order_by(Unit.name)).scalars())


# Both directions in one statement (SQLite and PostgreSQL): UNION, not UNION ALL, so a cycle of links ends.
_LINEAGE = text(
    "WITH RECURSIVE back(id) AS (SELECT CAST(:start AS INTEGER) UNION SELECT l.from_unit_id FROM unit_links l "
    "JOIN back b ON l.to_unit_id = b.id WHERE l.from_unit_id IS NOT NULL), "
    "fwd(id) AS (SELECT CAST(:start AS INTEGER) UNION SELECT l.to_unit_id FROM unit_links l JOIN fwd f "
    "ON l.from_unit_id = f.id WHERE l.to_unit_id IS NOT NULL) "
    "SELECT id FROM back UNION SELECT id FROM fwd")


def related_unit_ids(session: Session, unit_id: int) -> set[int]:
    """The unit, its predecessors (recursively) and its successors (recursively), in one statement.

    Directions are not mixed: a ward sees the old wards it absorbed, and an old ward sees the new
    wards it went into, but not the other old wards those new wards also absorbed.
    """
    return {unit_id} | {int(i) for i in session.execute(_LINEAGE, {"start": unit_id}).scalars()}


def unit_id_by_identifier(ctx: AppContext, identifier: str) -> int:
    """The id of the unit with this identifier; NotFound (vi/en) if there is none."""

    with ctx.db.session() as session:
        found = session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Không tìm thấy đơn vị '{identifier}'", f"Unknown unit '{identifier}'")
    return int(found)
