"""The rules for structured personal data: each kind found with its value, and what is not personal data."""

from __future__ import annotations

import itertools

import pytest

from sohoa.domain.personal import PersonalKind
from sohoa.intelligence.personal import detect_rules

K = PersonalKind


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind.value, span.text) for span in detect_rules(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("CCCD số 001085012345 cấp ngày 1/7/2021", [("cccd", "001085012345")]),
    ("số định danh cá nhân: 001 085 012 345,", [("cccd", "001 085 012 345")]),
    ("Căn cước 079.190.001.234", [("cccd", "079.190.001.234")]),
    ("có thẻ 038095001122 do Cục Cảnh sát cấp", [("cccd", "038095001122")]),
    ("CCCD: O0l085012345", [("cccd", "O0l085012345")]),
    ("CMND số 012345678 cấp ngày 12/3/2010", [("cmnd", "012345678")]),
    ("số CMND: 123456789012", [("cmnd", "123456789012")]),
    ("Số chứng minh nhân dân 17 123 4567", [("cmnd", "17 123 4567")]),
])
def test_identity_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("điện thoại 0912 345 678.", "0912 345 678"),
    ("SĐT: 0987.654.321", "0987.654.321"),
    ("ĐT: +84 912 345 678", "+84 912 345 678"),
    ("liên hệ (024) 3825 1234", "(024) 3825 1234"),
    ("gọi 0356-123-456 khi cần", "0356-123-456"),
    ("di động 09l2345678", "09l2345678"),
])
def test_phones(text: str, expected: str) -> None:
    assert found(text) == [("phone", expected)]


@pytest.mark.parametrize(("text", "expected"), [
    ("sinh ngày 12/3/1965 tại", "12/3/1965"),
    ("Ngày sinh: 12-03-1965", "12-03-1965"),
    ("Ngày, tháng, năm sinh: 01/01/1990", "01/01/1990"),
    ("Nguyễn Văn An, sinh năm 1960, ", "1960"),
    ("năm sinh: 1948", "1948"),
    ("sinh ngày 5 tháng 7 năm 1972", "5 tháng 7 năm 1972"),
])
def test_dates_of_birth(text: str, expected: str) -> None:
    assert found(text) == [("dob", expected)]


def test_email_bank_account_and_plates() -> None:
    assert found("email: tran.b@gmail.com; STK: 0011 0022 3344 tại Vietcombank") == [
        ("email", "tran.b@gmail.com"), ("bank_account", "0011 0022 3344")]
    assert found("số tài khoản 123456789 mở tại Agribank") == [("bank_account", "123456789")]
    plates = "biển số 29A-123.45, xe 30E1-234.56, 29-B1 123.45 và 29LD-000.12"
    assert [text for kind, text in found(plates) if kind == "plate"] == [
        "29A-123.45", "30E1-234.56", "29-B1 123.45", "29LD-000.12"]


def test_parcels_are_one_span_from_parcel_to_sheet() -> None:
    assert found("thửa đất số 123, tờ bản đồ số 45 tại") == [("parcel", "123, tờ bản đồ số 45")]
    assert found("tờ bản đồ số 7, thửa số 88") == [("parcel", "7, thửa số 88")]
    assert found("Thửa đất số: 12a tờ số 3") == [("parcel", "12a tờ số 3")]
    assert found("một phần thửa đất số 456") == [("parcel", "456")]


def test_addresses_end_with_their_clause() -> None:
    text = ("Ông A, thường trú tại số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội, điện thoại "
            "0912345678.")
    assert found(text) == [("address", "số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội"),
                           ("phone", "0912345678")]
    assert found("trú tại Thôn 3, xã Phú Minh, Sóc Sơn, Hà Nội, có đơn đề nghị") == [
        ("address", "Thôn 3, xã Phú Minh, Sóc Sơn, Hà Nội")]
    assert found("Địa chỉ: xóm Bến, xã Tân Dân; nghề nghiệp: làm ruộng") == [("address", "xóm Bến, xã Tân Dân")]
    assert found("Quê quán: xã Hải Bối, huyện Đông Anh, TP. Hà Nội.\nNội dung") == [
        ("address", "xã Hải Bối, huyện Đông Anh, TP. Hà Nội")]


