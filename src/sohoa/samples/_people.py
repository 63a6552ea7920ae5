"""Fictitious people for sample documents with personal data: names, dates of birth, ID numbers, phones,
addresses, parcels, bank accounts, plates. Every value is invented; the documents say so on the page.

Two pools of names: the tuning pool (common names, also what the name recognizer is trained on) and the
held-out pool (rarer family names, middle and given names that neither training nor tuning ever sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sohoa.domain.text import fold
from sohoa.samples._rand import between, chance, day_between, pick
from sohoa.samples._units import COMMUNES_2025, WARDS_2025

TUNING_FAMILY = ("Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
                 "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đào",
                 "Lương", "Tạ", "Chu", "Kiều", "Mai", "Cao", "Hà", "Lại", "Tô", "Vương", "Triệu", "Kim")
TUNING_MIDDLE_M = ("Văn", "Văn", "Đức", "Minh", "Quang", "Mạnh", "Hữu", "Xuân", "Thành", "Tuấn", "Trọng",
                   "Ngọc", "Việt", "Đình", "Công", "Quốc", "Bá", "Anh", "Hải", "Trung", "Tiến", "Huy")
TUNING_MIDDLE_F = ("Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Thúy", "Hồng", "Kim",
                   "Diệu", "Bích", "Mai", "Khánh", "Như", "Hải")
TUNING_GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Định", "Đông", "Giang", "Hải", "Hiếu",
                  "Hòa", "Hoàng", "Hùng", "Hưng", "Huy", "Khánh", "Khoa", "Kiên", "Long", "Lâm", "Lộc",
                  "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thắng", "Thành",
                  "Thịnh", "Tiến", "Toàn", "Trí", "Trung", "Tú", "Tuấn", "Tùng", "Việt", "Vinh", "Hậu",
                  "Hợp", "Lực", "Thông", "Chiến", "Công", "Bảo")
TUNING_GIVEN_F = ("Anh", "Bình", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ",
                  "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc",
                  "Nhung", "Phương", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Vân", "Yến", "Xuân", "Oanh",
                  "Quỳnh", "Dịu", "Lý", "Nguyệt", "Hòa", "Lệ")
# Rarer names of the tuning pool, not in the recognizer's name lists: training sees names it does not know.
RARE_FAMILY = ("Thạch", "Hàn", "Lãnh", "Bạch", "Đới", "Lư", "Mẫn", "Nhữ", "Sầm", "Ứng", "Xa", "Ân")
RARE_GIVEN = ("Bính", "Canh", "Điệp", "Hạc", "Khiêm", "Lẫm", "Ngữ", "Nhiêu", "Sâm", "Tịnh", "Trác", "Vịnh",
              "Xuyến", "Dậu", "Mùi", "Tuyền")
# Never used for training or tuning, and not in the recognizer's name lists.
HELD_OUT_FAMILY = ("Âu", "Thân", "Khúc", "Mạc", "Lục", "Quách", "Giáp", "Lã", "Đàm", "Phí", "Cù", "Doãn",
                   "Nghiêm", "Khổng", "Bế")
HELD_OUT_MIDDLE = ("Tất", "Khắc", "Thế", "Sỹ", "Hoài", "Cẩm", "Đắc", "Viết", "Tường", "Nhật")
HELD_OUT_GIVEN = ("Khuê", "Nhàn", "Thoa", "Lụa", "Gấm", "Thơm", "Tý", "Sửu", "Khuyên", "Ngà", "Trâm",
                  "Uyên", "Cẩn", "Đĩnh", "Khởi", "Luyến", "Mừng", "Quế", "Rạng", "Thìn", "Ước", "Xoan",
                  "Khang", "Phát", "Lợi", "Nhẫn", "Sáu", "Tám", "Bảy", "Hoạt", "Chuyên", "Lành", "Thiều",
                  "Vượng", "Toản")

PROVINCE_CODES = ("001", "001", "001", "002", "004", "008", "010", "015", "019", "022", "024", "025", "026",
                  "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
                  "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067",
                  "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
                  "089", "091", "092", "093", "094", "095", "096")
MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070", "076", "077",
                   "078", "079", "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093",
                   "094", "096", "097", "098", "099")
BANKS = ("Ngân hàng Nông nghiệp và Phát triển nông thôn Việt Nam", "Ngân hàng TMCP Ngoại thương Việt Nam",
         "Ngân hàng TMCP Công thương Việt Nam", "Ngân hàng Chính sách xã hội", "Ngân hàng TMCP Đầu tư và "
         "Phát triển Việt Nam")
STREETS = ("Trần Hưng Đạo", "Nguyễn Trãi", "Lê Lợi", "Hai Bà Trưng", "Nguyễn Thị Minh Khai", "Lý Thường Kiệt",
           "Phan Đình Phùng", "Hoàng Hoa Thám", "Nguyễn Văn Cừ", "Lê Duẩn", "Trường Chinh", "Nguyễn Chí Thanh",
           "Huỳnh Thúc Kháng", "Võ Chí Công", "Phạm Văn Đồng", "Tôn Đức Thắng", "Kim Mã", "Láng Hạ")
HAMLETS = ("Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Chùa", "Đình", "Bến", "Giữa", "Mới")


@dataclass(frozen=True)
class Person:
    """One fictitious person and the personal data a document may print about them."""

    name: str
    male: bool
    born: date
    cccd: str
    cmnd: str
    phone: str
    email: str
    address: str
    bank_account: str
    plate: str


def full_name(rng: np.random.Generator, held_out: bool = False) -> tuple[str, bool]:
    """A fictitious full name (2–4 words) and whether it is a man's; held-out names mix in the rare pool."""
    male = chance(rng, 0.5)
    family = pick(rng, TUNING_FAMILY)
    middle = pick(rng, TUNING_MIDDLE_M if male else TUNING_MIDDLE_F)
    given = pick(rng, TUNING_GIVEN_M if male else TUNING_GIVEN_F)
    if not held_out and chance(rng, 0.2):
        family = pick(rng, RARE_FAMILY) if chance(rng, 0.5) else family
        given = pick(rng, RARE_GIVEN) if chance(rng, 0.6) else given
    if held_out:
        family = pick(rng, HELD_OUT_FAMILY) if chance(rng, 0.4) else family
        middle = pick(rng, HELD_OUT_MIDDLE) if chance(rng, 0.4) else middle
        given = pick(rng, HELD_OUT_GIVEN) if chance(rng, 0.6) else given
    words = [family, middle, given]
    roll = rng.random()
    if roll < 0.1:
        words = [family, given]
    elif roll < 0.25:
        extra = pick(rng, TUNING_MIDDLE_F if not male else TUNING_MIDDLE_M)
        words = [family, middle, extra, given] if extra != middle else words
    return " ".join(words), male


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def _grouped(rng: np.random.Generator, digits: str, groups: tuple[int, ...]) -> str:
    """Digits as printed: together, or in groups separated by spaces or dots."""
    style = rng.random()
    if style < 0.7 or not groups:
        return digits
    sep = " " if style < 0.88 else "."
    out, position = [], 0
    for size in groups:
        out.append(digits[position:position + size])
        position += size
    return sep.join(out)


