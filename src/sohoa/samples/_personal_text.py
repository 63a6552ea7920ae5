"""Sentences and blocks with personal data and their gold spans, in two disjoint sets of phrasings: the
tuning phrasings (the name recognizer trains on them) and the held-out phrasings (never seen in training).

Officials acting in their office (signers, "đồng chí … Phó Chủ tịch"), street, place and organisation names
are written too: they are not personal data, and a recognizer that masks them is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sohoa.domain.personal import PersonalKind, PersonalSpan
from sohoa.samples._people import STREETS, Person, full_name, person
from sohoa.samples._rand import between, chance, pick, short_date
from sohoa.samples._units import COMMUNES_2025, WARDS_2025

K = PersonalKind


class Builder:
    """Text written piece by piece; pieces written with a kind become gold spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._spans: list[PersonalSpan] = []
        self._length = 0

    def add(self, text: str, kind: PersonalKind | None = None) -> Builder:
        if kind is not None:
            self._spans.append(PersonalSpan(kind, self._length, self._length + len(text), text))
        self._parts.append(text)
        self._length += len(text)
        return self

    def extend(self, other: Builder) -> Builder:
        """Append ``other``'s text and spans."""
        offset = self._length
        self._spans += [PersonalSpan(s.kind, s.start + offset, s.end + offset, s.text) for s in other.spans()]
        return self.add(other.text())

    def text(self) -> str:
        return "".join(self._parts)

    def spans(self) -> list[PersonalSpan]:
        return list(self._spans)


def title(p: Person, rng: np.random.Generator) -> str:
    return pick(rng, ("ông", "Ông")) if p.male else pick(rng, ("bà", "Bà"))


def dob(b: Builder, p: Person, rng: np.random.Generator) -> None:
    """A date of birth in one of the ways documents print it."""
    roll = rng.random()
    if roll < 0.45:
        b.add("sinh năm ").add(str(p.born.year), K.DOB)
    elif roll < 0.8:
        b.add("sinh ngày ").add(short_date(p.born) if chance(rng, 0.7) else p.born.strftime("%d-%m-%Y"), K.DOB)
    else:
        b.add("ngày sinh: ").add(p.born.strftime("%d/%m/%Y"), K.DOB)


def parcel(b: Builder, rng: np.random.Generator) -> None:
    b.add(pick(rng, ("thửa đất số ", "thửa số ")))
    gap = pick(rng, (", ", " "))
    b.add(f"{between(rng, 1, 999)}{gap}tờ bản đồ số {between(rng, 1, 80)}", K.PARCEL)


def _name(b: Builder, p: Person, rng: np.random.Generator, upper: float = 0.0) -> None:
    b.add(p.name.upper() if chance(rng, upper) else p.name, K.NAME)


# ---------------------------------------------------------------- tuning phrasings


def _t_land(rng: np.random.Generator, held_out: bool) -> Builder:
    p, q = person(rng, held_out), person(rng, held_out)
    b = Builder().add(pick(rng, ("Giao đất cho hộ ", "Công nhận quyền sử dụng đất cho hộ ")))
    b.add(title(p, rng) + " ")
    _name(b, p, rng)
    if chance(rng, 0.5):
        b.add(f" và {title(q, rng).lower()} ")
        _name(b, q, rng)
    b.add(", ")
    dob(b, p, rng)
    b.add(", số CCCD: ").add(p.cccd, K.CCCD).add(", thường trú tại ").add(p.address, K.ADDRESS).add("; ")
    parcel(b, rng)
    return b.add(f", diện tích {between(rng, 40, 900)} m2.")


