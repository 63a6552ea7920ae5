"""Synthetic Vietnamese document records for the search benchmark: fast, seeded, realistic fields."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

TYPES = (("Quyết định", "QĐ"), ("Kế hoạch", "KH"), ("Báo cáo", "BC"), ("Thông báo", "TB"), ("Tờ trình", "TTr"),
         ("Công văn", ""), ("Biên bản", "BB"), ("Chỉ thị", "CT"), ("Hướng dẫn", "HD"), ("Giấy mời", "GM"))
ORGANS = ("UBND", "HĐND", "ĐU", "MTTQ", "CAP", "BCĐ")
ACTIONS = ("triển khai", "tăng cường", "phê duyệt", "hướng dẫn", "kiểm tra", "báo cáo kết quả", "tổ chức thực hiện",
           "giải quyết", "thu hồi", "điều chỉnh", "công bố", "rà soát", "đôn đốc", "tổng kết", "sơ kết")
OBJECTS = ("công tác hòa giải ở cơ sở", "giải phóng mặt bằng", "quản lý đất đai", "phòng chống dịch bệnh",
           "cải cách hành chính", "xây dựng nông thôn mới", "an toàn giao thông", "khiếu nại, tố cáo",
           "chuyển đổi số", "bảo vệ môi trường", "trật tự đô thị", "cấp giấy chứng nhận quyền sử dụng đất",
           "phòng cháy chữa cháy", "dân số và kế hoạch hóa gia đình", "tuyển chọn công dân nhập ngũ",
           "bồi thường, hỗ trợ và tái định cư", "quản lý trật tự xây dựng", "thu ngân sách nhà nước",
           "chăm sóc người có công", "phổ cập giáo dục", "vệ sinh an toàn thực phẩm", "phòng chống thiên tai",
           "đảm bảo an ninh trật tự", "kiểm kê đất đai", "lễ hội truyền thống", "hiến máu tình nguyện")
SENTENCES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày {d} tháng {m} năm {y};",
    "Xét đề nghị của Trưởng phòng {office} về việc {obj};",
    "Giao {office} chủ trì, phối hợp với các đơn vị liên quan tổ chức thực hiện.",
    "Ông (bà) {name} có trách nhiệm thi hành Quyết định này kể từ ngày ký.",
    "Tổng số hộ bị ảnh hưởng là {n} hộ, diện tích thu hồi {n2} m2.",
    "Ủy ban nhân dân {place} báo cáo kết quả thực hiện {obj} năm {y}.",
    "Đề nghị các đồng chí nghiêm túc thực hiện, báo cáo kết quả trước ngày {d}/{m}/{y}.",
    "Kinh phí thực hiện từ nguồn ngân sách {place} năm {y} là {n} triệu đồng.",
    "Trong quá trình thực hiện nếu có vướng mắc, phản ánh về {office} để tổng hợp.",
    "Thành phần tham dự gồm đại diện {office}, Mặt trận Tổ quốc và các đoàn thể.",
    "Hội nghị đã thống nhất các nội dung về {obj} trên địa bàn {place}.",
    "Biên bản được lập thành {n} bản có giá trị pháp lý như nhau.",
)
OFFICES = ("Tài nguyên và Môi trường", "Tài chính - Kế hoạch", "Văn hóa - Xã hội", "Tư pháp", "Quản lý đô thị",
           "Nội vụ", "Kinh tế", "Y tế", "Giáo dục và Đào tạo", "Lao động - Thương binh và Xã hội")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Ngọc", "Xuân", "Hoài")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam",
         "Ngân", "Phương", "Quân", "Sơn", "Thảo", "Thủy", "Trang", "Tuấn", "Việt", "Yến", "Đông", "Đạt")
# Tesseract-style misreadings kept in a small share of documents ('did you mean' material).
OCR_ERRORS = {"quyết": "quyct", "định": "dịnh", "giải": "gỉai", "mặt": "rnặt", "bằng": "bàng", "hòa": "hoả",
              "đất": "dát", "kế": "kc", "hoạch": "hoach", "nhân": "nhăn"}
LEVELS = ("public",) * 12 + ("conditional",) * 3 + ("internal",) * 4 + ("secret",)


def _misspell(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(2):
        i = rng.randrange(len(words))
        words[i] = OCR_ERRORS.get(words[i], words[i])
    return " ".join(words)


def records(count: int, units: list[tuple[int, str]], seed: int = 7) -> Iterator[tuple[object, ...]]:
    """(id, unit_id, type_name, code_number, code_notation, issued_date, organ_name, subject, text,
    access_level, secrecy, sign)."""
    rng = random.Random(seed)
    base = date(1995, 1, 1)
    for doc_id in range(1, count + 1):
        unit_id, place = units[rng.randrange(len(units))]
        kind, abbr = TYPES[rng.randrange(len(TYPES))]
        organ = ORGANS[rng.randrange(len(ORGANS))]
        notation = f"{abbr}-{organ}" if abbr else organ
        number = str(rng.randint(1, 2000))
        issued = base + timedelta(days=rng.randrange(31 * 365))
        obj = OBJECTS[rng.randrange(len(OBJECTS))]
        subject = f"V/v {ACTIONS[rng.randrange(len(ACTIONS))]} {obj}"
        body = " ".join(SENTENCES[rng.randrange(len(SENTENCES))].format(
            d=rng.randint(1, 28), m=rng.randint(1, 12), y=issued.year, n=rng.randint(2, 900),
            n2=rng.randint(50, 90000), office=OFFICES[rng.randrange(len(OFFICES))], obj=obj, place=place,
            name=f"{FAMILY[rng.randrange(14)]} {MIDDLE[rng.randrange(10)]} {GIVEN[rng.randrange(26)]}")
            for _ in range(rng.randint(3, 6)))
        text = f"{kind} {subject}. {body}"
        if rng.random() < 0.01:
            text = _misspell(text, rng)
        level = LEVELS[rng.randrange(len(LEVELS))]
        yield (doc_id, unit_id, kind, number, notation, issued.isoformat(), f"Ủy ban nhân dân {place}", subject,
               text, level, "Mật" if level == "secret" else None, f"{number}/{notation}")