def address(rng: np.random.Generator) -> str:
    """A fictitious address in Hà Nội: a house in a lane or a hamlet, then the ward or commune."""
    if chance(rng, 0.5):
        head = pick(rng, (f"số {between(rng, 1, 199)} ngõ {between(rng, 2, 420)} phố {pick(rng, STREETS)}",
                          f"số nhà {between(rng, 1, 99)}, tổ dân phố {between(rng, 1, 30)}",
                          f"số {between(rng, 1, 300)} đường {pick(rng, STREETS)}"))
        return f"{head}, phường {pick(rng, WARDS_2025)}, thành phố Hà Nội"
    head = pick(rng, (f"thôn {pick(rng, HAMLETS)}", f"xóm {between(rng, 1, 12)}", f"thôn {between(rng, 1, 9)}",
                      f"xóm {pick(rng, HAMLETS)}"))
    tail = pick(rng, (", thành phố Hà Nội", ", Hà Nội", ""))
    return f"{head}, xã {pick(rng, COMMUNES_2025)}{tail}"


def person(rng: np.random.Generator, held_out: bool = False) -> Person:
    """A fictitious person with every kind of personal data drawn."""
    name, male = full_name(rng, held_out)
    born = day_between(rng, date(1935, 1, 1), date(2006, 12, 31))
    century = (0 if born.year < 2000 else 2) + (0 if male else 1)
    cccd = f"{pick(rng, PROVINCE_CODES)}{century}{born.year % 100:02d}{_digits(rng, 6)}"
    cmnd = f"{between(rng, 1, 38):02d}{_digits(rng, 7)}" if chance(rng, 0.8) else f"1{_digits(rng, 8)}"
    mobile = f"{pick(rng, MOBILE_PREFIXES)}{_digits(rng, 7)}"
    words = fold(name).split()
    email = f"{words[-1]}{''.join(w[0] for w in words[:-1])}{between(rng, 1, 99)}@" + pick(
        rng, ("gmail.com", "yahoo.com", "hotmail.com", "vnn.vn"))
    bank = _digits(rng, pick(rng, (10, 12, 13, 14)))
    plate = pick(rng, (f"29{pick(rng, 'ABCDEFGHK')}-{_digits(rng, 3)}.{_digits(rng, 2)}",
                       f"30{pick(rng, 'EFGHK')}{between(rng, 1, 9)}-{_digits(rng, 3)}.{_digits(rng, 2)}",
                       f"29-{pick(rng, 'BCDEFGHK')}{between(rng, 1, 9)} {_digits(rng, 3)}.{_digits(rng, 2)}"))
    return Person(name, male, born, _grouped(rng, cccd, (3, 3, 3, 3)), _grouped(rng, cmnd, (3, 3, 3)),
                  _grouped(rng, mobile, (4, 3, 3)), email, address(rng), _grouped(rng, bank, (4, 4, 4)), plate)
