"""OCR post-correction: fixes injected diacritic errors, never touches clean text."""

from __future__ import annotations

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import correct_page
from sohoa.intelligence.syllables import is_valid_syllable

CLEAN = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
    "Xét đề nghị của Giám đốc Sở Nội vụ, Ủy ban nhân dân thành phố quyết định ban hành kế hoạch số hóa "
    "tài liệu lưu trữ. Các cơ quan, đơn vị khẩn trương rà soát hồ sơ và gửi báo cáo trước ngày 30 tháng 6.\n"
    "Nguyễn Thị Hòe, Phạm Văn Khuê; email: vanthu@hanoi.gov.vn; COVID-19; UBND; 15/QĐ-UBND."
)


def page_of(text: str, conf: float = 0.95, low: frozenset[str] = frozenset()) -> OcrPage:
    words = []
    for n, line in enumerate(text.splitlines()):
        for i, token in enumerate(line.split()):
            c = 0.55 if token in low else conf
            words.append(Word(token, BBox(60 * i, 60 * n, 60 * i + 50, 60 * n + 40), c, 1, n))
    return OcrPage(2480, 3508, 300, tuple(words))


def test_clean_paragraph_is_byte_identical_even_at_middling_confidence() -> None:
    for conf in (0.95, 0.85):
        page = page_of(CLEAN, conf)
        assert correct_page(page).text == page.text
    assert correct_page(page_of(CLEAN)) is not None


def test_rare_valid_names_with_low_confidence_are_kept() -> None:
    page = page_of("Ông Phạm Văn Khuê và bà Nguyễn Thị Hoè", low=frozenset({"Khuê", "Hoè"}))
    # Only tone placement is canonicalised (hoè → hòe); the letters stay.
    assert correct_page(page).text == "Ông Phạm Văn Khuê và bà Nguyễn Thị Hòe"


def test_injected_tone_and_vowel_errors_are_fixed() -> None:
    noisy = "Căn cứ Luật Tố chức chính quyền địa phương; Sô lượng hồ so tài liêu lưu trữ được số hoá"
    low = frozenset({"Tố", "Sô", "so", "liêu"})
    fixed = correct_page(page_of(noisy, low=low)).text
    assert fixed == "Căn cứ Luật Tổ chức chính quyền địa phương; Số lượng hồ sơ tài liệu lưu trữ được số hóa"


def test_capitals_that_lost_their_tone_marks_are_restored() -> None:
    page = page_of("UY BAN NHAN DAN THANH PHO HA NOI\nĐộc lập - Tự do - Hạnh phúc")
    assert correct_page(page).text == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI\nĐộc lập - Tự do - Hạnh phúc"


def test_d_and_icelandic_eth_and_horn_confusions() -> None:
    page = page_of("Ðề nghị các cơ quan dơn vị khấn trương thực hiên", low=frozenset({"dơn", "khấn", "hiên"}))
    assert correct_page(page).text == "Đề nghị các cơ quan đơn vị khẩn trương thực hiện"


def test_garbled_words_without_a_valid_reading_are_left_alone() -> None:
    page = page_of("Khãẩn trương", low=frozenset({"Khãẩn"}))
    assert correct_page(page).text == "Khãẩn trương"


def test_boxes_and_confidences_are_kept() -> None:
    page = page_of("hồ so tài liệu", low=frozenset({"so"}))
    fixed = correct_page(page)
    assert [w.bbox for w in fixed.words] == [w.bbox for w in page.words]
    assert [w.conf for w in fixed.words] == [w.conf for w in page.words]
    assert fixed.words[1].text == "sơ"


def test_syllable_rules() -> None:
    for good in ("nghiêng", "quyết", "giữa", "gìn", "khuya", "thuở", "Đắk", "ỦY"):
        assert is_valid_syllable(good), good
    for bad in ("mat", "ngê", "ce", "cộngg", "UBND", "kiêu1", "qua1"):
        assert not is_valid_syllable(bad), bad


def _line(*tokens: tuple[str, float]) -> OcrPage:
    words = tuple(Word(t, BBox(80 * i, 100, 80 * i + 70, 140), c, 1, 1) for i, (t, c) in enumerate(tokens))
    return OcrPage(2480, 3508, 300, words)


def test_junk_from_strokes_and_seals_is_dropped() -> None:
    page = _line(("l", 0.01), ("-", 0.93), ("Lưu:", 0.96), ("VT,", 0.95), ("VP.", 0.96), ("_.", 0.39),
                 ("ÀxÃ-", 0.0), (">H*¿>", 0.0), ("2n,", 0.13))
    assert correct_page(page).text == "- Lưu: VT, VP."


def test_unsure_words_that_are_text_are_kept() -> None:
    """Negatives: a doubtful syllable, number or sign is real text even at very low confidence."""
    page = _line(("Số:", 0.2), ("15/QĐ-UBND", 0.1), ("ngày", 0.1), ("16/11/2025", 0.05), ("UBND", 0.2),
                 ("GLIÁM", 0.4), ("-", 0.93))
    assert correct_page(page).text == "Số: 15/QĐ-UBND ngày 16/11/2025 UBND GLIÁM -"


def test_roman_section_numbers_read_as_h_are_restored() -> None:
    assert correct_page(_line(("H.", 0.79), ("NỘI", 0.93), ("DUNG", 0.91))).text == "II. NỘI DUNG"
    assert correct_page(_line(("HI.", 0.85), ("KẾT", 0.97), ("LUẬN", 0.96))).text == "III. KẾT LUẬN"
    # Negatives: not before a heading in capitals, or not a numeral at all.
    assert correct_page(_line(("H.", 0.8), ("Nguyễn", 0.9))).text == "H. Nguyễn"
    assert correct_page(_line(("HHH.", 0.8), ("KẾT", 0.9))).text == "HHH. KẾT"
    assert correct_page(_line(("II.", 0.9), ("KẾT", 0.9))).text == "II. KẾT"


def test_confident_tone_slips_are_fixed_by_context() -> None:
    """Tesseract reads a hook above as an acute and adds a grave over â at high confidence."""
    page = page_of("Ủy ban Mặt trận Tố quốc Việt Nam tống hợp kết quả\nbố trí kinh phí, nhần lực để thực hiện")
    assert correct_page(page).text == (
        "Ủy ban Mặt trận Tổ quốc Việt Nam tổng hợp kết quả\nbố trí kinh phí, nhân lực để thực hiện"
    )


def test_confident_words_are_not_swapped_for_other_tones() -> None:
    """Negatives: real words whose other readings are common stay as printed at high confidence."""
    for text in ("trục đường giao thông", "các đông đảo nhân dân", "thị trấn đấu thầu", "phường Hoàn Kiếm",
                 "số lượng văn bản", "tôn trọng pháp luật", "Ông Trần Văn An"):
        assert correct_page(page_of(text)).text == text, text
