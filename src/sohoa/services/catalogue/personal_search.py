"""The entity index for authorised staff and one-stop-shop systems: which records mention this person, this ID
number, this parcel or this address — under the access policy, and every query audited with its purpose.

A query is read as the kind it looks like (or the kind asked for): a personal name or address tone-insensitively
(the folded words; a full name, its first words or any of its words as a prefix — the same tones as typed rank
first), an ID, phone or bank account number by its digits (at least :data:`MIN_DIGITS` of them; a partial number
matches inside the stored one, the whole number ranks first), a licence plate by its letters and digits, a land
parcel as "thửa 123 tờ 45" or "123/45" (both numbers must match; the sheet may be left out), a date of birth as
day/month/year (however the document wrote it). Results are the
values found, each with the documents that hold it, in the caller's scope: the policy of
:mod:`sohoa.services.identity.policy` (an officer of a new ward sees the records of the communes it absorbed,
nobody sees outside their scope), never a document marked độ mật, and rows a data subject restricted only for
administrators. Corrections recorded by data subject requests are shown beside the value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, PersonalDatum, SubjectRequestItem, Unit
from sohoa.domain.codes import AccessLevel, Role
from sohoa.domain.errors import ValidationFailed
from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.domain.text import nfc
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.registry.units import related_unit_ids

__all__ = ["MIN_DIGITS", "MIN_PURPOSE", "ROW_CAP", "PeopleResult", "PersonGroup", "PersonRecord", "check_purpose",
           "parse_parcel", "search_people"]

MIN_PURPOSE = 10  # characters of the purpose every query states (audited)
MIN_DIGITS = 6  # a partial ID/phone/account number needs this many digits (fewer would list half the archive)
ROW_CAP = 5000  # personal data rows read per query (bounded work); groups are paged after
_GONE = (DocumentState.MERGED, DocumentState.SUPERSEDED)
_ID_KINDS = (PersonalKind.CCCD, PersonalKind.CMND, PersonalKind.PHONE, PersonalKind.BANK_ACCOUNT)
_PARCEL_WORDS = re.compile(r"thua(?: dat)?(?: so)? (\d+)")
_SHEET_WORDS = re.compile(r"to(?: ban do)?(?: so)? (\d+)")
_PARCEL_SLASH = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_NUMBERS = re.compile(r"\d+")
_PLATE = re.compile(r"^\d{2}[a-z]{1,2}\d{4,6}$")
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


@dataclass(frozen=True)
class PersonRecord:
    """One document holding the value: where it is and what it is; corrections beside it."""

    document_id: int
    datum_ids: tuple[int, ...]
    pages: tuple[int, ...]
    type_name: str | None
    number: str | None  # số, ký hiệu
    issued_date: date | None
    subject: str | None
    unit_name: str | None
    unit_identifier: str | None
    file_code: str | None
    restricted: bool
    corrections: tuple[str, ...]


@dataclass(frozen=True)
class PersonGroup:
    """A value found (a person's name, an ID number, a parcel…) and the records holding it."""

    kind: str
    value: str
    normalized: str
    rank: int  # 0: as typed (same tones / the whole number); higher: looser matches
    records: tuple[PersonRecord, ...]


@dataclass(frozen=True)
class PeopleResult:
    query: str
    kind: str | None
    total: int  # groups
    groups: tuple[PersonGroup, ...]  # this page
    offset: int
    limit: int

    @property
    def documents(self) -> int:
        return len({r.document_id for g in self.groups for r in g.records})


@dataclass(frozen=True)
class _Ask:
    kinds: tuple[str, ...]
    where: ColumnElement[bool]
    typed: str
    numbers: tuple[str, str | None] | None = None  # parcel, sheet
    day: tuple[int, int, int] | None = None  # a date of birth: day, month, year


def check_purpose(purpose: str | None) -> str:
    """The purpose as recorded; refused when empty or shorter than :data:`MIN_PURPOSE` characters."""
    text = nfc(purpose or "").strip()
    if len(text) < MIN_PURPOSE:
        raise ValidationFailed(f"Cần nêu mục đích tra cứu (ít nhất {MIN_PURPOSE} ký tự)",
                               f"State the purpose of the search (at least {MIN_PURPOSE} characters)")
    return text


def parse_parcel(query: str) -> tuple[str, str | None] | None:
    """'thửa 123 tờ 45', 'thửa đất số 123, tờ bản đồ số 45' or '123/45' → ('123', '45'); None otherwise."""
    slash = _PARCEL_SLASH.match(query)
    if slash:
        return slash.group(1).lstrip("0") or "0", slash.group(2).lstrip("0") or "0"
    folded = normalize_value(PersonalKind.PARCEL, query)
    parcel = _PARCEL_WORDS.search(folded)
    if parcel is None:
        return None
    sheet = _SHEET_WORDS.search(folded)
    return parcel.group(1).lstrip("0") or "0", (sheet.group(1).lstrip("0") or "0") if sheet else None


def _stored_parcel(normalized: str) -> tuple[str | None, str | None]:
    parcel, sheet = _PARCEL_WORDS.search(normalized), _SHEET_WORDS.search(normalized)
    if parcel is None and sheet is None:  # a bare "123 45" or "123/45": the parcel first
        numbers = _NUMBERS.findall(normalized)
        return (numbers[0] if numbers else None), (numbers[1] if len(numbers) > 1 else None)
    return (parcel.group(1) if parcel else None), (sheet.group(1) if sheet else None)


def _words(column: Any, folded: str, *, anywhere: bool) -> ColumnElement[bool]:
    """The folded words as the whole value, its beginning, or (``anywhere``) the beginning of any of its words."""
    tests = [column == folded, column.like(f"{folded}%")]
    if anywhere:
        tests.append(column.like(f"% {folded}%"))
    return or_(*tests)


def _ask(query: str, kind: str | None) -> _Ask:
    """What to look for: the kinds and the condition on ``PersonalDatum`` (the query read as it looks)."""
    typed = nfc(query).strip()
    if not typed:
        raise ValidationFailed("Nhập tên, số giấy tờ, thửa đất hoặc địa chỉ cần tra cứu",
                               "Type a name, an ID number, a parcel or an address to search for")
    chosen = PersonalKind(kind) if kind else None
    parcel = parse_parcel(typed)
    if chosen is PersonalKind.PARCEL or (chosen is None and parcel is not None):
        if parcel is None:
            numbers = _NUMBERS.findall(typed)
            if not numbers:
                raise ValidationFailed("Nhập số thửa (và số tờ bản đồ), ví dụ: thửa 123 tờ 45 hoặc 123/45",
                                       "Type the parcel number (and map sheet), e.g. thửa 123 tờ 45 or 123/45")
            parcel = (numbers[0].lstrip("0") or "0", (numbers[1].lstrip("0") or "0") if len(numbers) > 1 else None)
        return _Ask((PersonalKind.PARCEL,), PersonalDatum.normalized.like(f"%{parcel[0]}%"), typed, parcel)
    born = _DATE.match(typed)
    if chosen is PersonalKind.DOB or (chosen is None and born):
        numbers = [int(n) for n in _NUMBERS.findall(typed)]
        if born is None or len(numbers) != 3:
            raise ValidationFailed("Nhập ngày sinh dạng ngày/tháng/năm, ví dụ 12/05/1980",
                                   "Type the date of birth as day/month/year, e.g. 12/05/1980")
        return _Ask((PersonalKind.DOB,), PersonalDatum.normalized.like(f"%{numbers[2]}%"), typed,
                    day=(numbers[0], numbers[1], numbers[2]))
    alnum = normalize_value(PersonalKind.PLATE, typed)
    if chosen is PersonalKind.PLATE or (chosen is None and _PLATE.match(alnum)):
        return _Ask((PersonalKind.PLATE,), PersonalDatum.normalized.like(f"%{alnum}%"), alnum)
    digits = re.sub(r"\D", "", normalize_value(PersonalKind.PHONE, typed))
    numeric = chosen in _ID_KINDS or (chosen is None and not re.search(r"[^\d\s.+()-]", typed))
    if numeric:
        if len(digits) < MIN_DIGITS:
            raise ValidationFailed(f"Số cần tra cứu phải có ít nhất {MIN_DIGITS} chữ số",
                                   f"A number to search for needs at least {MIN_DIGITS} digits")
        numeric_kinds: tuple[str, ...] = (chosen,) if chosen else _ID_KINDS
        return _Ask(numeric_kinds, PersonalDatum.normalized.like(f"%{digits}%"), digits)
    if chosen is PersonalKind.EMAIL or (chosen is None and "@" in typed):
        email = normalize_value(PersonalKind.EMAIL, typed)
        return _Ask((PersonalKind.EMAIL,), PersonalDatum.normalized.like(f"%{email}%"), email)
    folded = normalize_value(PersonalKind.NAME, typed)
    if not folded:
        raise ValidationFailed("Nhập tên, số giấy tờ, thửa đất hoặc địa chỉ cần tra cứu",
                               "Type a name, an ID number, a parcel or an address to search for")
    if chosen is not None and chosen not in (PersonalKind.NAME, PersonalKind.ADDRESS):
        return _Ask((chosen,), _words(PersonalDatum.normalized, folded, anywhere=True), typed)
    kinds: tuple[str, ...] = (chosen,) if chosen else (PersonalKind.NAME, PersonalKind.ADDRESS)
    return _Ask(kinds, _words(PersonalDatum.normalized, folded, anywhere=True), typed)


def _rank(ask: _Ask, datum: PersonalDatum) -> int | None:
    """0: the value as typed; 1: the same folded words / whole number; 2: its beginning; 3: a word or a part.
    None: no match after all (a parcel whose numbers differ)."""
    if ask.day is not None:  # '12/05/1980', 'ngày 12 tháng 5 năm 1980': the same three numbers
        return 0 if tuple(int(n) for n in _NUMBERS.findall(datum.normalized)) == ask.day else None
    if ask.numbers is not None:
        parcel, sheet = _stored_parcel(datum.normalized)
        if parcel is None or parcel.lstrip("0") != ask.numbers[0]:
            return None
        if ask.numbers[1] is not None:
            if sheet is None or sheet.lstrip("0") != ask.numbers[1]:
                return None
            return 0
        return 1
    if datum.kind in (*_ID_KINDS, PersonalKind.PLATE, PersonalKind.EMAIL):
        return 0 if datum.normalized == ask.typed else 3
    if nfc(datum.value).casefold().split() == ask.typed.casefold().split():
        return 0
    folded = normalize_value(PersonalKind.NAME, ask.typed)
    if datum.normalized == folded:
        return 1
    return 2 if datum.normalized.startswith(folded) else 3


def _scoped_rows(session: Session, principal: Principal, ask: _Ask,
                 units: set[int] | None) -> list[tuple[PersonalDatum, Document]]:
    scope = document_scope(session, principal)
    stmt = (select(PersonalDatum, Document).join(Document, Document.id == PersonalDatum.document_id)
            .where(PersonalDatum.kind.in_([str(k) for k in ask.kinds]), ask.where, document_clause(scope),
                   Document.state.not_in(_GONE),
                   # độ mật never, whoever asks (the local operator reads them only through their own commands)
                   Document.secrecy.is_(None), Document.access_level != AccessLevel.SECRET))
    if principal.role != Role.ADMIN:
        stmt = stmt.where(PersonalDatum.restricted.is_(False))
    if units is not None:
        stmt = stmt.where(Document.unit_id.in_(sorted(units)))
    rows = session.execute(stmt.order_by(PersonalDatum.id).limit(ROW_CAP)).all()
    return [(datum, doc) for datum, doc in rows]


def _corrections(session: Session, datum_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not datum_ids:
        return found
    stmt = select(SubjectRequestItem.datum_id, SubjectRequestItem.corrected_value).where(
        SubjectRequestItem.datum_id.in_(datum_ids), SubjectRequestItem.action == "correction",
        SubjectRequestItem.corrected_value.is_not(None)).order_by(SubjectRequestItem.id)
    for datum_id, value in session.execute(stmt).all():
        if datum_id is not None and value:
            found[int(datum_id)].append(str(value))
    return found


def _record(session: Session, doc: Document, data: list[PersonalDatum],
            corrections: dict[int, list[str]]) -> PersonRecord:
    unit = session.get(Unit, doc.unit_id) if doc.unit_id else None
    file = session.get(FileUnit, doc.file_id) if doc.file_id else None
    number = "/".join(p for p in (doc.code_number, doc.code_notation) if p) or None
    return PersonRecord(
        document_id=doc.id, datum_ids=tuple(d.id for d in data),
        pages=tuple(sorted({d.page_no for d in data if d.page_no is not None})), type_name=doc.type_name,
        number=number, issued_date=doc.issued_date, subject=doc.subject,
        unit_name=unit.name if unit else None, unit_identifier=unit.identifier if unit else None,
        file_code=file.file_code if file else None, restricted=any(d.restricted for d in data),
        corrections=tuple(dict.fromkeys(c for d in data for c in corrections.get(d.id, []))))


def _group_key(datum: PersonalDatum) -> str:
    """One person value: names and addresses as written (tones matter: Thuận is not Thuần; case does not),
    numbers and parcels by their normalized value."""
    if datum.kind in (PersonalKind.NAME, PersonalKind.ADDRESS):
        return " ".join(nfc(datum.value).casefold().split())
    return datum.normalized


def _groups(session: Session, ask: _Ask, rows: list[tuple[PersonalDatum, Document]]) -> list[PersonGroup]:
    by_value: dict[tuple[str, str], list[tuple[PersonalDatum, Document, int]]] = defaultdict(list)
    for datum, doc in rows:
        rank = _rank(ask, datum)
        if rank is not None:
            by_value[(datum.kind, _group_key(datum))].append((datum, doc, rank))
    corrections = _corrections(session, [d.id for found in by_value.values() for d, _doc, _r in found])
    groups = []
    for (kind, _key), found in by_value.items():
        normalized = found[0][0].normalized
        per_doc: dict[int, tuple[Document, list[PersonalDatum]]] = {}
        for datum, doc, _rank_of in found:
            per_doc.setdefault(doc.id, (doc, []))[1].append(datum)
        docs = sorted(per_doc.values(), key=lambda p: (-(p[0].issued_date or date.min).toordinal(), p[0].id))
        best = min(found, key=lambda f: f[2])
        groups.append(PersonGroup(kind, nfc(best[0].value), normalized, best[2],
                                  tuple(_record(session, doc, data, corrections) for doc, data in docs)))
    groups.sort(key=lambda g: (g.rank, -len(g.records), g.normalized, g.kind))
    return groups


def search_people(ctx: AppContext, principal: Principal, query: str, *, kind: str | None = None,
                  unit_id: int | None = None, purpose: str | None, limit: int = 20, offset: int = 0,
                  actor: str | None = None) -> PeopleResult:
    """The values matching ``query`` and the records holding them, in ``principal``'s scope, ``unit_id`` with
    its predecessors and successors; refused without a purpose; audited as ``personal.search`` with the
    purpose, the query and the number of values and documents found (``actor``: who to name, default the
    principal)."""
    reason = check_purpose(purpose)
    if kind is not None and kind not in {k.value for k in PersonalKind}:
        raise ValidationFailed(f"Loại dữ liệu không hợp lệ: {kind}", f"Unknown kind of personal data: {kind}")
    ask = _ask(query, kind)
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    with ctx.db.session() as session:
        units = related_unit_ids(session, unit_id) if unit_id is not None else None
        groups = _groups(session, ask, _scoped_rows(session, principal, ask, units))
        page = tuple(groups[offset:offset + limit])
        record_event(session, actor or principal.username, "personal.search", None, None,
                     {"purpose": reason, "query": nfc(query).strip(), "kind": kind, "unit_id": unit_id,
                      "results": len(groups), "documents": len({r.document_id for g in groups for r in g.records}),
                      "offset": offset})
    return PeopleResult(nfc(query).strip(), kind, len(groups), page, offset, limit)
