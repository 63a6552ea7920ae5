"""Organ block, type without a title, signer without its title lines (issue #12: issuer, type, signer)."""

from __future__ import annotations

import pytest

from sohoa.domain.fields import DocumentFields
from sohoa.intelligence import extract_fields
from sohoa.intelligence._organ_names import organ_name_known

from .pages import PageBuilder, first_page, signer_page


def fields_of(pb: PageBuilder) -> DocumentFields:
    return extract_fields([pb.page()])


@pytest.mark.parametrize("name", [
    "CHÍNH PHỦ", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "UBND THÀNH PHỐ ĐÀ NẴNG", "CÔNG AN TP ĐÀ NẴNG", "PHÒNG AN NINH CHÍNH TRỊ NỘI BỘ",
    "PHÒNG TÀI CHÍNH - KẾ HOẠCH", "PHÒNG KINH TẾ, HẠ TẦNG VÀ ĐÔ THỊ", "VĂN PHÒNG HĐND VÀ UBND",
    "ỦY BAN NHÂN DÂN HUYỆN BÌNH SƠN TỈNH QUẢNG NGÃI", "HỘI ĐỒNG NHÂN DÂN PHƯỜNG Ô CHỢ DỪA", "THÀNH ỦY",
    "TRƯỜNG ĐẠI HỌC BÁCH KHOA", "Sở Y tế",
])
def test_names_of_bodies_parse(name: str) -> None:
    assert organ_name_known(name)


@pytest.mark.parametrize("name", [
    "PHÒNG AN CHÍNH TRỊ NỘI BỘ",  # a word lost
    "SỞ GIAO DVC vA DA° TAO S6: 463Y SGDDT -CTrTT",  # a poor reading with the number line swallowed
    "ỦY BAN NHÂN DÂN CONG TIIANH PHO ĐÀ NẴNG",  # garbled letters
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÁI",  # a province misread into another syllable
    "BỒ GIÁO DỤC VÀ ĐÀO TẠO",  # a wrong tone mark
    "SỞ GIÁO DỤC VÀ",  # cut short
    "ỦY BAN NHÂN DÂN",  # the unit's line lost
])
def test_names_read_wrong_do_not_parse(name: str) -> None:
    assert not organ_name_known(name)


def test_an_organ_that_does_not_parse_is_sent_to_review() -> None:
    found = fields_of(first_page(organ=("CÔNG AN TP ĐÀ NẴNG", "PHÒNG AN CHÍNH TRỊ NỘI BỘ")))
    organ = found.values["organ_name"]
    assert organ.value == "PHÒNG AN CHÍNH TRỊ NỘI BỘ" and organ.needs_review and organ.confidence <= 0.4
    assert found.get("parent_organ_name") == "CÔNG AN TP ĐÀ NẴNG"
    assert not found.values["parent_organ_name"].needs_review
    clean = fields_of(first_page()).values["organ_name"]
    assert not clean.needs_review and clean.rule == "organ.header_left"


