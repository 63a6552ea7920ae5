"""Field extraction on laid-out OCR pages: header columns, number variants, dates, titles, signers, stamps."""

from __future__ import annotations

import pytest

from sohoa.domain.fields import DocumentFields
from sohoa.intelligence import BaselineFieldExtractor, RuleFieldExtractor, extract_fields
from sohoa.intelligence._number import format_so_ky_hieu

from .pages import PageBuilder, first_page, signer_page


def fields_of(pb: PageBuilder) -> DocumentFields:
    return extract_fields([pb.page()])


def test_decision_first_page_with_shared_header_lines() -> None:
    pb = first_page()
    signer_page(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "Trần Thị Bình", builder=pb)
    found = fields_of(pb)
    assert found.as_fields() == {
        "type_name": "Quyết định",
        "code_number": "162",
        "code_notation": "QĐ-UBND",
        "issued_date": "2025-06-05",
        "place": "Phúc Đồng",
        "organ_name": "ỦY BAN NHÂN DÂN PHƯỜNG PHÚC ĐỒNG",
        "parent_organ_name": None,
        "subject": "Về việc ban hành Quy chế làm việc",
        "signer_position": "PHÓ CHỦ TỊCH",
        "signer_full_name": "Trần Thị Bình",
        "secrecy": None,
        "urgency": None,
    }
    assert found.get("signer_block") == "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    number = found.values["code_number"]
    assert number.page == 1 and number.boxes and number.rule == "number.so_line" and not number.needs_review
    # The number's box is in the left column even though Tesseract read both columns as one line.
    assert number.boxes[0].x1 < 0.5 * 2480
    assert 0.8 < number.confidence <= 1.0


@pytest.mark.parametrize(
    ("line", "number", "notation"),
    [
        ("Sô: 162/QĐ-UBND", "162", "QĐ-UBND"),
        ("S6: 162/QĐ-UBND", "162", "QĐ-UBND"),
        ("Số : 162 / QĐ - UBND", "162", "QĐ-UBND"),
        ("Số:2750 /QĐ-BGDĐT", "2750", "QĐ-BGDĐT"),
        ("Số: 05/QÐ-UBND", "05", "QĐ-UBND"),  # Icelandic Ð (U+00D0)
        ("Số: 12/QD-UBND", "12", "QĐ-UBND"),  # lost stroke on a type abbreviation
        ("Số: 12/2025/QĐ-UBND", "12", "2025/QĐ-UBND"),
        ("Số: 1656/NQ-UBTVQH15", "1656", "NQ-UBTVQH15"),
        ("Số: 15-CV/TU", "15", "CV/TU"),
    ],
)
def test_number_variants(line: str, number: str, notation: str) -> None:
    found = fields_of(first_page(number=line))
    assert found.get("code_number") == number
    assert found.get("code_notation") == notation


def test_garbled_type_group_is_repaired_only_when_the_title_confirms_it() -> None:
    found = fields_of(first_page(number="Số: 136/TTTr-SYT", title="TỜ TRÌNH"))
    assert found.get("code_notation") == "TTr-SYT"
    assert found.values["code_notation"].rule == "notation.repaired_by_title"
    # Without a confirming title nothing is guessed.
    assert fields_of(first_page(number="Số: 136/TTTr-SYT", title=None)).get("code_notation") == "TTTr-SYT"


def test_canonical_sign_is_rebuilt_from_number_and_notation() -> None:
    assert format_so_ky_hieu("28", "2021/NĐ-CP") == "28/2021/NĐ-CP"
    assert format_so_ky_hieu("162", "UBND-VP") == "162/UBND-VP"
    assert format_so_ky_hieu("15", "CV/TU") == "15-CV/TU"
    assert format_so_ky_hieu(None, None) is None


