"""Hanoi 2025 units: 126 new, 526 old, 30 districts, succession both ways; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from sohoa.db.models import Unit, UnitLink
from sohoa.services.platform.context import AppContext
from sohoa.services.registry.units import find_units, import_hanoi_2025, related_unit_ids


def _unit(ctx: AppContext, identifier: str) -> int:
    with ctx.db.session() as session:
        return session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar_one()


def test_import_is_complete_and_idempotent(any_ctx: AppContext) -> None:
    first = import_hanoi_2025(any_ctx)
    assert (first.new_units, first.old_units, first.districts) == (126, 526, 30)
    second = import_hanoi_2025(any_ctx)
    assert (second.new_units, second.old_units, second.districts, second.links) == (0, 0, 0, 0)
    with any_ctx.db.session() as session:
        assert session.execute(select(func.count()).select_from(Unit)).scalar_one() == 126 + 526 + 30
        merged = session.execute(select(func.count()).select_from(UnitLink)
                                 .where(UnitLink.kind.in_(["merged_into", "split_into"]))).scalar()
        assert merged and merged >= 795
        assert all(len(u.identifier) <= 35 for u in session.execute(select(Unit)).scalars())


def test_successor_sees_predecessors_and_back(any_ctx: AppContext) -> None:
    import_hanoi_2025(any_ctx)
    new = _unit(any_ctx, "HN.MOI.00070")  # Phường Hoàn Kiếm
    hang_ma = _unit(any_ctx, "HN.CU.00043")  # Phường Hàng Mã (full merge)
    with any_ctx.db.session() as session:
        lineage = related_unit_ids(session, new)
        assert hang_ma in lineage
        assert new in related_unit_ids(session, hang_ma)
        district = session.execute(select(Unit.id).where(Unit.name == "Quận Hoàn Kiếm")).scalar_one()
        assert new in related_unit_ids(session, district)
        # Sibling predecessors of a successor are not mixed into an old unit's lineage.
        cua_nam_new = _unit(any_ctx, "HN.MOI.00082")
        assert cua_nam_new not in related_unit_ids(session, hang_ma)


def test_find_units_without_tones(any_ctx: AppContext) -> None:
    import_hanoi_2025(any_ctx)
    with any_ctx.db.session() as session:
        names = [u.name for u in find_units(session, "hoan kiem")]
    assert "Phường Hoàn Kiếm" in names and "Quận Hoàn Kiếm" in names


def test_lineage_ends_on_a_cycle_of_links(ctx: AppContext) -> None:
    """Links that loop (a data error) still give a finite lineage, each direction on its own."""
    with ctx.db.session() as session:
        units = [Unit(identifier=f"T.CYC{n}", name=f"Phường {n}", name_folded=f"phuong {n}", unit_type="phường")
                 for n in range(4)]
        session.add_all(units)
        session.flush()
        a, b, c, d = (u.id for u in units)
        session.add_all([UnitLink(from_unit_id=a, to_unit_id=b, kind="merged"),
                         UnitLink(from_unit_id=b, to_unit_id=a, kind="merged"),
                         UnitLink(from_unit_id=c, to_unit_id=b, kind="merged"),
                         UnitLink(from_unit_id=d, to_unit_id=None, kind="dissolved")])
        session.flush()
        assert related_unit_ids(session, b) == {a, b, c}
        assert related_unit_ids(session, c) == {a, b, c}  # c went into b, b into a (and back)
        assert related_unit_ids(session, d) == {d}
