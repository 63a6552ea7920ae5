"""The NĐ 30 field table: one rule set, the same verdict on every screen, and the table drives labels,
the review form, exports, the PDF/A XMP and the search index."""

from __future__ import annotations

import io
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from types import SimpleNamespace
from typing import cast

import pikepdf
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from sohoa.app import create_app
from sohoa.db.models import Document
from sohoa.domain import field_rules
from sohoa.domain.fields import FIELD_BY_NAME, FIELD_NAMES, FIELDS, FieldKind, IndexRole, check_field
from sohoa.domain.validation import field_errors, validate_document_fields
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.http.i18n import FIELD_LABELS, translate
from sohoa.services.catalogue import search_export
from sohoa.services.platform.context import AppContext
from sohoa.services.production import review
from sohoa.services.production.ingest_store import document_index_doc
from tests.web import _helpers as helpers

TODAY = field_rules.today_in_vietnam()
NEXT_YEAR = TODAY.year + 1


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# (field, value, valid): every kind of field, the boundaries of each rule, and the forms people type.
CASES: list[tuple[str, str, bool]] = [
    ("type_name", "Quyết định", True),
    ("type_name", "quyết định", True),
    ("type_name", _nfd("Kế hoạch"), True),
    ("type_name", "Kế hoạch ", True),
    ("type_name", "Sắc lệnh", False),
    ("code_number", "155", True),
    ("code_number", "05", True),
    ("code_number", "1" * 11, True),
    ("code_number", "1" * 12, False),
    ("code_number", "12a", False),
    ("code_number", "²", False),           # str.isdigit() says yes: not an Arabic numeral
    ("code_number", "١٢", False),          # Arabic-Indic digits
    ("code_number", "15-CV", True),
    ("code_notation", "KH-UBND", True),
    ("code_notation", "2025/QĐ-UBND", True),
    ("code_notation", "CV/TU", True),
    ("code_notation", "QÐ-UBND", True),    # OCR look-alike Ð (U+00D0) read as Đ
    ("code_notation", "kh ubnd", False),
    ("code_notation", "KH-" + "A" * 30, False),
    ("issued_date", "05/06/2020", True),
    ("issued_date", "5/6/2020", True),
    ("issued_date", "05-06-2020", True),
    ("issued_date", "2020-06-05", True),
    ("issued_date", "31/02/2020", False),
    ("issued_date", "2020-02-31", False),
    ("issued_date", "2025-13-01", False),
    ("issued_date", "20200605", False),
    ("issued_date", "ngày 5 tháng 6", False),
    ("issued_date", "01/01/1945", True),
    ("issued_date", "31/12/1944", False),
    ("issued_date", "1900-01-01", False),
    ("issued_date", TODAY.strftime("%d/%m/%Y"), True),
    ("issued_date", TODAY.isoformat(), True),
    ("issued_date", (TODAY + timedelta(days=1)).isoformat(), False),
    ("issued_date", f"01/01/{NEXT_YEAR}", False),
    ("place", "Hà Nội", True),
    ("organ_name", "Ủy ban nhân dân phường Hoàn Kiếm", True),
    ("organ_name", "Ủ" * 200, True),
    ("organ_name", _nfd("Ủ" * 200), True),  # 400 code points in NFD, 200 in NFC
    ("organ_name", "Ủ" * 201, False),
    ("parent_organ_name", "Ủy ban nhân dân thành phố Hà Nội", True),
    ("parent_organ_name", "x" * 201, False),
    ("subject", _nfd("Về việc hòa giải ở cơ sở"), True),
    ("subject", "x" * 500, True),
    ("subject", "x" * 501, False),
    ("signer_position", "CHỦ TỊCH", True),
    ("signer_position", "x" * 101, False),
    ("signer_full_name", "Nguyễn Văn An", True),
    ("signer_full_name", "x" * 51, False),
    ("secrecy", "Mật", True),
    ("secrecy", "TUYỆT MẬT", True),
    ("secrecy", _nfd("Tối mật"), True),
    ("secrecy", "Bí mật", False),
    ("urgency", "Hỏa tốc", True),
    ("urgency", "Hoả tốc", True),          # old tone placement
    ("urgency", "Khẩn cấp", False),
]


