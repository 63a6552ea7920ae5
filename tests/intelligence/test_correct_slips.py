"""Confident OCR mark slips restored by context, doubtful field words found, family names respelled."""

from __future__ import annotations

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import correct_page
from sohoa.intelligence._signer import respell_family, slipped_marks
from sohoa.intelligence.correct import doubtful_words


def _page(text: str, conf: float = 0.93) -> OcrPage:
    words = tuple(Word(t, BBox(70 * i, 100, 70 * i + 60, 140), conf, 1, 1) for i, t in enumerate(text.split()))
    return OcrPage(2480, 3508, 300, words)


def test_a_confident_unseen_syllable_one_mark_from_a_known_one_is_restored() -> None:
    # 'bô', 'chuân' are well-formed syllables the lexicon never saw; the context wants 'bổ', 'chuẩn'.
    fixed = correct_page(_page("Về việc bô sung tiêu chuân chức danh")).text
    assert fixed == "Về việc bổ sung tiêu chuẩn chức danh"


def test_a_confident_known_word_that_lost_its_tone_mark_over_a_circumflex_is_restored() -> None:
    assert correct_page(_page("Quy chế tô chức và hoạt động")).text == "Quy chế tổ chức và hoạt động"


def test_confident_known_words_keep_their_own_reading_and_names_are_not_respelled() -> None:
    text = "Hiện đang cư trú tại phường Kiều Mai, bà Phạm Thị Nhung dự họp"
    assert correct_page(_page(text)).text == text


def test_doubtful_words_are_garbles_stray_letters_unseen_syllables_and_readings_the_context_refuses() -> None:
    words = ["Về", "việc", "tổ", "chức", "của", "c", "Bộ", "Nội", "vụ", "tỉnh", "Thanh", "Høá"]
    assert [words[i] for i in doubtful_words(words)] == ["c", "Høá"]
    assert doubtful_words(["V/v", "triển", "khai", "Nghị", "định", "30/2020/NĐ-CP", "của", "UBND", "tỉnh"]) == []
    assert doubtful_words(["kế", "hoạch", "bô", "sung"]) == [2]
    # 'có' is a common word, but between 'sự' and 'về' the model wants 'cố'.
    assert doubtful_words(["khắc", "phục", "sự", "có", "về", "điện"]) == [3]


def test_family_name_respelled_from_the_closed_list_of_family_names() -> None:
    assert respell_family("Lễ Thị Bích Thuận") == ("Lê Thị Bích Thuận", False)
    assert respell_family("Nguyên Văn Nam") == ("Nguyễn Văn Nam", False)
    assert respell_family("Trần Văn Lễ") == ("Trần Văn Lễ", False)  # only the family name is a closed set
    assert respell_family("Khúc Thừa Dụ") == ("Khúc Thừa Dụ", False)  # a rare family name stays as printed


def test_a_given_name_that_lost_a_vowels_horn_or_hat_is_doubted() -> None:
    # A noisy 200-dpi scan read 'Hồ Đức Phớc' as 'Hồ Đúc Phóc': 'Đúc' is 'Đức' with the horn lost.
    assert slipped_marks("Hồ Đúc Phóc") and slipped_marks("Nguyễn Van An")
    assert not slipped_marks("Hồ Đức Phớc") and not slipped_marks("Lê Thị Bích Thuận")
    # Rare names one tone from a listed one are real names, not slips.
    assert not slipped_marks("Lê Huy Vịnh") and not slipped_marks("Phạm Đức Ấn")


def test_a_letter_no_vietnamese_spelling_uses_is_read_as_the_one_the_context_wants() -> None:
    # 'ø' is the tail of a 'g' or a broken 'o' on a poor scan; Vietnamese never writes it.
    page = _page("xây dựng nøng thôn mới trên địa bàn tỉnh Nøhệ An và tỉnh Thanh Høá")
    assert correct_page(page).text == "xây dựng nông thôn mới trên địa bàn tỉnh Nghệ An và tỉnh Thanh Hóa"
