"""What the public may know of one record, for citing it and describing it to search engines.

Read as the anonymous caller (the portal's scope): a record the public may not see is NotFound; personal data in
its subject is masked. The file
(hồ sơ) it belongs to is named by its code; its title only when the file is itself at an access level the
public may read. The fonds (phông) and the creating unit are descriptive metadata, public as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sohoa.db.models import FileUnit, Fonds, Unit
from sohoa.domain.fields import RecordHeading
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.catalogue.permalinks import canonical_identifier
from sohoa.services.catalogue.personal_masking import Masking, masking_for
from sohoa.services.catalogue.personal_titles import masked_title
from sohoa.services.identity.policy import document_scope
from sohoa.services.platform.context import AppContext

__all__ = ["PublicRecord", "public_record"]


@dataclass(frozen=True)
class PublicRecord(RecordHeading):
    """One public record's descriptive metadata (NĐ 30 fields and where the archive keeps it)."""

    identifier: str  # the permanent identifier (permalinks)
    language: str | None
    pages: int
    unit_name: str | None
    unit_identifier: str | None
    fonds_code: str | None
    fonds_name: str | None
    file_code: str | None
    file_title: str | None
    ordinal: int | None
    updated_at: datetime | None

    @property
    def issuer(self) -> str | None:
        """The issuing body, else the unit whose records these are."""
        return self.organ_name or self.unit_name


def _file_title(session: Session, file: FileUnit, masking: Masking | None) -> str | None:
    """The hồ sơ's title as the public reads it: the document's values and what detection finds masked."""
    title = masking.text(file.title) if masking is not None and file.title else file.title
    return masked_title(session, title, file.access_level, None) or None


def public_record(ctx: AppContext, document_id: int) -> PublicRecord:
    """The public record's metadata; NotFound when the public may not see it."""
    with ctx.db.session() as session:
        doc = visible_document(session, None, document_id)
        unit = session.get(Unit, doc.unit_id) if doc.unit_id else None
        file = session.get(FileUnit, doc.file_id) if doc.file_id else None
        fonds = session.get(Fonds, file.fonds_id) if file is not None and file.fonds_id else None
        public_levels = document_scope(session, None).levels
        masking = masking_for(session, doc, None)
        subject = masking.optional_text(doc.subject) if masking is not None else doc.subject
        return PublicRecord(
            document_id=doc.id, identifier=canonical_identifier(session, doc), type_name=doc.type_name,
            code_number=doc.code_number, code_notation=doc.code_notation, issued_date=doc.issued_date,
            place=doc.place, organ_name=doc.organ_name, parent_organ_name=doc.parent_organ_name,
            subject=subject, language=doc.language, pages=doc.page_amount,
            unit_name=unit.name if unit else None, unit_identifier=unit.identifier if unit else None,
            fonds_code=fonds.code if fonds else None, fonds_name=fonds.name if fonds else None,
            file_code=file.file_code if file else None,
            file_title=_file_title(session, file, masking) if file is not None and file.access_level in public_levels
            else None,
            ordinal=doc.doc_ordinal, updated_at=doc.updated_at)