def test_every_field_kind_has_cases() -> None:
    assert {name for name, _, _ in CASES} == set(FIELD_NAMES)
    for spec in FIELDS:  # a field refuses some value unless it is free text of any length (the place)
        verdicts = {valid for name, _, valid in CASES if name == spec.name}
        assert verdicts == ({True} if spec.kind is FieldKind.PLACE else {True, False}), spec.name


@pytest.mark.parametrize(("name", "value", "valid"), CASES)
def test_ingest_and_review_give_the_same_verdict(name: str, value: str, valid: bool) -> None:
    ingest = [p.field for p in validate_document_fields({name: value})]
    form = review.validate_fields({name: value})
    assert (ingest == []) is valid, ingest
    assert (name not in form) is valid, form
    assert (check_field(name, value) is None) is valid
    if not valid:
        vi, en = form[name]
        assert vi != en and vi and en


def test_dates_are_read_in_both_orders_and_stored_iso() -> None:
    spec = FIELD_BY_NAME["issued_date"]
    assert spec.normalise("5/6/2020") == spec.normalise("05-06-2020") == spec.normalise("2020-06-05") == "2020-06-05"
    assert spec.column_value("2020-06-05") == date(2020, 6, 5)
    assert spec.display(date(2020, 6, 5)) == spec.display("2020-06-05") == "05/06/2020"
    assert spec.normalise("31/02/2020") == "31/02/2020"  # unparseable values stay as typed, and fail
    assert field_rules.check_date("2020-06-05", today=date(2020, 6, 4)) is not None


def test_code_list_values_are_stored_in_the_lists_spelling() -> None:
    assert FIELD_BY_NAME["type_name"].normalise("quyết định") == "Quyết định"
    assert FIELD_BY_NAME["secrecy"].normalise("TUYỆT MẬT") == "Tuyệt mật"
    assert FIELD_BY_NAME["urgency"].normalise("Hoả tốc") == "Hỏa tốc"
    text = FIELD_BY_NAME["subject"].normalise(_nfd(" Về việc hoà giải "))
    assert text == "Về việc hòa giải" and unicodedata.is_normalized("NFC", text)


def test_the_sign_must_agree_with_the_type_on_both_paths() -> None:
    values = {"type_name": "Quyết định", "code_notation": "KH-UBND"}
    assert [p.field for p in validate_document_fields(values)] == ["code_notation"]
    assert set(review.validate_fields(values)) == set(field_errors(values)) == {"code_notation"}
    assert review.validate_fields({"type_name": "Công văn", "code_notation": "UBND-VX"}) == {}


def test_labels_come_from_the_table() -> None:
    assert {spec.name: spec.label_vi for spec in FIELDS} == FIELD_LABELS
    for spec in FIELDS:
        assert translate(spec.label_vi, "en") == spec.label_en
        assert translate(spec.name, "vi") == spec.label_vi


def test_exports_take_their_columns_from_the_table() -> None:
    keys = [key for _, key, _ in search_export.COLUMNS]
    exported = [spec for spec in FIELDS if spec.export_label is not None]
    assert keys == ["document_id", *(spec.name for spec in exported), "access_level"]
    headers = {key: header for header, key, _ in search_export.COLUMNS}
    assert all(headers[spec.name] == spec.export_label and spec.export_width > 0 for spec in exported)
    assert {"type_name", "code_number", "code_notation", "issued_date", "organ_name", "subject"} <= set(keys)


