"""The small archive the CLI tests search: two decisions about hòa giải, one spelled ``hoà``."""

from __future__ import annotations

from sohoa.db.models import Document
from sohoa.domain.search import IndexDoc
from sohoa.services.platform.context import AppContext

TEXTS = ("Quyết định về việc hòa giải ở cơ sở", "Công văn về việc hoà giải viên")


def add_two_documents(ctx: AppContext) -> None:
    """Store and index :data:`TEXTS` as two documents."""
    with ctx.db.session() as session:
        for text in TEXTS:
            doc = Document(text=text, source_name="t.pdf", type_name="Quyết định")
            session.add(doc)
            session.flush()
            ctx.index.upsert(session, IndexDoc(doc.id, text, ""))
