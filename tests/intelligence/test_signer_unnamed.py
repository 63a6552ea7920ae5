"""A signature block whose name OCR lost (a signature or seal over it, a faint typed name): the page is signed,
so the signer's name is expected; it is reported empty and flagged, with the block's title as the position,
never left out silently. A page with no block (an appendix) is left as it is."""

from __future__ import annotations

import pytest

from sohoa.domain.fields import DocumentFields
from sohoa.intelligence import extract_fields

from .pages import PageBuilder, signer_page


def fields_of(pb: PageBuilder) -> DocumentFields:
    return extract_fields([pb.page()])


@pytest.mark.parametrize(("lines", "title"), [
    (("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "PHÓ CHỦ TỊCH"),
    (("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"), "THỨ TRƯỞNG"),
    (("TL. GIÁM ĐỐC",), "TL. GIÁM ĐỐC"),
    (("GIÁM ĐỐC",), "GIÁM ĐỐC"),  # no authority line: a title at the right of 'Nơi nhận'
])
def test_a_block_without_its_name_flags_the_empty_name(lines: tuple[str, ...], title: str) -> None:
    found = fields_of(signer_page(lines, "", y=1200))
    name = found.values["signer_full_name"]
    assert name.value is None and name.needs_review and name.rule == "signer.name_not_found"
    position = found.values["signer_position"]
    assert position.value == title and position.needs_review


def test_a_block_with_its_name_is_read_as_before() -> None:
    found = fields_of(signer_page(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Nguyễn Văn An", y=1200))
    name = found.values["signer_full_name"]
    assert name.value == "Nguyễn Văn An" and name.rule == "signer.name_last_line"
    assert found.get("signer_position") == "CHỦ TỊCH"


def test_a_page_without_a_block_flags_no_signer() -> None:
    pb = PageBuilder()
    pb.body(600, "Phụ lục I: Danh mục các thủ tục hành chính được chuẩn hóa.")
    pb.body(700, "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ.")
    assert fields_of(pb).get("signer_full_name") is None
    # Capitals at the right of the header (the motto's line) are no block.
    header = PageBuilder()
    header.row(200, "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    header.row(260, "TỈNH QUẢNG NGÃI", "Độc lập - Tự do - Hạnh phúc")
    assert fields_of(header).get("signer_full_name") is None