@pytest.mark.parametrize("number_line", ["S6: 463Y SGDDT -CTrTT", "S& 5?AD /UBND-SGDDT"])
def test_a_misread_number_line_under_the_organ_is_not_part_of_it(number_line: str) -> None:
    pb = PageBuilder()
    pb.row(200, "UBND THÀNH PHỐ ĐÀ NẴNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pb.row(260, "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Độc lập - Tự do - Hạnh phúc")
    # Neither the number (its label misread) nor the date (a poor reading) is found: the organ block has no
    # lower limit but the upper quarter of the page.
    pb.left(340, number_line)
    pb.right(345, "Da Nang, ngay,94 thcing 5 nam 2019")
    pb.left(420, "V/v bảo đảm trật tự an toàn giao thông")
    found = fields_of(pb)
    assert found.get("organ_name") == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert not found.values["organ_name"].needs_review


def test_a_rule_read_as_a_dash_in_front_of_the_organ_is_dropped() -> None:
    organ = ("UBND THÀNH PHỐ ĐÀ NẴNG", "- SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    found = fields_of(first_page(organ=organ, number="Số: 15/SGDĐT-VP"))
    assert found.get("organ_name") == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert found.get("parent_organ_name") == "UBND THÀNH PHỐ ĐÀ NẴNG"


def test_a_cong_van_whose_number_is_unreadable_is_typed_by_its_vv_line() -> None:
    pb = PageBuilder()
    pb.row(200, "CÔNG AN TP ĐÀ NẴNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pb.row(260, "PHÒNG AN NINH CHÍNH TRỊ NỘI BỘ", "Độc lập - Tự do - Hạnh phúc")
    pb.row(340, "Số: 445", "Đà Nẵng, ngày 26 tháng 4 năm 2018")  # the sign after the number not read
    pb.left(420, "V/v thông báo hoạt động của tà đạo")
    pb.left(480, "Hội thánh Đức Chúa trời")
    pb.body(640, "Thời gian qua, tại nhiều tỉnh thành trên cả nước, nổi lên hoạt động của hệ phái.")
    found = fields_of(pb)
    assert found.get("code_number") is None
    assert found.get("type_name") == "Công văn" and found.values["type_name"].rule == "type.vv"
    assert found.get("subject") == "V/v thông báo hoạt động của tà đạo Hội thánh Đức Chúa trời"
    # No V/v line and no sign: no type is guessed.
    bare = PageBuilder()
    bare.row(200, "CÔNG AN TP ĐÀ NẴNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    bare.row(340, "Số: 445", "Đà Nẵng, ngày 26 tháng 4 năm 2018")
    bare.body(640, "Thời gian qua, tại nhiều tỉnh thành trên cả nước, nổi lên hoạt động của hệ phái.")
    assert fields_of(bare).get("type_name") is None


def test_a_sign_left_in_a_cropped_header_names_the_issuer() -> None:
    pb = PageBuilder()
    pb.row(80, "/2020/NĐ-CP", "Hà Nội, ngày 31 tháng 12 năm 2020")  # 'Số: 155' handwritten, not read
    pb.centre(220, "NGHỊ ĐỊNH")
    pb.centre(280, "Quy định chi tiết thi hành một số điều của Luật Chứng khoán")
    found = fields_of(pb)
    assert found.get("organ_name") == "CHÍNH PHỦ"
    assert found.values["organ_name"].rule == "organ.from_notation"
    # An agency group that names no single body ('UBND') gives no organ.
    other = PageBuilder()
    other.row(80, "/QĐ-UBND", "Hà Nội, ngày 31 tháng 12 năm 2020")
    other.centre(220, "QUYẾT ĐỊNH")
    assert fields_of(other).get("organ_name") is None


def test_a_signer_whose_title_lines_the_seal_hid_is_found_for_review() -> None:
    pb = PageBuilder()
    pb.body(300, "Điều 5. Bộ trưởng, Thủ trưởng cơ quan ngang bộ chịu trách nhiệm thi hành Nghị định này.")
    pb.at(400, 800, "Nơi nhận:")
    for i, line in enumerate(("- Ban Bí thư Trung ương Đảng;", "- Văn phòng Quốc hội;", "- Lưu: VT."), 1):
        pb.at(400, 800 + 60 * i, line)
    pb.right(1150, "Nguyễn Xuân Phúc")  # no "TM. CHÍNH PHỦ" / "THỦ TƯỚNG" above it
    found = fields_of(pb)
    name = found.values["signer_full_name"]
    assert name.value == "Nguyễn Xuân Phúc" and name.needs_review and name.rule == "signer.name_alone"
    assert found.get("signer_position") is None
    # A full block is read as before, with its title lines.
    full = fields_of(signer_page(("TM. CHÍNH PHỦ", "THỦ TƯỚNG"), "Nguyễn Xuân Phúc", y=800))
    assert full.get("signer_position") == "THỦ TƯỚNG" and full.values["signer_full_name"].rule != "signer.name_alone"


def test_two_names_without_titles_are_not_taken_for_the_signer() -> None:
    pb = PageBuilder()
    pb.at(400, 800, "Nơi nhận:")
    pb.at(400, 860, "- Lưu: VT.")
    pb.right(1100, "Nguyễn Văn An")
    pb.right(1300, "Trần Thị Bình")
    assert fields_of(pb).get("signer_full_name") is None


def test_a_cong_van_told_by_its_sign_alone_is_sent_to_review() -> None:
    confirmed = fields_of(first_page(number="Số: 574/SNV-VP", title=None, subject=(), body=()))
    alone = confirmed.values["type_name"]
    assert alone.value == "Công văn" and alone.rule == "type.cong_van_sign" and alone.needs_review
    pb = PageBuilder()
    pb.row(200, "UBND THÀNH PHỐ HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pb.row(260, "SỞ NỘI VỤ", "Độc lập - Tự do - Hạnh phúc")
    pb.row(340, "Số: 574/SNV-VP", "Hà Nội, ngày 05 tháng 6 năm 2025")
    pb.left(420, "V/v tổ chức hội nghị tổng kết")
    with_vv = fields_of(pb).values["type_name"]
    assert with_vv.value == "Công văn" and not with_vv.needs_review