def test_legal_normative_type_comes_from_the_sign_when_the_title_is_missing() -> None:
    found = fields_of(
        first_page(
            number="Số: 28/2021/NĐ-CP",
            organ=("CHÍNH PHỦ",),
            title=None,
            date_line="Hà Nội, ngày 26 tháng 3 năm 2021",
        )
    )
    assert found.get("type_name") == "Nghị định"
    assert found.get("organ_name") == "CHÍNH PHỦ"
    assert found.get("issued_date") == "2021-03-26"


def test_party_document_sign_is_a_cong_van() -> None:
    found = fields_of(
        first_page(number="Số: 15-CV/TU", organ=("ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "THÀNH ỦY"), title=None)
    )
    assert found.get("type_name") == "Công văn"
    assert found.get("organ_name") == "THÀNH ỦY"
    assert found.get("parent_organ_name") == "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI"


def test_cong_van_with_multi_line_vv_and_parent_organ() -> None:
    pb = first_page(
        organ=("UBND THÀNH PHỐ HÀ NỘI", "SỞ NỘI VỤ"), number="Số: 574/SNV-VP", title=None, body=()
    )
    pb.left(560, "V/v đăng ký bổ sung nội dung trình")
    pb.left(610, "HĐND thành phố tại kỳ họp thứ 31")
    pb.centre(800, "Kính gửi: Ủy ban nhân dân các phường")
    pb.body(900, "Thực hiện chỉ đạo của Ủy ban nhân dân thành phố về việc rà soát hồ sơ.")
    found = fields_of(pb)
    assert found.get("type_name") == "Công văn"
    assert found.get("subject") == "V/v đăng ký bổ sung nội dung trình HĐND thành phố tại kỳ họp thứ 31"
    assert found.get("organ_name") == "SỞ NỘI VỤ"
    assert found.get("parent_organ_name") == "UBND THÀNH PHỐ HÀ NỘI"
    assert found.get("recipients") == "Ủy ban nhân dân các phường"


def test_multi_line_subject_stops_at_the_body() -> None:
    found = fields_of(
        first_page(
            subject=("Về việc phê duyệt Kế hoạch ứng phó sự cố tràn dầu", "của Cửa hàng xăng dầu Long Sơn")
        )
    )
    assert (
        found.get("subject")
        == "Về việc phê duyệt Kế hoạch ứng phó sự cố tràn dầu của Cửa hàng xăng dầu Long Sơn"
    )


@pytest.mark.parametrize(
    ("line", "iso", "place"),
    [
        ("Hà Nội, ngày 05 tháng 6 năm 2025", "2025-06-05", "Hà Nội"),
        ("Hà Nội, ngảy 5 thang 6 nám 2025", "2025-06-05", "Hà Nội"),
        ("Hà Nội, ngày22 tháng10năm 2025", "2025-10-22", "Hà Nội"),
        ("Thành phố Hồ Chí Minh, ngày 29 tháng 06 năm 2019", "2019-06-29", "Thành phố Hồ Chí Minh"),
    ],
)
def test_date_line_variants(line: str, iso: str, place: str) -> None:
    found = fields_of(first_page(date_line=line))
    assert found.get("issued_date") == iso
    assert found.get("place") == place


def test_impossible_date_is_flagged_not_guessed() -> None:
    found = fields_of(first_page(date_line="Hà Nội, ngày 31 tháng 02 năm 2025"))
    assert found.get("issued_date") is None
    assert found.values["issued_date"].needs_review


def test_missing_handwritten_number_needs_review() -> None:
    found = fields_of(first_page(number="Số: /QĐ-UBND"))
    assert found.get("code_number") is None
    assert found.values["code_number"].needs_review
    assert found.get("code_notation") == "QĐ-UBND"


def test_garbled_low_confidence_digits_are_not_trusted() -> None:
    pb = PageBuilder(low={"8Y/QĐ-UBND": 0.3})
    found = fields_of(first_page(number="Số: 8Y/QĐ-UBND", builder=pb))
    value = found.values["code_number"]
    assert value.needs_review and value.confidence <= 0.4


def test_incoming_stamp_and_body_citations_are_not_the_document_number_or_date() -> None:
    pb = first_page(number="Số: /QĐ-UBND", date_line="Hà Nội, ngày tháng 3 năm 2021")
    pb.at(300, 60, "ĐẾN")
    pb.at(260, 110, "Số: 1234 Ngày: 29/3/21")
    found = fields_of(pb)
    assert found.get("code_number") is None
    assert found.get("issued_date") is None
    assert found.values["issued_date"].needs_review


def test_last_page_alone_yields_no_number_or_date_but_a_signer() -> None:
    pb = PageBuilder()
    pb.centre(120, "8")
    pb.body(300, "Điều 5. Bộ trưởng, Thủ trưởng cơ quan ngang bộ chịu trách nhiệm thi hành Nghị định này.")
    signer_page(("TM. CHÍNH PHỦ", "THỦ TƯỚNG"), "Nguyễn Xuân Phúc", builder=pb, y=800)
    found = fields_of(pb)
    assert found.get("code_number") is None and found.get("issued_date") is None
    assert found.get("signer_full_name") == "Nguyễn Xuân Phúc"
    assert found.get("signer_position") == "THỦ TƯỚNG"
    assert found.get("signer_block") == "TM. CHÍNH PHỦ / THỦ TƯỚNG"


def test_appendix_page_yields_no_number() -> None:
    pb = PageBuilder()
    pb.centre(200, "Phụ lục I")
    pb.centre(260, "DANH MỤC HỒ SƠ")
    pb.centre(320, "(Kèm theo Quyết định số 15/QĐ-UBND ngày 12 tháng 3 năm 2024 của UBND phường)")
    found = fields_of(pb)
    assert found.get("code_number") is None and found.get("issued_date") is None


def test_signer_on_the_last_of_several_pages() -> None:
    second = signer_page(("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "Lê Văn Cường").page()
    found = RuleFieldExtractor().extract([first_page().page(), second])
    assert found.get("signer_full_name") == "Lê Văn Cường"
    assert found.values["signer_full_name"].page == 2


@pytest.mark.parametrize(
    ("stamp", "key", "value"),
    [
        ("MẬT", "secrecy", "Mật"),
        ("TỐI MẬT", "secrecy", "Tối mật"),
        ("HỎA TỐC", "urgency", "Hỏa tốc"),
        ("THƯỢNG KHẨN", "urgency", "Thượng khẩn"),
    ],
)
def test_stamps_as_standalone_lines(stamp: str, key: str, value: str) -> None:
    pb = first_page()
    pb.left(500, stamp)
    assert fields_of(pb).get(key) == value


def test_stamp_words_in_body_text_are_not_stamps() -> None:
    pb = first_page(body=("Tài liệu này thuộc độ mật, cần xử lý khẩn theo quy định hiện hành.",))
    found = fields_of(pb)
    assert found.get("secrecy") is None and found.get("urgency") is None


def test_tone_marks_lost_on_bold_capitals_are_restored_in_organ_names() -> None:
    found = fields_of(first_page(organ=("UY BAN NHAN DAN", "THANH PHO HA NOI")))
    assert found.get("organ_name") == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"


def test_baseline_reads_plain_text_only() -> None:
    pb = first_page()
    found = BaselineFieldExtractor().extract([pb.page()])
    assert found.get("code_number") == "162"
    # No columns: the first Tesseract line mixes the organ with the national name.
    assert found.get("organ_name") == "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert extract_fields([]).values == {}


def test_header_line_run_into_the_motto_and_lookalike_s_in_the_sign() -> None:
    pb = PageBuilder()
    # A low-resolution photo: no column gap, so organ and national name form one segment.
    pb.at(120, 200, "UBND THÀNH PHỐ ĐÀ NẴNG _ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pb.row(260, "SỞ GIÁO DỤC VÀ ĐÀO TẠO.", "Độc lập - Tự do - Hạnh phúc")
    pb.row(380, "Số: 1906. /§GDĐT-CTrTT", "Đà Nẵng, ngày 26tháng 7 năm 2020")
    found = fields_of(pb)
    assert found.get("parent_organ_name") == "UBND THÀNH PHỐ ĐÀ NẴNG"
    assert found.get("organ_name") == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert (found.get("code_number"), found.get("code_notation")) == ("1906", "SGDĐT-CTrTT")
    assert found.get("issued_date") == "2020-07-26"


def test_a_required_field_no_rule_found_is_empty_and_flagged() -> None:
    found = fields_of(first_page(date_line="", subject=()))
    assert found.get("code_number") == "162" and found.get("type_name") == "Quyết định"
    for name in ("issued_date", "subject"):
        assert found.get(name) is None
        assert found.values[name].needs_review and found.values[name].rule == f"{name}.not_found"
    assert "issued_date" in found.needing_review() and "issued_date" not in found.as_confidence()


def test_a_page_without_a_header_gets_no_not_found_flags() -> None:
    pb = PageBuilder()
    signer_page(("TM. CHÍNH PHỦ", "THỦ TƯỚNG"), "Nguyễn Xuân Phúc", builder=pb, y=800)
    found = fields_of(pb)
    assert not any(v.rule.endswith(".not_found") for v in found.values.values())


def test_a_vv_line_makes_a_cong_van_whatever_the_signs_first_group() -> None:
    """'5348/CT-CS' of Cục Thuế: 'CT' is the organ's abbreviation, not Chỉ thị's code, since only a công văn
    carries 'V/v'; without the V/v line the same sign is read as a Chỉ thị."""
    def page(vv: bool) -> DocumentFields:
        pb = first_page(organ=("BỘ TÀI CHÍNH", "CỤC THUẾ"), number="Số: 5348/CT-CS",
                        date_line="Hà Nội, ngày 20 tháng 11 năm 2025", title=None, subject=())
        if vv:
            pb.left(450, "V/v hướng dẫn góp vốn điều lệ")
        return fields_of(pb)

    with_vv = page(True)
    assert with_vv.get("type_name") == "Công văn" and not with_vv.values["type_name"].needs_review
    assert with_vv.get("subject") == "V/v hướng dẫn góp vốn điều lệ"
    assert page(False).get("type_name") == "Chỉ thị"


def test_a_date_in_the_future_takes_the_year_the_page_prints_and_is_flagged() -> None:
    """'2025' read '2035' in an italic date line: no document is dated after it is read."""
    found = fields_of(first_page(number="Số: 84/2025/QĐ-UBND", date_line="Hà Tĩnh, ngày 02 tháng 12 năm 2035"))
    assert found.get("issued_date") == "2025-12-02" and found.values["issued_date"].needs_review
    alone = fields_of(first_page(date_line="Hà Tĩnh, ngày 02 tháng 12 năm 2095", body=("Căn cứ Luật;",)))
    assert alone.get("issued_date") == "2095-12-02" and alone.values["issued_date"].needs_review
    past = fields_of(first_page(date_line="Hà Tĩnh, ngày 02 tháng 12 năm 2015"))
    assert past.get("issued_date") == "2015-12-02" and not past.values["issued_date"].needs_review


def test_a_signer_whose_name_has_a_rare_rhyme_is_read() -> None:
    """'Phớc' (the rhyme 'ơc', rare but written in names: Phó Thủ tướng Hồ Đức Phớc) is a syllable."""
    pb = first_page()
    signer_page(("TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG"), "Hồ Đức Phớc", builder=pb)
    assert fields_of(pb).get("signer_full_name") == "Hồ Đức Phớc"


@pytest.mark.parametrize(("lines", "kept", "flagged"), [(7, 7, False), (10, 10, False), (12, 10, True)])
def test_a_long_trich_yeu_is_read_whole_or_flagged_where_cut(lines: int, kept: int, flagged: bool) -> None:
    subject = tuple(f"dòng thứ {i} của trích yếu" for i in range(1, lines + 1))
    found = fields_of(first_page(subject=("Về việc ban hành Quy chế", *subject[1:])))
    value = found.values["subject"]
    assert value.value is not None and value.value.count("trích yếu") == kept - 1
    assert value.needs_review is flagged


def test_a_trich_yeu_ending_in_a_sign_on_its_own_line_keeps_it() -> None:
    """'… thực hiện Nghị quyết số' / '66-NQ/TW': a line of capitals that is only a sign is no authority line."""
    found = fields_of(first_page(subject=("Ban hành Kế hoạch thực hiện Nghị quyết số", "66-NQ/TW")))
    assert found.get("subject") == "Ban hành Kế hoạch thực hiện Nghị quyết số 66-NQ/TW"
    authority = fields_of(first_page(subject=("Về việc ban hành Quy chế", "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG")))
    assert authority.get("subject") == "Về việc ban hành Quy chế"


@pytest.mark.parametrize(("line", "number", "notation"), [("Số: 11554/VPCP-V.I", "11554", "VPCP-V.I"),
                                                          ("Số: 1906 /SGDĐT.CTTT", "1906", "SGDĐT.CTTT")])
def test_a_sign_with_a_dot_is_read_and_flagged(line: str, number: str, notation: str) -> None:
    """'V.I' (Vụ I) is printed so; a hyphen OCR read as a dot is not: either way the sign goes to review and
    the number is still read."""
    found = fields_of(first_page(number=line, organ=("VĂN PHÒNG CHÍNH PHỦ",), title=None))
    assert (found.get("code_number"), found.get("code_notation")) == (number, notation)
    assert found.values["code_notation"].needs_review and not found.values["code_number"].needs_review


@pytest.mark.parametrize(("line", "expected"), [
    ("Về việc triển khai ”®chiến dịch", "Về việc triển khai chiến dịch"),
    ("Về việc sáp nhập tỉnh Quảng 'Trị", "Về việc sáp nhập tỉnh Quảng Trị"),
])
def test_specks_at_a_subject_words_edge_are_dropped_and_flagged(line: str, expected: str) -> None:
    found = fields_of(first_page(subject=(line,)))
    assert found.get("subject") == expected and found.values["subject"].needs_review


def test_quotes_and_brackets_in_a_subject_stay() -> None:
    line = "Về việc thực hiện “Năm dân vận” (sửa đổi)"
    found = fields_of(first_page(subject=(line,)))
    assert found.get("subject") == line


def test_a_trich_yeu_line_whose_last_word_ocr_lost_is_kept_and_flagged() -> None:
    """'trên địa bàn tỉnh Quảng [Ngãi]': the word lost moves the line's centre, but it lies within the line
    above, so it continues the trích yếu (for review); a body line, running to the margin, does not."""
    pb = first_page(subject=("Về việc triển khai sử dụng hóa đơn điện tử",), body=())
    pb.at(930, 640, "trên địa bàn tỉnh Quảng")
    pb.body(800, "Thực hiện Nghị định số 123/2020/NĐ-CP ngày 19/10/2020 của Chính phủ quy định về hóa đơn.")
    found = fields_of(pb).values["subject"]
    assert found.value == "Về việc triển khai sử dụng hóa đơn điện tử trên địa bàn tỉnh Quảng"
    assert found.needs_review


def test_a_header_whose_number_line_did_not_parse_flags_every_required_gap() -> None:
    """'Số: 4635' with its sign lost and no title or 'V/v' read: the header is there, so the number, the
    type and the trích yếu no rule found are added empty and flagged, not left silently empty."""
    found = fields_of(first_page(number="Số: 4635", title=None, subject=(), body=()))
    for name in ("code_number", "code_notation", "type_name", "subject"):
        assert found.get(name) is None and found.values[name].rule == f"{name}.not_found", name
        assert found.values[name].needs_review
    signature_only = fields_of(signer_page(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Trần Thị Bình"))
    assert not any(v.rule.endswith(".not_found") for v in signature_only.values.values())


def test_a_number_line_behind_a_speck_is_read() -> None:
    """'. Số: 28/2021/NĐ-CP': a speck of the scan read in front of the line (a cropped, rescanned top)."""
    found = fields_of(first_page(organ=(), number=". Số: 28/2021/NĐ-CP", title="NGHỊ ĐỊNH"))
    assert (found.get("code_number"), found.get("code_notation")) == ("28", "2021/NĐ-CP")
    assert not found.values["code_notation"].needs_review


def test_a_letters_sign_left_alone_by_a_lost_number_is_kept_and_flagged() -> None:
    """'/UBND-KTTH' alone under the organ ('Số:' lost with the handwritten number): a letter's sign has no
    type group, so it is kept for review with the number empty, never silently dropped."""
    found = fields_of(first_page(number="/UBND-KTTH", title=None,
                                 subject=("V/v tham gia ý kiến các dự thảo",)))
    assert found.get("code_notation") == "UBND-KTTH" and found.values["code_notation"].needs_review
    assert found.get("code_number") is None and found.values["code_number"].needs_review
    junk = fields_of(first_page(number="/ I-l. ,", title=None, subject=("V/v tham gia ý kiến các dự thảo",)))
    assert junk.get("code_notation") is None and junk.values["code_notation"].needs_review


def test_a_sign_whose_slash_was_lost_under_the_number_keeps_its_type_group() -> None:
    """'Số: 4# QĐ-UBND': the pen's number hid the slash; the dash is the sign's own, not a Party number's."""
    found = fields_of(first_page(number="Số: 4# QĐ-UBND"))
    assert found.get("code_notation") == "QĐ-UBND" and found.get("type_name") == "Quyết định"
    assert found.get("code_number") is None and found.values["code_number"].needs_review
    typed = fields_of(first_page(number="Số: 12 QĐ-UBND"))
    assert (typed.get("code_number"), typed.get("code_notation")) == ("12", "QĐ-UBND")
    party = fields_of(first_page(organ=("ĐẢNG BỘ TỈNH QUẢNG NGÃI", "TỈNH ỦY"), number="Số 15-CV/TU"))
    assert (party.get("code_number"), party.get("code_notation")) == ("15", "CV/TU")


def test_a_sign_group_mixing_digits_with_a_digit_shaped_letter_is_reviewed() -> None:
    """'CV-PAS3' for the police unit 'PA83': OCR's 8 and S look alike, so the sign goes to review."""
    organ = ("CÔNG AN TP ĐÀ NẴNG", "PHÒNG AN NINH CHÍNH TRỊ NỘI BỘ")
    found = fields_of(first_page(organ=organ, number="Số: 115 /CV-PAS3"))
    assert found.get("code_notation") == "CV-PAS3" and found.values["code_notation"].needs_review
    for sign in ("CV-PA83", "QĐ-BCĐ389", "QĐ-UBND"):
        clean = fields_of(first_page(organ=organ, number=f"Số: 115 /{sign}"))
        assert clean.get("code_notation") == sign and not clean.values["code_notation"].needs_review, sign


def test_a_handwritten_number_split_by_a_slash_leaves_the_sign_whole() -> None:
    """'Số: 4/35 /SGDĐT-CTrTT': a pen digit read as a slash; the '35' is the number's, never a group."""
    found = fields_of(first_page(organ=("UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
                                 number="Số: 4/35 /SGDĐT-CTrTT", title=None))
    assert found.get("code_notation") == "SGDĐT-CTrTT"
    assert found.get("code_number") is None and found.values["code_number"].needs_review
    decree = fields_of(first_page(number="Số: 12/2021/NĐ-CP", title="NGHỊ ĐỊNH"))
    assert (decree.get("code_number"), decree.get("code_notation")) == ("12", "2021/NĐ-CP")
