"""What the shared search index keeps of a document (masked as the public reads it).

It lives in the catalogue so that every service changing what is masked — ingest and review in production, a
data subject's restriction here — rebuilds a document's index entry with the same function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect

from sohoa.db.models import Document
from sohoa.domain.fields import FIELDS, IndexRole
from sohoa.domain.personal import PersonalKind
from sohoa.domain.search import IndexDoc
from sohoa.services.catalogue.personal_masking import Masking, masking_for

__all__ = ["document_index_doc", "signature_index_text"]


def signature_index_text(provenance: Mapping[str, Any] | None) -> str:
    """The signers of a document's master, for the search text (so a search by the issuing body finds it)."""
    found = (provenance or {}).get("_signatures")
    signers = found.get("signers") if isinstance(found, dict) else None
    return "\n".join(str(s) for s in signers) if isinstance(signers, list) else ""


def document_index_doc(doc: Document) -> IndexDoc:
    """What the search index keeps of a document: the fields the field table puts in the text (in the
    table's order) and its full text, and its sign (số/ký hiệu) in the weightier sign column.

    The search index is shared by every reader, so its text is masked as the public reads it (the policy of
    the document's access level, ``personal_data`` rows and the rules): nobody finds a record by a citizen's ID
    number or name there; staff find people through the entity index. Reindex after the rows change."""
    parts = [getattr(doc, s.name) for s in FIELDS if s.index is IndexRole.TEXT] + [doc.text]
    parts.append(signature_index_text(doc.provenance))  # who signed the master PDF
    sign = [getattr(doc, s.name) for s in FIELDS if s.index is IndexRole.SIGN]
    codes = "/".join(sign) if all(sign) else ""
    text = "\n".join(p for p in parts if p)
    state = inspect(doc, raiseerr=False)  # None: a plain object that stands for a document (tests)
    session = state.session if state is not None else None
    masking = masking_for(session, doc, None) if session is not None and doc.id is not None else None
    text = (masking or Masking((), safety_kinds=PersonalKind)).text(text)
    return IndexDoc(document_id=doc.id, text=text, codes=codes)
