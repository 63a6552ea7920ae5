"""What crosses the archive's edge carries no unmasked personal data: OAI-PMH metadata, IIIF manifests,
annotations and content search, the portal's browse list, the API's document list, one-stop-shop record
requests and catalogue exports — unless the token holds personal:read (then each record shown is audited)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from sohoa.db.models import Document, Event
from sohoa.services.catalogue.listing import list_documents
from sohoa.services.identity.tokens import ApiClient, create_token
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.catalogue_export import collect_records
from sohoa.services.sharing.iiif import IiifUrls, document_manifest, file_collection
from sohoa.services.sharing.iiif_text import page_annotations, search_within
from sohoa.services.sharing.oai import OaiCaller, answer
from sohoa.services.sharing.portal_browse import BrowseFilters, browse
from sohoa.services.sharing.record_requests import RecordAsk, answer_request
from tests.shared._personal_doc import (
    CCCD,
    NAME,
    PHONE,
    PersonalDoc,
    indexed_personal_doc,
)

SECRETS = (CCCD, "001 190 034 567", PHONE, "0912345678", NAME, "Nguyen Van Binh", "125, tờ bản đồ số 17")
URLS = IiifUrls("https://luutru.example.vn", staff=False)


@pytest.fixture
def record(any_ctx: AppContext) -> PersonalDoc:
    return indexed_personal_doc(any_ctx)


def _leaks(data: object) -> list[str]:
    text = data.decode("utf-8") if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False, default=str)
    return [s for s in SECRETS if s in text]


def _token(ctx: AppContext, scopes: set[str]) -> ApiClient:
    _secret, info = create_token(ctx, "t-" + "-".join(sorted(scopes)).replace(":", ""), scopes)
    return ApiClient(token_id=info.id, name=info.name, scopes=frozenset(scopes), unit_id=None)


def _oai(ctx: AppContext, client: ApiClient | None, verb: str, **args: str) -> bytes:
    caller = OaiCaller(client.principal() if client else None, f"k{client.token_id}" if client else "anon",
                       client.principal().username if client else "anonymous")
    return answer(ctx, caller, {"verb": [verb], **{k: [v] for k, v in args.items()}}, "https://luutru.example.vn")


def test_oai_metadata_is_masked_unless_the_token_may_read_personal_data(any_ctx: AppContext,
                                                                        record: PersonalDoc) -> None:
    for prefix in ("oai_dc", "nd30"):
        listed = _oai(any_ctx, None, "ListRecords", metadataPrefix=prefix)
        assert b"<record>" in listed or b"record>" in listed
        assert _leaks(listed) == [], prefix
        assert "[đã che: ".encode() in listed
    reader = _token(any_ctx, {"read:public", "personal:read"})
    got = _oai(any_ctx, reader, "GetRecord", metadataPrefix="oai_dc",
               identifier=f"oai:{any_ctx.settings.oai_repository_id}:doc/{record.document_id}")
    assert NAME.encode() in got
    with any_ctx.db.session() as session:
        audited = session.scalars(select(Event).where(Event.action == "personal.view",
                                                      Event.actor == reader.principal().username)).all()
    assert [(e.entity_id, (e.payload or {}).get("channel")) for e in audited] == [(record.document_id, "oai")]


def test_iiif_manifest_annotations_and_search_are_masked(any_ctx: AppContext, record: PersonalDoc) -> None:
    published = document_manifest(any_ctx, None, record.document_id, URLS)
    assert _leaks(published.body) == [] and published.public
    assert "[đã che: " in json.dumps(published.body, ensure_ascii=False)
    with any_ctx.db.session() as session:
        file_id = session.get_one(Document, record.document_id).file_id
    assert file_id is not None
    assert _leaks(file_collection(any_ctx, None, file_id, URLS).body) == []
    annotations = page_annotations(any_ctx, None, record.document_id, 1, URLS)
    assert _leaks(annotations) == [] and "[đã che: số CCCD]" in json.dumps(annotations, ensure_ascii=False)
    assert search_within(any_ctx, None, record.document_id, CCCD, URLS)["items"] == []
    assert search_within(any_ctx, None, record.document_id, "Nguyễn Văn Bình", URLS)["items"] == []
    assert search_within(any_ctx, None, record.document_id, "Hàng Trống", URLS)["items"]  # other words: found
    reader = _token(any_ctx, {"read:public", "personal:read"})
    staff = document_manifest(any_ctx, reader.principal(), record.document_id, URLS)
    assert NAME in json.dumps(staff.body, ensure_ascii=False)
    assert not staff.public  # originals are never a shared cache's answer


def test_portal_browse_api_list_record_requests_and_exports_are_masked(any_ctx: AppContext,
                                                                        record: PersonalDoc) -> None:
    listing = browse(any_ctx, BrowseFilters())
    assert [item.document_id for item in listing.items] == [record.document_id]
    assert _leaks([item.fields for item in listing.items]) == []
    public_token = _token(any_ctx, {"read:public", "records:request"})
    items, _ = list_documents(any_ctx, public_token.principal())
    assert items and _leaks([item.fields for item in items]) == []
    ask = RecordAsk(purpose="Giải quyết thủ tục đất đai", case_reference="HS-2026-001", person_name="Nguyễn Văn Bình")
    found = answer_request(any_ctx, public_token.principal(), public_token.token_id, ask)
    assert [m.document_id for m in found.results] == [record.document_id]
    assert _leaks([m.subject for m in found.results]) == []
    reader = _token(any_ctx, {"read:public", "records:request", "personal:read"})
    found = answer_request(any_ctx, reader.principal(), reader.token_id, ask)
    assert NAME in str(found.results[0].subject)
    exported = collect_records(any_ctx, None, file_code="F.PD.1")
    assert exported and _leaks([r.subject for r in exported]) == []