def _t_form(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    b = Builder().add(pick(rng, ("Họ và tên: ", "Họ tên: ", "Họ và tên người đề nghị: ")))
    _name(b, p, rng, upper=0.4)
    b.add("\nNgày, tháng, năm sinh: ").add(short_date(p.born), K.DOB)
    b.add(pick(rng, ("\nSố CCCD: ", "\nSố định danh cá nhân: "))).add(p.cccd, K.CCCD)
    b.add("\nNơi thường trú: ").add(p.address, K.ADDRESS)
    return b.add("\nSố điện thoại: ").add(p.phone, K.PHONE).add("\n")


def _t_household(rng: np.random.Generator, held_out: bool) -> Builder:
    b = Builder().add("Danh sách hộ gia đình được hỗ trợ:\n")
    for i in range(between(rng, 2, 5)):
        p = person(rng, held_out)
        b.add(f"{i + 1}. ")
        _name(b, p, rng)
        b.add(", ")
        dob(b, p, rng)
        b.add(", trú tại ").add(p.address, K.ADDRESS).add(";\n")
    return b


def _t_complaint(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    received = short_date(p.born.replace(year=2025, day=min(p.born.day, 28)))
    b = Builder().add(f"Ngày {received}, Ủy ban nhân dân nhận được đơn của ")
    b.add(title(p, rng).lower() + " ")
    _name(b, p, rng)
    b.add(" (điện thoại ").add(p.phone, K.PHONE).add(", thư điện tử ").add(p.email, K.EMAIL)
    return b.add(") về việc tranh chấp ranh giới đất với hộ liền kề.")


def _t_allowance(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    b = Builder().add("Trợ cấp xã hội hằng tháng cho " + pick(rng, ("cụ ", "cháu ", "ông " if p.male else "bà ")))
    _name(b, p, rng)
    b.add(", ")
    dob(b, p, rng)
    b.add(", số tài khoản ").add(p.bank_account, K.BANK_ACCOUNT)
    return b.add(" tại Ngân hàng Chính sách xã hội.")


def _t_issue(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    b = Builder().add(pick(rng, ("Cấp cho ", "Cấp giấy chứng nhận cho ", "Giao cho ")))
    b.add(pick(rng, ("anh ", "ông ", "ông (bà) ") if p.male else ("chị ", "bà ", "ông (bà) ")))
    _name(b, p, rng)
    b.add(", CMND số ").add(p.cmnd, K.CMND).add(", chủ phương tiện biển số ").add(p.plate, K.PLATE)
    return b.add(".")


_MENTIONS = (
    ("", " đã nộp hồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất."),
    ("Đề nghị ", " có mặt tại trụ sở Ủy ban nhân dân để giải quyết."),
    ("Biên bản làm việc với ", " về việc xây dựng công trình không phép."),
    ("Hỗ trợ gia đình ", " khắc phục hậu quả thiên tai, mức 2.000.000 đồng."),
    ("Thăm hỏi, tặng quà ", " nhân dịp Tết Nguyên đán."),
    ("Theo trình bày của ", ", thửa đất đã được sử dụng ổn định từ năm 1993."),
)
_FUNCTIONS = ("Chủ tịch UBND phường", "Phó Chủ tịch UBND xã", "Trưởng phòng Kinh tế", "Chuyên viên Văn phòng",
              "Phó Trưởng phòng Văn hóa - Xã hội", "Công chức địa chính", "Bí thư Đảng ủy")
_ORGANS = ("Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND", "Công an phường", "Phòng Kinh tế, Hạ tầng và Đô thị",
           "Trạm Y tế", "Ban Chỉ huy quân sự", "Trung tâm Phục vụ hành chính công")
_KIN = ("cụ", "cháu", "em", "chú", "cô", "bác")


def _t_mention(rng: np.random.Generator, held_out: bool) -> Builder:
    """A citizen named after a title in a plain sentence, sometimes with relatives listed after a colon."""
    p = person(rng, held_out)
    lead, tail = pick(rng, _MENTIONS)
    who = pick(rng, (title(p, rng), pick(rng, _KIN)))
    who = who.capitalize() if not lead else who.lower()
    b = Builder().add(f"{lead}{who} ").add(p.name, K.NAME).add(tail)
    if chance(rng, 0.4):
        b.add(" Thành viên gồm: ")
        for i in range(between(rng, 1, 3)):
            q = person(rng, held_out)
            b.add(pick(rng, (", ", "; ", " và ")) if i else "").add(q.name, K.NAME)
            if chance(rng, 0.5):
                b.add(f" ({pick(rng, ('con', 'vợ', 'chồng', 'mẹ', 'cháu'))})")
        b.add(".")
    return b


def _t_official(rng: np.random.Generator, held_out: bool) -> Builder:
    """Officials in their office and streets named after people: no personal data but the address."""
    official, _ = full_name(rng, held_out)
    ward = pick(rng, WARDS_2025)
    roll = rng.random()
    if roll < 0.2:
        return Builder().add(f"Giao đồng chí {official}, Phó Chủ tịch UBND phường {ward} chỉ đạo thực hiện.")
    if roll < 0.35:
        return Builder().add(f"Ông {official}, Chủ tịch UBND xã {pick(rng, COMMUNES_2025)} phát biểu.")
    if roll < 0.45:
        who = "\n".join(f"- {pick(rng, ('Ông', 'Bà'))} {full_name(rng, held_out)[0]}, {pick(rng, _FUNCTIONS)};"
                        for _ in range(between(rng, 1, 3)))
        return Builder().add(f"Thành phần tham dự:\n{who}")
    if roll < 0.55:
        return Builder().add("\n".join(f"{i + 1}. {pick(rng, _ORGANS)} chủ trì thực hiện." for i in range(3)))
    if roll < 0.65:
        return Builder().add(f"Trụ sở Ủy ban nhân dân phường {ward} đặt tại số {between(rng, 1, 99)} phố "
                             f"{pick(rng, STREETS)}; Trường Tiểu học {pick(rng, STREETS)} phối hợp.")
    if roll < 0.75:  # schools and streets named after people
        school = pick(rng, ("Trường THPT", "Trường THCS", "Trường Tiểu học", "Trường Mầm non", "đường", "phố"))
        return Builder().add(f"{school} {full_name(rng, held_out)[0]} tổ chức lễ khai giảng năm học mới.")
    return Builder().add(f"Chủ tịch UBND xã {pick(rng, COMMUNES_2025)} {official} chủ trì hội nghị tại "
                         f"đường {pick(rng, STREETS)}.")


def _t_signature(rng: np.random.Generator, held_out: bool) -> Builder:
    signer, _ = full_name(rng, held_out)
    lead = pick(rng, ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
                      "CHỦ TỊCH", "TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG", "Q. TRƯỞNG PHÒNG"))
    return Builder().add(f"Nơi nhận:\n- Như trên;\n- Lưu: VT.\n{lead}\n{signer}\n")


_T_CLAUSES = ("Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;", "Điều 2. Văn phòng HĐND và UBND theo dõi thực hiện.",
              "Nơi nhận:\n- Như trên;", "Theo đề nghị của Phòng Kinh tế.", "Ngày 15 tháng 3 năm 2025, hồ sơ "
              "được tiếp nhận.", "Điều 3. Quyết định này có hiệu lực từ ngày ký.", "Căn cứ Nghị định số "
              "101/2024/NĐ-CP của Chính phủ;", "Trường hợp có vướng mắc, báo cáo Ủy ban nhân dân.")


def _t_line_end(rng: np.random.Generator, held_out: bool) -> Builder:
    """A name that ends its line, then a line that starts a clause; or a name wrapped across two lines."""
    p = person(rng, held_out)
    b = Builder().add(pick(rng, ("Giao đất cho hộ ", "Cấp giấy chứng nhận cho ", "Tiếp nhận hồ sơ của ",
                                 "Hỗ trợ gia đình ")) + title(p, rng).lower() + " ")
    words = p.name.split()
    if chance(rng, 0.6):
        b.add(p.name, K.NAME).add("\n")
        if chance(rng, 0.3):
            return b.add("Sinh ngày ").add(short_date(p.born), K.DOB).add(".")
        return b.add(pick(rng, _T_CLAUSES))
    cut = between(rng, 1, len(words) - 1)
    b.add(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]), K.NAME).add(", ")
    dob(b, p, rng)
    return b.add(".")


_T_SINGLE = ("Tại buổi làm việc, {t} {n} trình bày nguyện vọng được cấp đổi giấy chứng nhận.",
             "Đoàn công tác đến thăm gia đình {t} {n} và tặng quà.",
             "{T} {n} cho biết gia đình đã sử dụng thửa đất từ năm 1990.",
             "Ý kiến của {t} {n}: đề nghị xem xét lại ranh giới thửa đất.")


def _single(rng: np.random.Generator, held_out: bool, phrasings: tuple[str, ...]) -> Builder:
    """A person called by a title and the given name alone ("ông An", "chị Lan"), in running text; and a
    title before an office or a word ("ông Chủ tịch", "anh hùng"), which is no name."""
    p = person(rng, held_out)
    who = pick(rng, ("ông", "anh", "chú", "cụ") if p.male else ("bà", "chị", "cô", "cụ"))
    phrasing = pick(rng, phrasings)
    lead, rest = phrasing.split("{n}")
    lead = lead.replace("{t}", who).replace("{T}", who.capitalize())
    b = Builder().add(lead).add(p.name.split()[-1], K.NAME).add(rest)
    if chance(rng, 0.4):
        b.add(pick(rng, (" Ông Chủ tịch UBND xã đã tiếp thu ý kiến.", " Bà Trưởng phòng Tư pháp giải thích quy định.",
                         " Gia đình anh hùng liệt sĩ được ưu tiên.", " Đồng chí Phó Chủ tịch kết luận buổi làm việc.")))
    return b


def _t_single(rng: np.random.Generator, held_out: bool) -> Builder:
    return _single(rng, held_out, _T_SINGLE)


# ---------------------------------------------------------------- held-out phrasings


def _h_applicant(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    b = Builder().add(pick(rng, ("Người làm đơn: ", "Đại diện hộ: ", "Tên chủ hộ: ", "Người khiếu nại: ")))
    _name(b, p, rng, upper=0.3)
    b.add(" - năm sinh: ").add(str(p.born.year), K.DOB).add("; CCCD ").add(p.cccd, K.CCCD)
    return b.add("; hiện cư trú tại ").add(p.address, K.ADDRESS).add(".")


def _h_transfer(rng: np.random.Generator, held_out: bool) -> Builder:
    p, q = person(rng, held_out), person(rng, held_out)
    b = Builder().add("Chuyển nhượng ")
    parcel(b, rng)
    b.add(" từ " + title(p, rng).lower() + " ")
    _name(b, p, rng)
    b.add(" sang chị " if not q.male else " sang anh ")
    _name(b, q, rng)
    return b.add(" (ĐT: ").add(q.phone, K.PHONE).add(").")


def _h_family(rng: np.random.Generator, held_out: bool) -> Builder:
    head = person(rng, held_out)
    b = Builder().add("Hộ gia đình " + title(head, rng).lower() + " ")
    _name(b, head, rng)
    b.add(" gồm các thành viên: ")
    for i in range(between(rng, 1, 3)):
        p = person(rng, held_out)
        b.add("; " if i else "")
        _name(b, p, rng)
        b.add(" (").add(str(p.born.year), K.DOB).add(pick(rng, (", con)", ", vợ)", ", cháu)")))
    return b.add(".")


def _h_phone_call(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    b = Builder().add("Mọi thắc mắc xin liên hệ " + pick(rng, ("em ", "anh " if p.male else "chị ")))
    _name(b, p, rng)
    b.add(" qua số ").add(p.phone, K.PHONE).add(" hoặc ").add(p.email, K.EMAIL)
    return b.add(pick(rng, (".", " trong giờ hành chính.")))


def _h_vehicle(rng: np.random.Generator, held_out: bool) -> Builder:
    p = person(rng, held_out)
    b = Builder().add("Xe mô tô BKS ").add(p.plate, K.PLATE).add(" do " + title(p, rng).lower() + " ")
    _name(b, p, rng)
    b.add(" (CMND ").add(p.cmnd, K.CMND).add(") điều khiển, ")
    b.add("STK nhận tiền bồi thường: ").add(p.bank_account, K.BANK_ACCOUNT)
    return b.add(".")


def _h_official(rng: np.random.Generator, held_out: bool) -> Builder:
    official, _ = full_name(rng, held_out)
    return Builder().add(f"Ông {official}, Phó Chủ tịch UBND phường {pick(rng, WARDS_2025)}, thay mặt Ủy ban "
                         f"ký xác nhận. Cuộc họp tổ chức tại hội trường số {between(rng, 1, 9)} phố "
                         f"{pick(rng, STREETS)}, xã {pick(rng, COMMUNES_2025)}.")


_H_CLAUSES = ("Xét đề nghị của Trưởng phòng Kinh tế;", "Khoản 2 Điều 5 của Luật này được áp dụng.",
              "Quyết định này có hiệu lực kể từ ngày ký.", "Theo báo cáo của Công an xã, hồ sơ hợp lệ.",
              "Nay xác nhận nội dung trên là đúng.", "Kính gửi: Ủy ban nhân dân phường.")
_H_SINGLE = ("Qua xác minh, {t} {n} hiện không có mặt tại địa phương.",
             "{T} {n} đồng ý với kết quả đo đạc.",
             "Hồ sơ do {t} {n} nộp ngày 12 tháng 5 năm 2025 đã đủ thành phần.")


def _h_line_end(rng: np.random.Generator, held_out: bool) -> Builder:
    """A name that ends its line before a clause, or wraps onto the next line, in held-out phrasings."""
    p = person(rng, held_out)
    b = Builder().add(pick(rng, ("Đồng ý cho hộ ", "Xác nhận hộ ", "Chấp thuận cho ")) + title(p, rng).lower()
                      + " ")
    words = p.name.split()
    if chance(rng, 0.6):
        return b.add(p.name, K.NAME).add("\n" + pick(rng, _H_CLAUSES))
    cut = between(rng, 1, len(words) - 1)
    return b.add(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]), K.NAME).add(" được chuyển mục đích.")


def _h_single(rng: np.random.Generator, held_out: bool) -> Builder:
    return _single(rng, held_out, _H_SINGLE)


Template = Callable[[np.random.Generator, bool], Builder]
TUNING_TEMPLATES: tuple[Template, ...] = (_t_land, _t_form, _t_household, _t_complaint, _t_allowance, _t_issue,
                                          _t_mention, _t_official, _t_signature, _t_line_end, _t_single)
HELD_OUT_TEMPLATES: tuple[Template, ...] = (_h_applicant, _h_transfer, _h_family, _h_phone_call, _h_vehicle,
                                            _h_official, _t_signature, _h_line_end, _h_single)


def passage(rng: np.random.Generator, held_out: bool) -> Builder:
    """Two to four sentences or blocks of one set of phrasings, joined on lines as a page would."""
    templates = HELD_OUT_TEMPLATES if held_out else TUNING_TEMPLATES
    b = Builder()
    for i in range(between(rng, 2, 4)):
        b.add("\n" if i else "").extend(pick(rng, templates)(rng, held_out))
    return b
