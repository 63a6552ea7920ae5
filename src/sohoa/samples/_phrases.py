"""Phrase bank of Vietnamese administrative prose (names, topics, legal bases, sentences) for samples."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sohoa.samples._rand import between, chance, pick, short_date

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Lương", "Tạ", "Chu", "Khuất", "Kiều")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Mạnh", "Hữu", "Xuân", "Thành", "Tuấn", "Trọng", "Ngọc", "Việt")
MIDDLE_F = ("Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Thúy", "Hồng", "Kim", "Diệu")
GIVEN_M = ("Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Khải", "Quyết", "Trường", "Hải", "Sơn", "Long",
           "Đạt", "Phúc", "Hưởng", "Tiến", "Toàn", "Nghĩa", "Hoàng", "Quân", "Kiên", "Lộc", "Vượng")
GIVEN_F = ("Hương", "Lan", "Hằng", "Thảo", "Ngọc", "Huyền", "Trang", "Nhung", "Yến", "Hạnh", "Thủy",
           "Loan", "Diệp", "Vân", "Quỳnh", "Liên", "Nguyệt", "Oanh")


def person(rng: np.random.Generator) -> tuple[str, bool]:
    """A real-looking full name (family + middle + given) and whether it is a man's."""
    male = chance(rng, 0.6)
    middle, given = (MIDDLE_M, GIVEN_M) if male else (MIDDLE_F, GIVEN_F)
    return f"{pick(rng, FAMILY)} {pick(rng, middle)} {pick(rng, given)}", male


TOPICS: tuple[str, ...] = (
    "công tác số hóa tài liệu lưu trữ", "chỉnh lý tài liệu lưu trữ tồn đọng", "cải cách hành chính",
    "chuyển đổi số và xây dựng chính quyền số", "phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "bảo đảm an toàn thực phẩm", "quản lý trật tự xây dựng đô thị",
    "phòng, chống thiên tai và tìm kiếm cứu nạn", "bảo vệ môi trường và xử lý rác thải sinh hoạt",
    "phổ biến, giáo dục pháp luật", "tiếp công dân và giải quyết khiếu nại, tố cáo",
    "tiếp nhận và trả kết quả giải quyết thủ tục hành chính", "phòng, chống dịch bệnh mùa hè",
    "tổ chức các hoạt động mừng Đảng, mừng Xuân", "thu ngân sách nhà nước",
    "đào tạo, bồi dưỡng cán bộ, công chức", "thực hành tiết kiệm, chống lãng phí",
    "xây dựng nông thôn mới", "bảo đảm trật tự an toàn giao thông", "quản lý hồ sơ, tài liệu điện tử",
    "kiểm tra công tác văn thư, lưu trữ", "bàn giao hồ sơ, tài liệu của đơn vị hành chính cũ",
    "chăm sóc sức khỏe ban đầu cho nhân dân", "giữ gìn vệ sinh môi trường khu dân cư",
)
ACTORS: tuple[str, ...] = (
    "Văn phòng Ủy ban nhân dân", "Phòng Văn hóa - Xã hội", "Phòng Kinh tế, Hạ tầng và Đô thị",
    "Thủ trưởng các cơ quan, đơn vị", "Sở Nội vụ", "Trung tâm Lưu trữ lịch sử",
    "Trung tâm Phục vụ hành chính công", "Công an phường", "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "Các tổ dân phố", "Ban Chỉ huy quân sự", "Trạm Y tế", "Sở Tài chính", "Các phòng, ban chuyên môn",
)
VERBS: tuple[str, ...] = (
    "chủ trì, phối hợp với các đơn vị liên quan tổ chức triển khai", "có trách nhiệm rà soát, thống kê",
    "khẩn trương hoàn thiện hồ sơ về", "tăng cường kiểm tra, giám sát việc thực hiện",
    "đẩy mạnh tuyên truyền, phổ biến về", "tham mưu xây dựng kế hoạch thực hiện",
    "hướng dẫn, đôn đốc các đơn vị thực hiện", "bố trí kinh phí, nhân lực để thực hiện",
    "tổng hợp, đánh giá kết quả", "chỉ đạo thực hiện nghiêm các quy định về",
    "xây dựng cơ sở dữ liệu phục vụ", "chủ động nắm bắt tình hình, đề xuất giải pháp về",
)
QUALIFIERS: tuple[str, ...] = (
    "trên địa bàn {place}", "theo đúng quy định của pháp luật", "bảo đảm chất lượng, hiệu quả, tiết kiệm",
    "hoàn thành trước ngày {date}", "định kỳ hằng tháng, hằng quý", "không để tồn đọng, kéo dài",
    "gắn với trách nhiệm của người đứng đầu", "bảo đảm công khai, minh bạch",
    "phù hợp với điều kiện thực tế của địa phương", "theo lộ trình đã được phê duyệt",
)
FOLLOW_UPS: tuple[str, ...] = (
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời báo cáo {superior} xem xét, giải quyết.",
    "Kết quả thực hiện gửi về Văn phòng trước ngày {date} để tổng hợp, báo cáo.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước trong dự toán năm {year}.",
    "Đến nay đã tiếp nhận {n1} hồ sơ, giải quyết đúng hạn {n2} hồ sơ, đạt tỷ lệ {pct}%.",
    "Tổng số tài liệu cần xử lý là {n1} mét giá, tương đương khoảng {n2} hồ sơ.",
    "Các đơn vị cử cán bộ đầu mối, chịu trách nhiệm phối hợp trong suốt quá trình triển khai.",
    "Việc kiểm tra được thực hiện công khai, đúng thẩm quyền, không gây phiền hà cho người dân.",
)
# Legal bases (italic "Căn cứ" lines) with the years in which they could be cited.
LEGAL_BASES: tuple[tuple[str, int, int], ...] = (
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015", 2016, 2025),
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025", 2025, 2026),
    ("Căn cứ Luật Lưu trữ ngày 11 tháng 11 năm 2011", 2016, 2025),
    ("Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024", 2025, 2026),
    ("Căn cứ Luật Thủ đô ngày 28 tháng 6 năm 2024", 2025, 2026),
    ("Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015", 2016, 2026),
    ("Căn cứ Luật Phòng, chống thiên tai ngày 19 tháng 6 năm 2013", 2016, 2026),
    ("Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008", 2016, 2026),
    ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư",
     2020, 2026),
    ("Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một "
     "cửa, một cửa liên thông trong giải quyết thủ tục hành chính", 2018, 2026),
    ("Căn cứ Thông tư số 02/2019/TT-BNV ngày 24 tháng 01 năm 2019 của Bộ trưởng Bộ Nội vụ quy định tiêu "
     "chuẩn dữ liệu thông tin đầu vào và yêu cầu bảo quản tài liệu lưu trữ điện tử", 2019, 2026),
    ("Căn cứ Quyết định số 2112/QĐ-UBND ngày 19 tháng 4 năm 2025 của Ủy ban nhân dân Thành phố về việc "
     "phê duyệt Đề án số hóa tài liệu lưu trữ", 2025, 2026),
)


