"""Type-ahead lookups with codes: units, fonds, hồ sơ (files) and documents, as the staff pickers offer them.

A person picks "CODE — Name" instead of typing a database id. Matching is tone-insensitive ("hoan kiem"
finds "Phường Hoàn Kiếm"), every word of the query must match, and code matches come first. Files and
documents go through the access policy (``identity.policy``): a lookup never names a title its caller may
not see. ``resolve_*`` turn what a person typed into a form without the script (a code, an exact name, or a
picked "CODE — Name" line) into one id, or refuse with the candidates when several match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Fonds, Unit, UnitLink
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.text import fold, nfc
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.listing import document_clause, file_clause
from sohoa.services.catalogue.personal_masking import Masking, maskings_for
from sohoa.services.catalogue.personal_titles import masked_title
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

__all__ = [
    "KINDS",
    "Choice",
    "lookup",
    "lookup_documents",
    "lookup_files",
    "lookup_fonds",
    "lookup_units",
    "resolve",
    "unit_texts",
    "visible",
]

LIMIT = 20
_SCAN = 200  # rows looked at before ranking (the best LIMIT of them are answered)
_MAX_QUERY = 100
_SEP = " — "
KINDS = ("units", "fonds", "files", "documents")


@dataclass(frozen=True)
class Choice:
    """One picker line: ``code`` (shown first), ``name``, an optional ``note`` (a fonds' unit, a dissolved
    unit's successors) and ``old`` for a unit that no longer exists (shown "(cũ)")."""

    id: int
    code: str
    name: str
    note: str = ""
    old: bool = False
    successors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The line a form field holds once this choice is picked: "CODE — Name"."""
        return f"{self.code}{_SEP}{self.name}" if self.code else self.name


def _words(query: str) -> list[str]:
    return fold(nfc(query).strip()[:_MAX_QUERY]).split()


def _matches(words: list[str], *texts: str | None) -> bool:
    hay = " ".join(fold(t) for t in texts if t)
    return all(w in hay for w in words)


def _rank(choice: Choice, query: str) -> tuple[int, int, str, str]:
    """Codes first (a code starting with the query, then containing it), then current units before old."""
    wanted, code = fold(query).strip(), fold(choice.code)
    place = (
        0
        if wanted and code == wanted
        else 1
        if wanted and code.startswith(wanted)
        else (2 if wanted and wanted in code else 3)
    )
    return place, int(choice.old), choice.code, fold(choice.name)


def _best(choices: Iterable[Choice], query: str, limit: int) -> list[Choice]:
    return sorted(choices, key=lambda c: _rank(c, query))[:limit]


# --- units ----------------------------------------------------------------------------------------------


def _successors(session: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    rows = session.execute(
        select(UnitLink.from_unit_id, Unit.name)
        .join(Unit, UnitLink.to_unit_id == Unit.id)
        .where(UnitLink.from_unit_id.in_(ids))
    ).all()
    found: dict[int, list[str]] = {}
    for unit_id, name in rows:
        found.setdefault(unit_id, []).append(name)
    return {k: tuple(sorted(set(v))) for k, v in found.items()}


def _unit_choices(session: Session, units: list[Unit]) -> list[Choice]:
    after = _successors(session, [u.id for u in units if u.valid_to is not None])
    return [
        Choice(u.id, u.gso_code or u.identifier, u.name, u.identifier, u.valid_to is not None, after.get(u.id, ()))
        for u in units
    ]


def lookup_units(ctx: AppContext, query: str, limit: int = LIMIT) -> list[Choice]:
    """Units by GSO code, identifier or name (tone-insensitive, every word); dissolved ones marked old."""
    words = _words(query)
    with ctx.db.session() as session:
        stmt = select(Unit)
        if words:
            raw = nfc(query).strip()[:_MAX_QUERY].lower()
            by_name = and_(*(Unit.name_folded.contains(w, autoescape=True) for w in words))
            by_code = or_(
                func.lower(Unit.gso_code).startswith(raw, autoescape=True),
                func.lower(Unit.identifier).contains(raw, autoescape=True),
            )
            stmt = stmt.where(or_(by_name, by_code))
        units = list(session.execute(stmt.order_by(Unit.valid_to.is_not(None), Unit.name).limit(_SCAN)).scalars())
        return _best(_unit_choices(session, units), query, limit)


def unit_texts(ctx: AppContext, ids: Iterable[int | None]) -> dict[int, str]:
    """The "CODE — Name" text of each unit id (to fill a unit picker with its current value)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    with ctx.db.session() as session:
        units = list(session.execute(select(Unit).where(Unit.id.in_(wanted))).scalars())
        return {c.id: c.text for c in _unit_choices(session, units)}


# --- fonds ----------------------------------------------------------------------------------------------


def lookup_fonds(ctx: AppContext, query: str, limit: int = LIMIT) -> list[Choice]:
    """Fonds by code, name or their unit's name (tone-insensitive); a fonds shows its unit."""
    words = _words(query)
    with ctx.db.session() as session:
        rows = session.execute(
            select(Fonds.id, Fonds.code, Fonds.name, Unit.name)
            .outerjoin(Unit, Fonds.unit_id == Unit.id)
            .order_by(Fonds.code)
        ).all()
    found = [Choice(i, code, name, unit or "") for i, code, name, unit in rows if _matches(words, code, name, unit)]
    return _best(found, query, limit)


# --- files and documents (under the access policy) ------------------------------------------------------


def lookup_files(ctx: AppContext, principal: Principal, query: str, limit: int = LIMIT) -> list[Choice]:
    """Hồ sơ the principal may see, by file code, số/ký hiệu or title (tone-insensitive)."""
    words = _words(query)
    found: list[Choice] = []
    with ctx.db.session() as session:
        clause = file_clause(document_scope(session, principal))
        stmt = (
            select(FileUnit.id, FileUnit.file_code, FileUnit.file_notation, FileUnit.title, FileUnit.access_level)
            .where(clause)
            .order_by(FileUnit.file_code)
            .execution_options(yield_per=500)
        )
        for file_id, code, notation, title, level in session.execute(stmt):
            if _matches(words, code, notation, title):  # the label names no one the principal may not read
                found.append(Choice(file_id, code, masked_title(session, title, level, principal) or ""))
                if len(found) >= _SCAN:
                    break
    return _best(found, query, limit)


def _sign(doc: Document) -> str:
    if doc.code_number and doc.code_notation:
        return f"{doc.code_number}/{doc.code_notation}"
    return doc.code_notation or doc.code_number or ""


def _document_choice(doc: Document, masking: Masking | None) -> Choice:
    subject = masking.text(doc.subject) if masking is not None and doc.subject else doc.subject
    return Choice(
        doc.id, _sign(doc), f"{(subject or doc.source_name or '')[:160]} (#{doc.id})", doc.type_name or ""
    )


def lookup_documents(ctx: AppContext, principal: Principal, query: str, limit: int = LIMIT) -> list[Choice]:
    """Documents the principal may see (merged-away ones left out), by id, số/ký hiệu or trích yếu: codes
    from the table, words from the search index (tone-insensitive), both under the same scope."""
    text = nfc(query).strip()[:_MAX_QUERY]
    if not text:
        return []
    ids: list[int] = []
    if not text.lstrip("#").isdigit():
        hits = search(ctx, principal, SearchRequest(query=text, limit=limit), audit=False).results
        ids = [h.document_id for h in hits]
    with ctx.db.session() as session:
        visible = and_(document_clause(document_scope(session, principal)), Document.state != DocumentState.MERGED)
        code = text.lstrip("#")
        notation = text.split("/")[-1].strip()
        # SQLite's lower() folds ASCII only ("QĐ" stays "qĐ"): the notation is matched as typed and in capitals.
        by_code = [
            Document.code_notation.contains(form, autoescape=True)
            for form in dict.fromkeys((notation, notation.upper()))
            if form
        ]
        if code.isdigit():
            by_code += [Document.id == int(code), Document.code_number == code]
        if "/" in text:
            by_code.append(Document.code_number == text.split("/")[0].strip())
        coded = list(
            session.execute(
                select(Document).where(visible, or_(*by_code)).order_by(Document.id.desc()).limit(_SCAN)
            ).scalars()
        )
        exact = [d for d in coded if _sign(d).lower().startswith(text.lower()) or str(d.id) == code]
        worded = list(session.execute(select(Document).where(visible, Document.id.in_(ids))).scalars()) if ids else []
        order = {doc_id: n for n, doc_id in enumerate(ids)}
        worded.sort(key=lambda d: order[d.id])
        seen: set[int] = set()
        chosen = []
        for doc in [*exact, *worded, *coded]:
            if doc.id not in seen:
                seen.add(doc.id)
                chosen.append(doc)
        chosen = chosen[:limit]
        maskings = maskings_for(session, chosen, principal)  # staff without personal.read read subjects masked
        return [_document_choice(doc, maskings[doc.id]) for doc in chosen]


def lookup(ctx: AppContext, principal: Principal, kind: str, query: str, limit: int = LIMIT) -> list[Choice]:
    """The lookup of one kind (``KINDS``)."""
    if kind == "units":
        return lookup_units(ctx, query, limit)
    if kind == "fonds":
        return lookup_fonds(ctx, query, limit)
    if kind == "files":
        return lookup_files(ctx, principal, query, limit)
    if kind == "documents":
        return lookup_documents(ctx, principal, query, limit)
    raise NotFound(f"Không có danh mục {kind}", f"No lookup {kind}")


# --- resolving what a person typed ----------------------------------------------------------------------

_WORDS = {
    "units": ("đơn vị", "unit"),
    "fonds": ("phông", "fonds"),
    "files": ("hồ sơ", "file"),
    "documents": ("văn bản", "document"),
}
_OLD_TAIL = re.compile(r"\s+(?:\((?:cũ|old)\)|→).*$")
_ID_TAIL = re.compile(r"\s+\(#\d+\)$")


def _exact(choice: Choice, code: str, name: str) -> bool:
    """Whether the typed code and/or name designate this choice exactly (case- and tone-insensitive name)."""
    same_code = bool(code) and code.casefold() in {choice.code.casefold(), choice.note.casefold()}
    plain = _ID_TAIL.sub("", choice.name)
    same_name = bool(name) and fold(name) in {fold(choice.name), fold(plain)}
    if code and name:
        return same_code and same_name
    return same_code or same_name


def _candidates(text: str, finder: Callable[[str], list[Choice]]) -> list[Choice]:
    head, _, tail = text.partition(_SEP)
    tail = _OLD_TAIL.sub("", tail).strip()
    if tail:
        return [c for c in finder(head) if _exact(c, head.strip(), tail)]
    return [c for c in finder(text) if _exact(c, text, "") or _exact(c, "", text)]


def visible(ctx: AppContext, principal: Principal, kind: str, row_id: int) -> bool:
    """Whether the id a picker (or a JSON client) sent names a row of that kind the caller may see."""
    with ctx.db.session() as session:
        if kind == "units":
            stmt = select(Unit.id).where(Unit.id == row_id)
        elif kind == "fonds":
            stmt = select(Fonds.id).where(Fonds.id == row_id)
        elif kind == "files":
            stmt = select(FileUnit.id).where(FileUnit.id == row_id, file_clause(document_scope(session, principal)))
        else:
            stmt = select(Document.id).where(
                Document.id == row_id,
                Document.state != DocumentState.MERGED,
                document_clause(document_scope(session, principal)),
            )
        return session.execute(stmt).first() is not None


def resolve(ctx: AppContext, principal: Principal, kind: str, text: str, picked: str = "") -> int:
    """The one id a form names by ``text``, as typed: a code, an exact name, or a "CODE — Name" line; ``picked``
    (the id the script put in the hidden field) settles the choice when it is one of the text's matches (two
    units may share a name). Several matches are refused with their list, none is a NotFound. The caller's
    access scope applies to files and documents."""
    vi, en = _WORDS.get(kind, (kind, kind))
    wanted = nfc(text).strip()[:200]
    if not wanted:
        raise ValidationFailed(f"Hãy chọn {vi}", f"Choose a {en}")
    chosen = int(picked) if picked.strip().isdigit() else None
    tagged = _ID_TAIL.search(wanted) if kind == "documents" else None
    if tagged and visible(ctx, principal, kind, int(tagged.group(0).strip()[2:-1])):
        return int(tagged.group(0).strip()[2:-1])
    found = _candidates(wanted, lambda q: lookup(ctx, principal, kind, q, _SCAN))
    if chosen is not None and any(c.id == chosen for c in found) and visible(ctx, principal, kind, chosen):
        return chosen
    if len(found) == 1:
        return found[0].id
    if not found:
        raise NotFound(f"Không tìm thấy {vi} «{wanted}»", f"No {en} matches «{wanted}»")
    names = "; ".join(c.text for c in found[:8])
    raise ValidationFailed(
        f"Có {len(found)} {vi} khớp với «{wanted}», hãy chọn một: {names}",
        f"{len(found)} {en}s match «{wanted}», choose one: {names}",
    )
