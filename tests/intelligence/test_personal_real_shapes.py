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


def _names(text: str) -> list[str]:
    return [s.text for s in detect(text) if s.kind.value == "name"]


def test_provinces_regions_and_wards_named_after_people_are_not_names() -> None:
    text = ("Mưa lớn kéo dài tại các tỉnh Quảng Trị, Kon Tum và Bình Định; lũ ở Đắk Nông, Lạng Sơn vượt mức.\n"
            "Vị trí: số 12 Phan Chu Trinh, phường Cửa Nam, thành phố Hà Nội; khu vực Tây Nguyên và Đông Nam Á.\n"
            "Dự án thuộc các xã Tân Lập, Yên Hòa và Đồng Lạc được phê duyệt.")
    assert _names(text) == []


def test_bodies_and_trade_names_are_not_names() -> None:
    text = ("Phối hợp với Học Viện Chính trị khu vực và Bộ Công Thương.\n45. Viễn Thông\n"
            "Tên thương mại: Galaxy Watch Ultra\nNhà sản xuất: Xiaomi Communications Co., Ltd\n")
    assert _names(text) == []


def test_officials_named_with_their_office_are_not_citizens() -> None:
    text = ("Nơi nhận:\n- Như trên;\n- PCTr. Lưu Đức Khải (để b/c);\n- Phó TTg Vương Đình Khôi;\n"
            "- Thư ký PTTgCP Mạc Văn Toản, Cổng TTĐT;\n- Đinh Hữu Tâm (để báo cáo);\n"
            "Đồng kính gửi: Thủ tướng Chính phủ Tạ Quang Khiêm.\n"
            "Đề nghị liên hệ bà Khúc Thị Nga,\nPhó Trưởng ban Hệ thống, để được hướng dẫn.")
    assert _names(text) == []


def test_citizens_in_a_reply_letter_are_still_names() -> None:
    text = ("Kính gửi: Bà Lương Hoài Phương\n(Địa chỉ: 12B Lý Nam Đế, phường Ngọc Hà, thành phố Hà Nội)\n"
            "Cục Thuế nhận được đơn kiến nghị của ông Tống Văn Lực về hoàn thuế.")
    assert _names(text) == ["Lương Hoài Phương", "Tống Văn Lực"]


def _rule_kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind.value, s.text) for s in detect_rules(text)]


def test_web_addresses_and_running_text_after_an_address_label_are_not_addresses() -> None:
    text = ("Nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia, địa chỉ: https://dichvucong.gov.vn hoặc trực "
            "tiếp.\n2. Trực tuyến\nĐịa chỉ truy cập: www.dvc.laocai.gov.vn\n"
            "Trường hợp thay đổi số hiệu hoặc địa chỉ của thửa đất thì đăng ký biến động.\n"
            "Văn phòng đại diện thường trú tại Việt Nam của thương nhân nước ngoài.\n"
            "Cá nhân thường trú tại xã mà không có đất ở được xét giao đất.")
    assert _rule_kinds(text) == []


def test_an_organs_address_and_switchboard_on_the_lines_after_it_are_not_personal() -> None:
    text = ("Kính gửi: Công ty TNHH Cơ khí Trường Lộc.\n(Địa chỉ: Lô C4, Khu công nghiệp Đình Trám, phường "
            "Nếnh, tỉnh Bắc Ninh)\nQuỹ Phát triển khoa học và công nghệ tỉnh Lào Cai.\nĐịa chỉ: số 8 đường "
            "Hoàng Liên,\nphường Cốc Lếu, tỉnh Lào Cai. ĐT: 0214 3822 456\nSở Tư pháp\ntỉnh Lạng Sơn, điện "
            "thoại: 02053812345.\n- Đầu mối hỗ trợ kỹ thuật: số điện thoại\n(0243.5551.020 máy lẻ 315)")
    assert _rule_kinds(text) == []


def test_a_citizens_address_and_phone_in_a_reply_letter_are_found() -> None:
    text = ("Kính gửi: Bà Lương Hoài Phương\n(Địa chỉ: 12B Lý Nam Đế, phường Ngọc Hà, thành phố Hà Nội;\n"
            "Số ĐT: 0986112450)\nCục Thuế nhận được câu hỏi của Bà.")
    assert _rule_kinds(text) == [("address", "12B Lý Nam Đế, phường Ngọc Hà, thành phố Hà Nội"),
                                 ("phone", "0986112450")]


def test_an_organs_mailbox_and_a_list_item_after_a_heading_are_not_personal() -> None:
    text = "TRUNG TÂM CÔNG BÁO\nvanthu@laocai.gov.vn\nĐiều 9. Tách thửa hoặc hợp\nthửa đất\n1. Thời hạn giải quyết"
    assert _rule_kinds(text) == []
    assert _rule_kinds("email: lanpt88@gmail.com") == [("email", "lanpt88@gmail.com")]


def test_a_citizen_named_in_context_is_found_again_where_named_bare() -> None:
    text = ("Kính gửi: Bà Trịnh Ngọc Lan\nCục Thuế nhận được câu hỏi của độc giả\nTrịnh Ngọc Lan về hoàn thuế.\n"
            "Cục Thuế thông báo để độc giả Trịnh Ngọc Lan được biết./.")
    assert _names(text) == ["Trịnh Ngọc Lan"] * 3


def test_a_street_after_an_address_label_of_an_organ_is_not_a_name() -> None:
    text = "Quỹ Phát triển khoa học tỉnh Yên Bái.\nĐịa chỉ: Đường Lê Hồng Phong,\nphường Yên Bái, tỉnh Lào Cai."
    assert _names(text) == []


def test_a_street_named_like_an_organ_and_a_name_spelled_like_a_province_stay_personal() -> None:
    text = ("Số CCCD: 001197028308\nNơi thường trú: số 37 phố Trường Chinh, phường Tương Mai, thành phố Hà Nội\n"
            "Số điện thoại: 0972.605.343\nTrợ cấp cho cụ Hà Tịnh, sinh năm 1950.")
    kinds = _kinds(text)
    assert ("phone", "0972.605.343") in kinds
    assert ("name", "Hà Tịnh") in kinds


def test_an_official_named_with_an_office_once_is_an_official_at_every_mention() -> None:
    text = ("báo cáo về Sở những tình huống đặc biệt (ông Lạc Minh Hoàng Vũ, Trưởng phòng Công tác học sinh).\n"
            "Danh sách gửi trước 10 giờ (ông Lạc Minh Hoàng Vũ nhận).")
    assert _names(text) == []


def test_a_citizen_after_an_officials_act_is_still_a_citizen() -> None:
    assert _names("Phó Giám đốc giao cho ông Lại Văn Sâm quản lý thửa đất.") == ["Lại Văn Sâm"]
