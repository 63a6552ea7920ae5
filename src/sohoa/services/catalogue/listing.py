"""Scoped listings for the API and portal: documents, files, fonds, units and the events feed (keyset pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Event, FileUnit, Fonds, Unit
from sohoa.domain.codes import AccessLevel
from sohoa.services.catalogue.catalog import document_fields
from sohoa.services.catalogue.personal_masking import Masking, audit_personal_views, maskings_for
from sohoa.services.catalogue.personal_titles import masked_title
from sohoa.services.identity.policy import PUBLISHED_STATES, DocumentScope, document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

__all__ = ["DocumentItem", "EventItem", "FileItem", "FondsItem", "Page", "UnitItem", "document_clause",
           "file_clause", "list_documents", "list_events", "list_files", "list_fonds", "list_units"]

T = TypeVar("T")


@dataclass(frozen=True)
class DocumentItem:
    """A visible document in a listing."""

    document_id: int
    fields: dict[str, str | None]
    unit_id: int | None
    file_id: int | None
    access_level: str
    pages: int
    state: str
    updated_at: str | None


@dataclass(frozen=True)
class FileItem:
    """A visible hồ sơ in a listing; ``retention`` in years, or "permanent"."""

    file_id: int
    file_code: str
    title: str
    unit_id: int | None
    fonds_id: int | None
    access_level: str
    bloc: str | None
    retention: int | Literal["permanent"] | None
    start_date: str | None
    end_date: str | None


@dataclass(frozen=True)
class FondsItem:
    """A phông lưu trữ."""

    fonds_id: int
    code: str
    name: str
    unit_id: int | None
    status: str
    start_year: int | None
    end_year: int | None


@dataclass(frozen=True)
class UnitItem:
    """A cơ quan/đơn vị with its validity dates."""

    unit_id: int
    identifier: str
    name: str
    unit_type: str | None
    bloc: str | None
    parent_id: int | None
    valid_from: str | None
    valid_to: str | None


@dataclass(frozen=True)
class EventItem:
    """A lifecycle event of a visible document."""

    event_id: int
    at: str
    action: str
    document_id: int | None
    hash: str


# One keyset page: the items and the last id (the next cursor), None at the end.
Page = tuple[list[T], int | None]


def _scope_clause(scope: DocumentScope, level: Any, unit: Any, granted: Any,
                  secrecy: Any = None, state: Any = None) -> ColumnElement[bool]:
    """The scope as a condition on a table's access level, unit and grant columns (documents or files);
    outside the own units only public rows, and of documents (``state`` given) only published ones."""
    clause: ColumnElement[bool] = level.in_(sorted(scope.levels)) if scope.levels else false()
    if scope.unit_ids is not None:
        published = level == AccessLevel.PUBLIC
        if state is not None:
            published = and_(published, state.in_(sorted(PUBLISHED_STATES)))
        clause = and_(clause, or_(published, unit.in_(sorted(scope.unit_ids))))
    if scope.grant_file_ids:
        clause = or_(clause, granted.in_(sorted(scope.grant_file_ids)))
    if scope.exclude_secret:
        clause = and_(clause, level != AccessLevel.SECRET, *([secrecy.is_(None)] if secrecy is not None else []))
    return clause


def document_clause(scope: DocumentScope) -> ColumnElement[bool]:
    """The scope as a SQLAlchemy condition on ``Document`` (the same rule as the search SQL)."""
    return _scope_clause(scope, Document.access_level, Document.unit_id, Document.file_id, Document.secrecy,
                         Document.state)


def file_clause(scope: DocumentScope) -> ColumnElement[bool]:
    """The scope as a condition on ``FileUnit`` (the same rule as on documents, without their states)."""
    return _scope_clause(scope, FileUnit.access_level, FileUnit.unit_id, FileUnit.id)


def _page(rows: list[Any], limit: int) -> int | None:
    return int(rows[-1].id) if len(rows) == limit else None


def _masked(masking: Masking | None, fields: dict[str, str | None]) -> dict[str, str | None]:
    return fields if masking is None else masking.fields(fields)


def list_documents(ctx: AppContext, principal: Principal | None, *, after: int = 0, limit: int = 50,
                   updated_since: datetime | None = None) -> Page[DocumentItem]:
    """Visible documents in id order after ``after``."""
    with ctx.db.session() as session:
        stmt = select(Document).where(document_clause(document_scope(session, principal)), Document.id > after)
        if updated_since is not None:
            stmt = stmt.where(Document.updated_at >= updated_since)
        rows = list(session.execute(stmt.order_by(Document.id).limit(limit)).scalars())
        maskings = maskings_for(session, rows, principal)
        audit_personal_views(session, principal, [d for d, m in maskings.items() if m is None], "api")
        items = [DocumentItem(document_id=d.id, fields=_masked(maskings[d.id], document_fields(d)),
                              unit_id=d.unit_id, file_id=d.file_id,
                              access_level=d.access_level, pages=d.page_amount, state=d.state,
                              updated_at=d.updated_at.isoformat() if d.updated_at else None) for d in rows]
        return items, _page(rows, limit)


def list_files(ctx: AppContext, principal: Principal | None, *, after: int = 0,
               limit: int = 50) -> Page[FileItem]:
    """Visible hồ sơ (files) in id order."""
    with ctx.db.session() as session:
        scope = document_scope(session, principal)
        stmt = select(FileUnit).where(file_clause(scope), FileUnit.id > after).order_by(FileUnit.id).limit(limit)
        rows = list(session.execute(stmt).scalars())
        items = [FileItem(file_id=f.id, file_code=f.file_code, title=masked_title(session, f.title, f.access_level,
                                                                                 principal) or "", unit_id=f.unit_id,
                          fonds_id=f.fonds_id, access_level=f.access_level, bloc=f.bloc,
                          retention="permanent" if f.permanent else f.retention_years,
                          start_date=f.start_date.isoformat() if f.start_date else None,
                          end_date=f.end_date.isoformat() if f.end_date else None) for f in rows]
        return items, _page(rows, limit)


def list_fonds(ctx: AppContext, *, after: int = 0, limit: int = 50) -> Page[FondsItem]:
    """Phông lưu trữ: descriptive metadata, public to every caller."""
    with ctx.db.session() as session:
        rows = list(session.execute(select(Fonds).where(Fonds.id > after).order_by(Fonds.id).limit(limit)).scalars())
        items = [FondsItem(fonds_id=f.id, code=f.code, name=f.name, unit_id=f.unit_id, status=f.status,
                           start_year=f.start_year, end_year=f.end_year) for f in rows]
        return items, _page(rows, limit)


def list_units(ctx: AppContext, *, after: int = 0, limit: int = 50) -> Page[UnitItem]:
    """Units (cơ quan, đơn vị) with their validity dates: public metadata."""
    with ctx.db.session() as session:
        rows = list(session.execute(select(Unit).where(Unit.id > after).order_by(Unit.id).limit(limit)).scalars())
        items = [UnitItem(unit_id=u.id, identifier=u.identifier, name=u.name, unit_type=u.unit_type,
                          bloc=u.bloc, parent_id=u.parent_id,
                          valid_from=u.valid_from.isoformat() if u.valid_from else None,
                          valid_to=u.valid_to.isoformat() if u.valid_to else None) for u in rows]
        return items, _page(rows, limit)


def _visible_ids(session: Session, principal: Principal | None, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    clause = document_clause(document_scope(session, principal))
    return set(session.execute(select(Document.id).where(Document.id.in_(sorted(ids)), clause)).scalars())


def list_events(ctx: AppContext, principal: Principal | None, *, after: int = 0,
                limit: int = 50) -> Page[EventItem]:
    """The document events feed (create, publish, update, access change) of documents the caller may see."""
    with ctx.db.session() as session:
        stmt = select(Event).where(Event.id > after, Event.entity_type == "document",
                                   Event.action.in_(FEED_ACTIONS) if FEED_ACTIONS else true())
        rows = list(session.execute(stmt.order_by(Event.id).limit(limit)).scalars())
        visible = _visible_ids(session, principal, {r.entity_id for r in rows if r.entity_id is not None})
        # SQLite hands back naive datetimes (stored as UTC): the feed's times always carry their offset.
        items = [EventItem(event_id=e.id, at=(e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)).isoformat(),
                           action=e.action, document_id=e.entity_id,
                           hash=e.hash) for e in rows if e.entity_id in visible]
        return items, _page(rows, limit)


# Lifecycle events a city system may follow; reads (views, downloads) stay in the audit log only.
FEED_ACTIONS: tuple[str, ...] = ("document.create", "document.publish", "document.update", "access.change")
