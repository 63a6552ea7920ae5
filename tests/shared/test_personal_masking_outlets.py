"""Text outlets of a record holding personal data: the anonymous reader, a coordinator (no personal.read) and
a token without personal:read get masks in the view, fields, page texts, OCR (JSON, hOCR, ALTO) and highlight
boxes; an archivist sees the originals and ``personal.view`` is audited; a restricted value stays masked for the
archivist but not for an admin."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from sohoa.db.models import Event, PersonalDatum, User
from sohoa.domain.personal import mask_token
from sohoa.services.catalogue.documents import highlight_boxes, page_ocr, view_document
from sohoa.services.catalogue.public_record import public_record
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.tokens import ApiClient
from sohoa.services.identity.user_sessions import principal_of
from sohoa.services.platform.context import AppContext
from sohoa.services.production.review import get_document
from tests.shared._personal_doc import (
    CCCD,
    NAME,
    PARCEL,
    PHONE,
    SIGNER,
    PersonalDoc,
    indexed_personal_doc,
)

SECRETS = (CCCD, "001 190 034 567", PHONE, "0912345678", NAME, "125, tờ bản đồ số 17")


@pytest.fixture
def record(any_ctx: AppContext) -> PersonalDoc:
    return indexed_personal_doc(any_ctx)


def _staff(ctx: AppContext, username: str) -> Principal:
    with ctx.db.session() as session:
        return principal_of(session.scalars(select(User).where(User.username == username)).one())


def _views(ctx: AppContext, actor: str) -> list[Event]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Event).where(Event.action == "personal.view", Event.actor == actor)))


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def _masked_readers(ctx: AppContext, record: PersonalDoc) -> list[Principal | None]:
    public_token = ApiClient(token_id=9, name="harvester", scopes=frozenset({"read:public", "admin"}), unit_id=None)
    return [None, _staff(ctx, record.users["coordinator"]), public_token.principal()]


def test_readers_without_the_right_see_masks_everywhere(any_ctx: AppContext, record: PersonalDoc) -> None:
    for reader in _masked_readers(any_ctx, record):
        view = view_document(any_ctx, reader, record.document_id, query="Bình")
        shown = json.dumps([view.text, view.fields, view.page_texts], ensure_ascii=False)
        assert _leaks(shown) == [], reader
        assert mask_token("cccd") in view.text and "[đã che: " in str(view.fields["subject"])
        assert SIGNER in view.text and "Hàng Trống" in view.text  # the signer and the place stay readable
        assert view.highlights == []  # a masked name is no hint of where it is
        assert highlight_boxes(any_ctx, reader, record.document_id, "001190034567") == []
        for fmt in ("json", "hocr", "alto"):
            content, _media = page_ocr(any_ctx, reader, record.document_id, 1, fmt)
            assert _leaks(content.decode("utf-8")) == [], (reader, fmt)
        assert _views(any_ctx, reader.username if reader else "anonymous") == []


def test_an_archivist_sees_originals_and_is_audited(any_ctx: AppContext, record: PersonalDoc) -> None:
    archivist = _staff(any_ctx, record.users["archivist"])
    view = view_document(any_ctx, archivist, record.document_id, query="Bình", channel="web")
    assert CCCD in view.text and PHONE in view.text and NAME in str(view.fields["subject"]) and PARCEL in view.text
    assert view.highlights and view.highlights[0].boxes
    content, _ = page_ocr(any_ctx, archivist, record.document_id, 1, "hocr")
    assert CCCD in content.decode("utf-8")
    events = _views(any_ctx, archivist.username)
    assert len(events) == 2 and {e.entity_id for e in events} == {record.document_id}
    reader = ApiClient(token_id=8, name="one-stop", scopes=frozenset({"read:public", "personal:read"}), unit_id=None)
    assert CCCD in view_document(any_ctx, reader.principal(), record.document_id, channel="api").text
    assert len(_views(any_ctx, "token:one-stop")) == 1


def test_a_restriction_masks_the_value_for_staff_but_admins(any_ctx: AppContext, record: PersonalDoc) -> None:
    with any_ctx.db.session() as session:
        row = session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == record.document_id,
                                                          PersonalDatum.kind == "cccd")).one()
        row.restricted = True
    archivist = _staff(any_ctx, record.users["archivist"])
    text = view_document(any_ctx, archivist, record.document_id).text
    assert CCCD not in text and mask_token("cccd") in text and PHONE in text and NAME in text
    assert CCCD in view_document(any_ctx, _staff(any_ctx, record.users["admin"]), record.document_id).text


def test_a_reviewer_shown_value_is_readable_by_everybody(any_ctx: AppContext, record: PersonalDoc) -> None:
    with any_ctx.db.session() as session:
        row = session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == record.document_id,
                                                          PersonalDatum.kind == "phone")).one()
        row.status = "shown"
    text = view_document(any_ctx, None, record.document_id).text
    assert PHONE in text and CCCD not in text


def test_nobody_finds_the_record_by_a_masked_value_but_everybody_by_other_words(any_ctx: AppContext,
                                                                                record: PersonalDoc) -> None:
    archivist = _staff(any_ctx, record.users["archivist"])
    for reader in (None, archivist):  # staff find people through the entity index, not the shared one
        for query in (CCCD, "0912345678", "Nguyễn Văn Bình", "nguyen van binh"):
            assert search(any_ctx, reader, SearchRequest(query=query)).total == 0, (reader, query)
    page = search(any_ctx, None, SearchRequest(query="giao đất Hàng Trống"))
    assert [hit.document_id for hit in page.results] == [record.document_id]
    hit = page.results[0]
    assert _leaks(hit.snippet + json.dumps(hit.fields, ensure_ascii=False)) == []
    staff_hit = search(any_ctx, archivist, SearchRequest(query="giao đất Hàng Trống")).results[0]
    assert NAME in str(staff_hit.fields["subject"])  # the archivist's result reads the original


def test_the_public_record_metadata_is_masked(any_ctx: AppContext, record: PersonalDoc) -> None:
    meta = public_record(any_ctx, record.document_id)
    assert meta.subject is not None and NAME not in meta.subject and "[đã che: " in meta.subject


def test_the_review_screen_is_an_audited_view_of_originals(any_ctx: AppContext, record: PersonalDoc) -> None:
    archivist = _staff(any_ctx, record.users["archivist"])
    detail = get_document(any_ctx, record.document_id, principal=archivist)
    assert detail.id == record.document_id
    events = _views(any_ctx, archivist.username)
    assert [(e.entity_id, (e.payload or {}).get("channel")) for e in events] == [(record.document_id, "review")]
