"""A page of search hits reads personal data only for the documents the ``EXISTS`` probe says hold some
(``holding_personal_data`` with ``maskings_for(..., holding=...)``), on every profile."""

from __future__ import annotations

from sqlalchemy import delete, select

from sohoa.db.models import Document, PersonalDatum
from sohoa.services.catalogue.personal_masking import holding_personal_data, maskings_for
from sohoa.services.platform.context import AppContext
from tests.shared._personal_doc import NAME, SUBJECT, indexed_personal_doc


def test_the_probe_tells_which_documents_hold_personal_data(any_ctx: AppContext) -> None:
    record = indexed_personal_doc(any_ctx)
    query = select(Document.id, holding_personal_data()).where(Document.id == record.document_id)
    with any_ctx.db.session() as session:
        assert session.execute(query).one() == (record.document_id, True)
        session.execute(delete(PersonalDatum).where(PersonalDatum.document_id == record.document_id))
        session.flush()
        assert session.execute(query).one() == (record.document_id, False)
        session.rollback()


def test_maskings_read_the_rows_of_the_holding_documents_only(any_ctx: AppContext) -> None:
    record = indexed_personal_doc(any_ctx)
    with any_ctx.db.session() as session:
        doc = session.get_one(Document, record.document_id)
        read = maskings_for(session, [doc], None, holding={doc.id})[doc.id]
        unread = maskings_for(session, [doc], None, holding=set())[doc.id]
        default = maskings_for(session, [doc], None)[doc.id]  # no probe given: every document's rows are read
    assert read is not None and unread is not None and default is not None
    assert NAME not in read.text(SUBJECT) and NAME not in default.text(SUBJECT)  # the stored name is masked
    assert NAME in unread.text(SUBJECT)  # a document said to hold none: no stored value to mask (rules still run)
