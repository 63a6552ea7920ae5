"""Record validation against the standards, with Vietnamese and English messages."""

from __future__ import annotations

from sohoa.domain.validation import (
    validate_document_fields,
    validate_file_code,
    validate_fonds_code,
    validate_unit_identifier,
)


def test_unit_identifier() -> None:
    assert validate_unit_identifier("000.00.00.H26") == []
    assert validate_unit_identifier("HN.MOI.00070") == []
    problem = validate_unit_identifier("hn moi 00070")[0]
    assert "35" in problem.vi and "35" in problem.en
    assert validate_unit_identifier("A" * 36)


def test_fonds_and_file_codes() -> None:
    assert validate_fonds_code("G09") == [] and validate_fonds_code("X" * 14)
    assert validate_file_code("H26.00070.2025.01.VP") == []
    assert validate_file_code("a b c") and validate_file_code("X" * 31)


def test_document_fields() -> None:
    good = {"type_name": "Kế hoạch", "code_number": "155", "code_notation": "KH-UBND", "issued_date": "2025-06-05"}
    assert validate_document_fields(good) == []
    assert validate_document_fields({**good, "code_notation": "2025/QĐ-UBND", "type_name": "Quyết định"}) == []
    assert validate_document_fields({"code_number": "15", "code_notation": "CV/TU"}) == []
    mismatch = validate_document_fields({**good, "type_name": "Quyết định"})
    assert [p.field for p in mismatch] == ["code_notation"]
    assert {p.field for p in validate_document_fields({"issued_date": "2025-13-01", "code_number": "1a"})} == {
        "issued_date", "code_number"}
    assert validate_document_fields({"subject": "x" * 501})[0].en.startswith("Field subject")
    assert validate_document_fields({"type_name": "Sắc lệnh"})[0].field == "type_name"
