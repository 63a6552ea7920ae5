"""Names that look like people's but are places or bodies: Vietnam's provinces (the 63 before and the 34
after 1 July 2025), regions and countries, the units of Hà Nội (``sohoa/data/hanoi_units_2025.csv``, old and
new, many named after historical figures: "Phan Chu Trinh", "Lý Thái Tổ"), and organisation phrases ("Học
viện", "Viễn thông", "Công Thương"). A capitalised run that is one of these is not a person's name, and an
"address" that is only one of these is a place, not where somebody lives.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from sohoa.domain.text import nfc

__all__ = ["is_place", "organisation_words", "province_names"]

_PROVINCES = (
    "An Giang, Bà Rịa Vũng Tàu, Bắc Giang, Bắc Kạn, Bạc Liêu, Bắc Ninh, Bến Tre, Bình Định, Bình Dương, "
    "Bình Phước, Bình Thuận, Cà Mau, Cần Thơ, Cao Bằng, Đà Nẵng, Đắk Lắk, Đắk Nông, Điện Biên, Đồng Nai, "
    "Đồng Tháp, Gia Lai, Hà Giang, Hà Nam, Hà Nội, Hà Tĩnh, Hải Dương, Hải Phòng, Hậu Giang, Hòa Bình, "
    "Hưng Yên, Khánh Hòa, Kiên Giang, Kon Tum, Lai Châu, Lâm Đồng, Lạng Sơn, Lào Cai, Long An, Nam Định, "
    "Nghệ An, Ninh Bình, Ninh Thuận, Phú Thọ, Phú Yên, Quảng Bình, Quảng Nam, Quảng Ngãi, Quảng Ninh, "
    "Quảng Trị, Sóc Trăng, Sơn La, Tây Ninh, Thái Bình, Thái Nguyên, Thanh Hóa, Thừa Thiên Huế, Tiền Giang, "
    "Hồ Chí Minh, Thành phố Hồ Chí Minh, Trà Vinh, Tuyên Quang, Vĩnh Long, Vĩnh Phúc, Yên Bái, Huế, "
    "Vũng Tàu, Bà Rịa, Sài Gòn, Thăng Long")
_REGIONS = (
    "Việt Nam, Đông Nam Á, Đông Nam Bộ, Tây Nam Bộ, Nam Bộ, Bắc Bộ, Trung Bộ, Nam Trung Bộ, Bắc Trung Bộ, "
    "Tây Nguyên, Tây Bắc, Đông Bắc, Đồng bằng sông Hồng, Đồng bằng sông Cửu Long, Miền Bắc, Miền Trung, "
    "Miền Nam, Trung Quốc, Hàn Quốc, Nhật Bản, Hoa Kỳ, Liên Bang Nga, Đại Hàn Dân Quốc, Lào, Campuchia, "
    "Thái Lan, Ấn Độ, Trung Ương, Châu Á, Châu Âu")
# Words of bodies, sectors and things, never of a Vietnamese person's name (lower case, with tones).
_ORGANISATION = (
    "học viện, viễn thông, công thương, chính phủ, chính trị, quốc gia, quốc hội, nhà nước, công nghệ, "
    "khoa học, ngân hàng, bưu chính, bưu điện, kho bạc, hải quan, công an, quân đội, bộ công, bộ tài, "
    "bộ nội, bộ tư, bộ y, bộ xây, bộ giáo, bộ khoa, bộ ngoại, bộ quốc, bộ văn, bộ nông, ủy ban, uỷ ban, "
    "hội đồng, mặt trận, liên đoàn, hiệp hội, tổng công, công ty, tập đoàn, nhà máy, dự án, chương trình, "
    "đại học, cao đẳng, bệnh viện, thương mại, dịch vụ, điện lực, truyền hình, truyền thông, "
    "thông tin, giáo dục, đào tạo, y tế, tài chính, tài nguyên, môi trường, nông nghiệp, xây dựng, giao thông")
_UNIT_PREFIX = re.compile(r"^(?:phường|xã|thị trấn|quận|huyện|thị xã|thành phố)\s+", re.IGNORECASE)


def _key(words: str) -> str:
    """Lower case with tones: "Hà Tĩnh" is a province, "cụ Hà Tịnh" a person."""
    return " ".join(nfc(words).lower().split())


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    names = {_key(n) for n in (_PROVINCES + ", " + _REGIONS).split(", ")}
    raw = resources.files("sohoa.data").joinpath("hanoi_units_2025.csv").read_text(encoding="utf-8")
    for line in raw.splitlines()[1:]:
        columns = line.split(",")
        for unit in [columns[0], *columns[2].split(";"), *columns[3].split(";")]:
            name = _UNIT_PREFIX.sub("", unit.strip())
            if name:
                names.add(_key(name))
    return frozenset(names)


def is_place(words: str) -> bool:
    """Whether ``words`` name a province, region, country or a unit of Hà Nội (case-insensitive, tones as
    written)."""
    return _key(words) in _places()


def province_names() -> tuple[str, ...]:
    """The provinces and centrally run cities, as written ("Quảng Ngãi", "Thừa Thiên Huế")."""
    return tuple(nfc(n) for n in _PROVINCES.split(", "))


@lru_cache(maxsize=1)
def organisation_words() -> tuple[str, ...]:
    """The organisation phrases, lower case with tones."""
    return tuple(_ORGANISATION.split(", "))
