"""Real Hanoi issuing bodies (2025 wards/communes, former districts, city departments) for sample headers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sohoa.samples._rand import pick

# A subset of the 126 wards and communes created on 01/7/2025 (NQ 1656/NQ-UBTVQH15).
WARDS_2025: tuple[str, ...] = (
    "Hoàn Kiếm", "Cửa Nam", "Ba Đình", "Ngọc Hà", "Giảng Võ", "Hai Bà Trưng", "Vĩnh Tuy", "Bạch Mai",
    "Đống Đa", "Kim Liên", "Láng", "Ô Chợ Dừa", "Hồng Hà", "Lĩnh Nam", "Hoàng Mai", "Tương Mai",
    "Định Công", "Hoàng Liệt", "Yên Sở", "Thanh Xuân", "Khương Đình", "Phương Liệt", "Cầu Giấy",
    "Nghĩa Đô", "Yên Hòa", "Tây Hồ", "Phú Thượng", "Tây Tựu", "Phú Diễn", "Xuân Đỉnh", "Đông Ngạc",
    "Thượng Cát", "Từ Liêm", "Xuân Phương", "Tây Mỗ", "Đại Mỗ", "Long Biên", "Bồ Đề", "Việt Hưng",
    "Phúc Lợi", "Hà Đông", "Dương Nội", "Yên Nghĩa", "Phú Lương", "Kiến Hưng", "Thanh Liệt",
    "Chương Mỹ", "Sơn Tây", "Tùng Thiện",
)
COMMUNES_2025: tuple[str, ...] = (
    "Thanh Trì", "Đại Thanh", "Nam Phù", "Ngọc Hồi", "Thượng Phúc", "Thường Tín", "Chương Dương",
    "Hồng Vân", "Phú Xuyên", "Phượng Dực", "Chuyên Mỹ", "Đại Xuyên", "Thanh Oai", "Bình Minh",
    "Tam Hưng", "Dân Hòa", "Vân Đình", "Ứng Thiên", "Hòa Xá", "Ứng Hòa", "Mỹ Đức", "Hồng Sơn",
    "Phúc Sơn", "Hương Sơn", "Phú Nghĩa", "Xuân Mai", "Trần Phú", "Hòa Phú", "Quảng Bị", "Minh Châu",
    "Quảng Oai", "Vật Lại", "Cổ Đô", "Bất Bạt", "Suối Hai", "Ba Vì", "Yên Bài", "Đoài Phương",
    "Phúc Thọ", "Phúc Lộc", "Hát Môn", "Thạch Thất", "Hạ Bằng", "Tây Phương", "Hòa Lạc", "Yên Xuân",
    "Quốc Oai", "Hưng Đạo", "Kiều Phú", "Phú Cát", "Hoài Đức", "Dương Hòa", "Sơn Đồng", "An Khánh",
    "Đan Phượng", "Ô Diên", "Liên Minh", "Gia Lâm", "Thuận An", "Bát Tràng", "Phù Đổng", "Thư Lâm",
    "Đông Anh", "Phúc Thịnh", "Thiên Lộc", "Vĩnh Thanh", "Mê Linh", "Yên Lãng", "Tiến Thắng",
    "Quang Minh", "Sóc Sơn", "Đa Phúc", "Nội Bài", "Trung Giã", "Kim Anh",
)
# The 30 district-level units dissolved on 01/7/2025: (kind, name).
DISTRICTS_OLD: tuple[tuple[str, str], ...] = tuple(
    [("Quận", n) for n in ("Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa",
                           "Hai Bà Trưng", "Hoàng Mai", "Thanh Xuân", "Nam Từ Liêm", "Bắc Từ Liêm",
                           "Hà Đông")]
    + [("Thị xã", "Sơn Tây")]
    + [("Huyện", n) for n in ("Ba Vì", "Phúc Thọ", "Đan Phượng", "Hoài Đức", "Quốc Oai", "Thạch Thất",
                              "Chương Mỹ", "Thanh Oai", "Thường Tín", "Phú Xuyên", "Ứng Hòa", "Mỹ Đức",
                              "Mê Linh", "Sóc Sơn", "Đông Anh", "Gia Lâm", "Thanh Trì")]
)
# City departments after the 2025 merger: (name, sign abbreviation, drafting units for công văn).
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("Sở Nội vụ", "SNV"), ("Sở Tài chính", "STC"), ("Sở Xây dựng", "SXD"), ("Sở Tư pháp", "STP"),
    ("Sở Y tế", "SYT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"), ("Sở Văn hóa và Thể thao", "SVHTT"),
    ("Sở Khoa học và Công nghệ", "SKHCN"), ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("Sở Công Thương", "SCT"),
)
WARD_OFFICES: tuple[tuple[str, str], ...] = (
    ("Văn phòng HĐND và UBND", "VP"), ("Phòng Kinh tế, Hạ tầng và Đô thị", "KTHTĐT"),
    ("Phòng Văn hóa - Xã hội", "VHXH"),
)
DISTRICT_OFFICES: tuple[tuple[str, str], ...] = (
    ("Phòng Nội vụ", "PNV"), ("Phòng Tài chính - Kế hoạch", "TCKH"), ("Phòng Tư pháp", "PTP"),
    ("Phòng Văn hóa và Thông tin", "VHTT"), ("Phòng Tài nguyên và Môi trường", "TNMT"),
)
CV_UNITS: tuple[str, ...] = ("VP", "VX", "KT", "NC", "TH", "ĐT", "KGVX", "TCCB", "VHXH", "KTHT")

REFORM_DAY = date(2025, 7, 1)


@dataclass(frozen=True)
class Organ:
    """An issuing body as drawn in the header, with what its documents need (sign, place, signers)."""

    parent_lines: tuple[str, ...]   # uppercase, regular; empty when absent
    organ_lines: tuple[str, ...]    # uppercase, bold
    place: str                      # place name of the date line
    sign: str                       # abbreviation after the type in the sign, e.g. "UBND"
    kind: str                       # "ubnd", "hdnd", "dept", "office"
    head: str                       # head's title in uppercase, e.g. "CHỦ TỊCH"
    deputy: str                     # deputy's title, e.g. "PHÓ CHỦ TỊCH"
    collective: str | None          # "ỦY BAN NHÂN DÂN" when the body signs collectively (TM.)
    display: str                    # how the body names itself in running text
    area: str                       # its territory in running text, e.g. "phường Hoàn Kiếm"
    superior: str                   # the body it reports to, in running text
    date_from: date
    date_to: date


def _ubnd(level: str, name: str, place: str, start: date, end: date, rng: np.random.Generator) -> Organ:
    upper = f"{level} {name}".upper()
    short = rng.random() < 0.25
    lines = (f"UBND {upper}",) if short else ("ỦY BAN NHÂN DÂN", upper)
    parent = ("UBND THÀNH PHỐ HÀ NỘI",) if short else ()
    superior = "Ủy ban nhân dân Thành phố" if level != "Thành phố" else "Thủ tướng Chính phủ"
    area = f"{level.lower()} {name}"
    return Organ(parent, lines, place, "UBND", "ubnd", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "ỦY BAN NHÂN DÂN",
                 f"Ủy ban nhân dân {area}", area, superior, start, end)


def _hdnd(level: str, name: str, place: str, start: date, end: date) -> Organ:
    return Organ((), ("HỘI ĐỒNG NHÂN DÂN", f"{level} {name}".upper()), place, "HĐND", "hdnd", "CHỦ TỊCH",
                 "PHÓ CHỦ TỊCH", "HỘI ĐỒNG NHÂN DÂN", f"Hội đồng nhân dân {level.lower()} {name}",
                 f"{level.lower()} {name}", "Thường trực Hội đồng nhân dân Thành phố", start, end)


def _office(parent: str, name: str, sign: str, place: str, superior: str, start: date,
            end: date) -> Organ:
    area = superior.removeprefix("Ủy ban nhân dân ")
    vp = name.startswith("Văn phòng")
    head, deputy = ("CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG") if vp else ("TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG")
    return Organ((parent,), (name.upper(),), place, sign, "office", head, deputy, None, name, area,
                 superior, start, end)


def pick_organ(rng: np.random.Generator) -> Organ:
    """A random real issuing body, with the period in which it could have issued documents."""
    old_start, new_end = date(2016, 1, 1), date(2026, 6, 30)
    old_end = REFORM_DAY.replace(day=30, month=6)
    roll = rng.random()
    if roll < 0.15:
        return _ubnd("Thành phố", "Hà Nội", "Hà Nội", old_start, new_end, rng)
    if roll < 0.40:
        level, name = ("Phường", pick(rng, WARDS_2025))
        if rng.random() < 0.4:
            level, name = "Xã", pick(rng, COMMUNES_2025)
        return _ubnd(level, name, name, REFORM_DAY, new_end, rng)
    if roll < 0.55:
        level, name = pick(rng, DISTRICTS_OLD)
        return _ubnd(level, name, name, old_start, old_end, rng)
    if roll < 0.72:
        dept, sign = pick(rng, DEPARTMENTS)
        return Organ(("UBND THÀNH PHỐ HÀ NỘI",), (dept.upper(),), "Hà Nội", sign, "dept", "GIÁM ĐỐC",
                     "PHÓ GIÁM ĐỐC", None, dept, "thành phố Hà Nội", "Ủy ban nhân dân Thành phố",
                     REFORM_DAY, new_end)
    if roll < 0.82:
        ward = pick(rng, WARDS_2025)
        office, sign = pick(rng, WARD_OFFICES)
        return _office(f"UBND PHƯỜNG {ward.upper()}", office, sign, ward,
                       f"Ủy ban nhân dân phường {ward}", REFORM_DAY, new_end)
    if roll < 0.92:
        level, name = pick(rng, DISTRICTS_OLD)
        office, sign = pick(rng, DISTRICT_OFFICES)
        return _office(f"UBND {level.upper()} {name.upper()}", office, sign, name,
                       f"Ủy ban nhân dân {level.lower()} {name}", old_start, old_end)
    if rng.random() < 0.5:
        return _hdnd("Thành phố", "Hà Nội", "Hà Nội", old_start, new_end)
    ward = pick(rng, WARDS_2025)
    return _hdnd("Phường", ward, ward, REFORM_DAY, new_end)