def test_every_field_is_written_to_the_pdfa_xmp_under_its_key() -> None:
    values = {"type_name": "Quyết định", "code_number": "15", "code_notation": "QĐ-UBND",
              "issued_date": "2020-06-05", "place": "Hà Nội", "organ_name": "Ủy ban nhân dân phường Thử",
              "parent_organ_name": "Ủy ban nhân dân quận Thử", "subject": "Về việc thành lập tổ công tác",
              "signer_position": "Chủ tịch", "signer_full_name": "Nguyễn Văn An", "secrecy": "Mật",
              "urgency": "Khẩn"}
    assert set(values) == set(FIELD_NAMES)
    image = io.BytesIO()
    Image.new("L", (200, 100), 255).save(image, "PNG")
    out = io.BytesIO()
    write_pdfa([PdfPageInput(image.getvalue(), "image/png", 300, None)], out, title="t", fields=values)
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        tree = ET.fromstring(bytes(pdf.Root.Metadata.read_bytes()))
    ns = {"sohoa": "https://sohoa.vn/ns/1.0/", "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}
    declared = {el.text for el in tree.iterfind(".//pdfaProperty:name", ns)}
    for spec in FIELDS:
        assert tree.findtext(f".//sohoa:{spec.xmp_key}", namespaces=ns) == values[spec.name]
        assert spec.xmp_key in declared
    descriptions = " ".join(el.text or "" for el in tree.iterfind(".//pdfaProperty:description", ns))
    assert all(spec.label_en in descriptions for spec in FIELDS)


def test_the_index_takes_fields_by_their_role() -> None:
    values = {spec.name: f"giá trị {spec.name}" for spec in FIELDS}
    signed = {"_signatures": {"signers": ["Ủy ban nhân dân tỉnh Quảng Ngãi — Tỉnh Quảng Ngãi"]}}
    doc = cast(Document, SimpleNamespace(id=7, text="toàn văn", provenance=signed, **values))
    indexed = document_index_doc(doc)
    assert "Ủy ban nhân dân tỉnh Quảng Ngãi — Tỉnh Quảng Ngãi" in indexed.text  # who signed the master PDF
    for spec in FIELDS:
        assert (values[spec.name] in indexed.text) is (spec.index is IndexRole.TEXT)
        assert (values[spec.name] in indexed.codes) is (spec.index is IndexRole.SIGN)
    assert indexed.codes == "giá trị code_number/giá trị code_notation" and "toàn văn" in indexed.text


@pytest.mark.parametrize(("typed", "stored", "valid"), [
    ("05/06/2020", date(2020, 6, 5), True),
    ("2020-06-05", date(2020, 6, 5), True),
    ("31/12/1944", None, False),
    (f"01/01/{NEXT_YEAR}", None, False),
])
def test_the_review_form_saves_what_ingest_accepts(any_ctx: AppContext, typed: str, stored: date | None,
                                                   valid: bool) -> None:
    """Through the real form: the same verdict, labels in both languages, dates stored as dates."""
    helpers.users(any_ctx)
    _acc, (file_id,) = helpers.accession_with_files(any_ctx)
    doc_id = helpers.document(any_ctx, file_id, type_name="Quyết định")
    client = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = helpers.login(client, "archivist")
    screen = client.get(f"/review/{doc_id}").text
    assert all(f'id="f-{spec.name}"' in screen and spec.label_vi in screen for spec in FIELDS)
    client.get(f"/lang/en?next=/review/{doc_id}")
    assert all(spec.label_en.replace("'", "&#39;") in client.get(f"/review/{doc_id}").text for spec in FIELDS)
    saved = client.post(f"/review/{doc_id}", data={"issued_date": typed, "code_number": "12",
                                                   "csrf_token": token, "action": "save"})
    assert (saved.status_code == 200) is valid and (validate_document_fields({"issued_date": typed}) == []) is valid
    with any_ctx.db.session() as session:
        row = session.get(Document, doc_id)
        assert row is not None
        assert row.issued_date == stored
        assert row.code_number == ("12" if valid else None)