def legal_bases(rng: np.random.Generator, year: int, count: int) -> list[str]:
    """``count`` legal bases valid in ``year``, oldest first as in real documents."""
    valid = [text for text, start, end in LEGAL_BASES if start <= year <= end]
    chosen = sorted(rng.permutation(len(valid))[:count])
    return [valid[int(i)] for i in chosen]


def fill(template: str, rng: np.random.Generator, ctx: dict[str, str], when: date) -> str:
    """Fill {place}/{date}/{year}/{superior}/{n1}/{n2}/{pct} slots with plausible values."""
    n1 = between(rng, 120, 4800)
    n2 = int(n1 * (0.9 + 0.1 * rng.random()))
    values = {
        "date": short_date(when + timedelta(days=between(rng, 10, 90))), "year": str(when.year),
        "n1": f"{n1:,}".replace(",", "."), "n2": f"{n2:,}".replace(",", "."),
        "pct": f"{100 * n2 / n1:.1f}".replace(".", ","), **ctx,
    }
    return template.format(**values)


def sentence(rng: np.random.Generator, ctx: dict[str, str], when: date, actor: bool = True) -> str:
    """One administrative sentence: (actor) verb topic qualifier(s), ending with a full stop."""
    parts = [pick(rng, VERBS), pick(rng, TOPICS), pick(rng, QUALIFIERS)]
    if chance(rng, 0.4):
        parts.append(pick(rng, QUALIFIERS))
    text = " ".join(parts) if not actor else f"{pick(rng, ACTORS)} " + " ".join(parts)
    text = fill(text, rng, ctx, when)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: np.random.Generator, ctx: dict[str, str], when: date, actor: bool = True) -> str:
    """One to three sentences, sometimes with a concrete follow-up sentence with figures or dates."""
    sentences = [sentence(rng, ctx, when, actor)]
    if chance(rng, 0.6):
        sentences.append(fill(pick(rng, FOLLOW_UPS), rng, ctx, when))
    if chance(rng, 0.25):
        sentences.append(sentence(rng, ctx, when, actor=True))
    return " ".join(sentences)