@pytest.mark.parametrize("text", [
    "Số: 123/QĐ-UBND",
    "Hà Nội, ngày 5 tháng 3 năm 2025",
    "Căn cứ Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 ngày 26 tháng 6 năm 2025;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ;",
    "hỗ trợ số tiền 500.000.000 đồng (năm trăm triệu đồng)",
    "kinh phí 123456789 đồng",
    "UBND phường Hoàn Kiếm, địa chỉ: 126 Hàng Trống, Hoàn Kiếm",
    "Hồ sơ được lưu trữ tại kho số 2 của Trung tâm",
    "Vụ việc phát sinh ngày 12/3/2020 tại thôn",
    "đường Nguyễn Trãi, phố Trần Hưng Đạo",
    "Mã hồ sơ 000.00.19.H26-250305-0001",
    "Trụ sở: số 12 Lê Lai, Hoàn Kiếm; ĐT: 024 3825 1234; Fax: 024 3825 1235",
    "Đường dây nóng của Ủy ban nhân dân phường: 0912345678",
])
def test_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_a_labelled_number_glued_to_the_next_word_by_ocr_is_found() -> None:
    assert found("số tài khoản 487552404148tại Ngân hàng") == [("bank_account", "487552404148")]
    assert found("mã 123456789abc") == []


def test_a_citizen_named_beside_an_organ_keeps_a_phone_number() -> None:
    assert found("Văn phòng UBND phường nhận đơn của ông Trần B, ĐT 0912345678") == [("phone", "0912345678")]


def test_spans_are_sorted_non_overlapping_and_slice_the_text() -> None:
    text = "Bà Lê Thị Hoa, sinh năm 1970, CCCD 001170009876, SĐT 0905123456, trú tại thôn Đoài, xã Nam Hồng."
    spans = detect_rules(text)
    assert [s.kind for s in spans] == [K.DOB, K.CCCD, K.PHONE, K.ADDRESS]
    assert all(text[s.start:s.end] == s.text for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_ocr_noise_beside_the_at_sign_is_tolerated_and_normalised_away() -> None:
    from sohoa.domain.personal import normalize_value

    spans = detect_rules("thư điện tử haidd77(@gmail.com) phản ánh")
    assert [(s.kind, s.text) for s in spans] == [(K.EMAIL, "haidd77(@gmail.com")]
    assert spans[0].normalized == normalize_value(K.EMAIL, "HaiDD77@gmail.com") == "haidd77@gmail.com"


def test_wrapped_lines_do_not_hide_labels_or_split_values() -> None:
    text = ("1. Lê Văn Cường, sinh năm 1950, trú tại số 5 ngõ 3 phố Tôn Đức\nThắng, phường Hai Bà Trưng, thành\n"
            "phố Hà Nội, số tài\nkhoản 123456789012 tại Ngân hàng; thửa số 406, tờ\nbản đồ số 36")
    assert [(s.kind.value, s.text) for s in detect_rules(text)] == [
        ("dob", "1950"),
        ("address", "số 5 ngõ 3 phố Tôn Đức\nThắng, phường Hai Bà Trưng, thành\nphố Hà Nội"),
        ("bank_account", "123456789012"), ("parcel", "406, tờ\nbản đồ số 36")]
    form = "Nơi thường trú: thôn Đông xã Phú Minh\nSố điện thoại: 0912345678"
    assert [(s.kind.value, s.text) for s in detect_rules(form)] == [
        ("address", "thôn Đông xã Phú Minh"), ("phone", "0912345678")]


@pytest.mark.parametrize(("text", "address"), [
    ("thường trú tại xã Phú Minh\nĐiều 2. Giao Văn phòng theo dõi.", "xã Phú Minh"),
    ("trú tại thôn Đông, xã\nPhú Minh, huyện Sóc Sơn\nCăn cứ Luật Đất đai;", "thôn Đông, xã\nPhú Minh, huyện Sóc Sơn"),
    ("trú tại xóm 3, xã Phú Minh\nNơi nhận:\n- Như trên;", "xóm 3, xã Phú Minh"),
    ("trú tại số 5 phố Kim Mã\nII. Nội dung", "số 5 phố Kim Mã"),
    ("địa chỉ: thôn 2, xã Ba Vì\na) Hộ gia đình được hỗ trợ", "thôn 2, xã Ba Vì"),
    ("trú tại thôn 4, xã Tân Dân\nKhoản 1 Điều 5 được áp dụng.", "thôn 4, xã Tân Dân"),
    ("trú tại số 3 phố Huế,\nQ. Hai Bà Trưng", "số 3 phố Huế,\nQ. Hai Bà Trưng"),
    ("trú tại thôn 2,\nX. Phú Minh, H. Sóc Sơn.", "thôn 2,\nX. Phú Minh, H. Sóc Sơn"),
])
def test_a_line_that_starts_a_clause_ends_an_address(text: str, address: str) -> None:
    assert [value for kind, value in found(text) if kind == "address"] == [address]
