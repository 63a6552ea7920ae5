"""Permanent identifiers of public records: the mã định danh văn bản, or the one Sohoa derives from the record's id.

A record's permanent identifier is its ``doc_code`` (mã định danh văn bản, TT 02/2019 DocCode) when it has
one and no public record with a smaller id holds the same code (a duplicate is a data error; the first
claim keeps it). Otherwise it is ``SOHOA.`` and the record's database id on at least seven digits
(``SOHOA.0000042``): the id never changes, so neither does the link, whatever arrangement later does to
the record's file, ordinal or unit. The derived form of a record that has a code resolves too, and
answers with the canonical one. Only what the public may see resolves (the anonymous scope); an unknown
identifier and a record the public may not see get the same NotFound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document
from sohoa.domain.errors import NotFound
from sohoa.domain.text import nfc
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.policy import document_scope
from sohoa.services.platform.context import AppContext

__all__ = ["DERIVED_PREFIX", "PERMALINK_ROOT", "Resolved", "canonical_identifier", "canonical_identifiers",
           "derived_identifier", "identifier_of", "identifiers_for", "permalink_path", "resolve_identifier"]

DERIVED_PREFIX = "SOHOA"
PERMALINK_ROOT = "/portal/r/"
_DERIVED = re.compile(rf"^{DERIVED_PREFIX}\.(\d{{1,12}})$", re.IGNORECASE)
_LONGEST = 100  # a doc_code is 25 characters; anything far longer is not an identifier


@dataclass(frozen=True)
class Resolved:
    """What an identifier names: the record and its canonical permanent identifier."""

    document_id: int
    identifier: str


def derived_identifier(document_id: int) -> str:
    """``SOHOA.0000042``: the permanent identifier of a record without a mã định danh of its own."""
    return f"{DERIVED_PREFIX}.{document_id:07d}"


def permalink_path(identifier: str) -> str:
    """The permanent link's path (every character but letters, digits and ``.-_~`` escaped)."""
    return PERMALINK_ROOT + quote(identifier, safe="")


def _not_found(identifier: str) -> NotFound:
    shown = identifier[:_LONGEST]
    return NotFound(f"Không có tài liệu công khai mang mã định danh {shown}",
                    f"No public record has the identifier {shown}")


def _own_code(code: str | None) -> str | None:
    # A code with stray spaces around it could not be typed back into a link: such a record takes the
    # derived form.
    return code if code and code == code.strip() else None


def canonical_identifiers(session: Session, records: Iterable[tuple[int, str | None]]) -> dict[int, str]:
    """The permanent identifier of each public record (id, doc_code): its own code unless a public record
    with a smaller id holds the same code, else the derived form. One query for all of them."""
    pairs = [(doc_id, _own_code(code)) for doc_id, code in records]
    codes = sorted({code for _, code in pairs if code})
    first: dict[str, int] = {}
    if codes:
        stmt = (select(Document.doc_code, func.min(Document.id))
                .where(Document.doc_code.in_(codes), document_clause(document_scope(session, None)))
                .group_by(Document.doc_code))
        first = {str(code): int(doc_id) for code, doc_id in session.execute(stmt)}
    return {doc_id: code if code and first.get(code) == doc_id else derived_identifier(doc_id)
            for doc_id, code in pairs}


def canonical_identifier(session: Session, doc: Document) -> str:
    """The permanent identifier of one public record."""
    return canonical_identifiers(session, [(doc.id, doc.doc_code)])[doc.id]


def _by_code(session: Session, code: str) -> Document | None:
    clause = document_clause(document_scope(session, None))
    stmt = select(Document).where(Document.doc_code == code, clause).order_by(Document.id).limit(1)
    return session.execute(stmt).scalar()


def resolve_identifier(ctx: AppContext, identifier: str) -> Resolved:
    """The public record an identifier names (a mã định danh, or the derived ``SOHOA.…`` form), or NotFound."""
    text = nfc(identifier).strip()
    if not text or len(text) > _LONGEST:
        raise _not_found(text)
    with ctx.db.session() as session:
        doc = _by_code(session, text)
        derived = _DERIVED.match(text)
        if doc is None and derived is not None:
            try:
                doc = visible_document(session, None, int(derived.group(1)))
            except NotFound:
                doc = None
        if doc is None:
            raise _not_found(text)
        return Resolved(doc.id, canonical_identifier(session, doc))


def identifier_of(ctx: AppContext, document_id: int) -> str:
    """The permanent identifier of a public record (NotFound when the public may not see it)."""
    with ctx.db.session() as session:
        return canonical_identifier(session, visible_document(session, None, document_id))


def identifiers_for(ctx: AppContext, document_ids: Iterable[int]) -> dict[int, str]:
    """The permanent identifiers of those of the records the public may see (the others are left out)."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    with ctx.db.session() as session:
        stmt = select(Document.id, Document.doc_code).where(
            Document.id.in_(ids), document_clause(document_scope(session, None)))
        return canonical_identifiers(session, [(row.id, row.doc_code) for row in session.execute(stmt)])
