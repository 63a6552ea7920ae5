"""Shapes of published legal texts that are not personal data (written here after the false positives seen
on real documents: procedure tables, portal addresses, organs' switchboards, places and officials)."""

from __future__ import annotations

from sohoa.intelligence.personal import detect, detect_rules


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind.value, s.text) for s in detect(text)]


def test_procedure_codes_in_table_cells_are_not_identity_numbers() -> None:
    text = ("STT\nMã TTHC\nTên thủ tục\n12\n1.027731\nThủ tục cấp giấy phép hoạt động\n13\n2.004518\n"
            "Thủ tục gia hạn\n1.009912\n07 ngày làm việc kể từ ngày nhận đủ hồ sơ\n")
    assert detect_rules(text) == []


def test_single_digit_cells_one_a_line_do_not_join_into_a_number() -> None:
    text = "Quý I\nQuý II\ncả năm\nA\nB\n1\n2\n3\n4\n5\n6\n7\n8\n9\nTỔNG THU\nNăm 2026-2031\n4\nXây dựng"
    assert detect_rules(text) == []


def test_a_bare_nine_digit_number_needs_an_identity_label() -> None:
    assert detect_rules("Tổng số tiền 204518663 được chuyển về kho bạc theo đợt 2.") == []
    assert ("cmnd", "204518663") in _kinds("Ông Lý Văn Thắng, CMND số 204518663, trú tại thôn Hạ.")


def test_tax_codes_are_not_phones() -> None:
    assert detect_rules("hồ sơ của Công ty TNHH Thương mại Hòa Phát Lộc (MST:\n0316627781) và hồ sơ kèm theo") == []


def test_a_wrapped_mobile_number_is_still_found() -> None:
    spans = detect_rules("Mọi thắc mắc xin liên hệ chị Lan qua số 0912 771\n408 hoặc thư điện tử.")
    assert [(s.kind.value, s.normalized) for s in spans] == [("phone", "0912771408")]
