"""Document type names on English pages: the NĐ 30 type as stored, typed or read in capitals is named in English;
a type outside the list is shown as written."""

from __future__ import annotations

from sohoa.domain.codes import DOCUMENT_TYPES, DOCUMENT_TYPES_EN
from sohoa.web.labels import label


def test_every_type_has_an_english_name() -> None:
    assert {t.name for t in DOCUMENT_TYPES} == set(DOCUMENT_TYPES_EN)
    assert all(label("doctype", t.name, "en") == DOCUMENT_TYPES_EN[t.name] for t in DOCUMENT_TYPES)
    assert label("doctype", "Quyết định", "vi") == "Quyết định"


def test_a_type_as_read_or_typed_is_named_too() -> None:
    assert label("doctype", "QUYẾT ĐỊNH", "en") == "Decision"
    assert label("doctype", " công văn ", "en") == "Official letter"
    assert label("doctype", "QUYẾT ĐỊNH", "vi") == "QUYẾT ĐỊNH"  # Vietnamese pages show it as stored
    assert label("doctype", "Giấy khen", "en") == "Giấy khen"  # off the list: as written
    assert label("doctype", None, "en") == "—"
