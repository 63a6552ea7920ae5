"""Body text of each sample document type (Căn cứ, Điều, numbered items, closing), per NĐ 30 templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from sohoa.samples._model import BOLD, ITALIC, Para, Run, para
from sohoa.samples._phrases import ACTORS, TOPICS, legal_bases, paragraph, person
from sohoa.samples._rand import between, chance, pick, sample, short_date
from sohoa.samples._units import Organ

Sections = list[tuple[list[Para], list[Para]]]


@dataclass(frozen=True)
class BodyCtx:
    """What a body needs to know about its document."""

    organ: Organ
    when: date
    topic: str
    subject: str
    type_name: str
    addressee: str
    chair: str

    @property
    def fill(self) -> dict[str, str]:
        return {"place": self.organ.area, "superior": self.organ.superior}


@dataclass(frozen=True)
class Body:
    preamble: list[Para]
    sections: Sections
    closing: list[Para]


def _items(rng: np.random.Generator, c: BodyCtx, count: int, marker: str) -> list[Para]:
    """Numbered ("1."), dashed ("-") or plain ("") items of administrative prose."""
    out = []
    for i in range(count):
        text = paragraph(rng, c.fill, c.when, actor=marker != "-")
        prefix = {"1": f"{i + 1}. ", "-": "- "}.get(marker, "")
        out.append(para(prefix + text))
    return out


def _heading(text: str) -> list[Para]:
    return [para(text, BOLD, indent=True)]


def _reference(rng: np.random.Generator, c: BodyCtx) -> str:
    ref_day = c.when - timedelta(days=between(rng, 15, 120))
    sign = pick(rng, ("KH-UBND", "UBND-KGVX", "QĐ-UBND", "CT-UBND", "UBND-NC"))
    return (f"Văn bản số {between(rng, 120, 4999)}/{sign} ngày {short_date(ref_day)} của Ủy ban nhân dân "
            f"Thành phố về {pick(rng, TOPICS)}")


def _bases(rng: np.random.Generator, c: BodyCtx, proposer: str) -> list[Para]:
    lines = legal_bases(rng, c.when.year, between(rng, 2, 4))
    out = [para(text + ";", ITALIC) for text in lines]
    out.append(para(f"Theo đề nghị của {proposer}.", ITALIC))
    return out


def _article(number: int, text: str) -> Para:
    return Para((Run(f"Điều {number}. ", BOLD), Run(text)))


def decision(rng: np.random.Generator, c: BodyCtx) -> Body:
    if c.organ.kind == "ubnd":
        authority = f"{c.organ.head} ỦY BAN NHÂN DÂN {c.organ.area.upper()}"
    else:
        authority = f"{c.organ.head} {c.organ.organ_lines[-1]}"
    preamble = [para(authority, BOLD, align="center", indent=False, space_before=10)]
    preamble += _bases(rng, c, pick(rng, ("Chánh Văn phòng", "Trưởng phòng Nội vụ", "Giám đốc Sở Nội vụ")))
    preamble.append(para("QUYẾT ĐỊNH:", BOLD, align="center", indent=False, space_before=10))
    action = c.subject.removeprefix("Về việc ")
    first = _article(1, f"{action[0].upper()}{action[1:]}, với các nội dung chủ yếu sau đây:")
    sections: Sections = [([first], _items(rng, c, 20, "1"))]
    closing = [
        _article(2, "Quyết định này có hiệu lực kể từ ngày ký."),
        _article(3, "Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị và các cá nhân có liên quan chịu trách "
                    "nhiệm thi hành Quyết định này./."),
    ]
    return Body(preamble, sections, closing)


def resolution(rng: np.random.Generator, c: BodyCtx) -> Body:
    organ = " ".join(c.organ.organ_lines)
    preamble = [para(organ, BOLD, align="center", indent=False, space_before=10),
                para(f"KHÓA XVI, KỲ HỌP THỨ {between(rng, 2, 25)}", BOLD, align="center", indent=False,
                     space_before=0)]
    preamble += [para(text + ";", ITALIC) for text in legal_bases(rng, c.when.year, 2)]
    submitted = short_date(c.when - timedelta(days=20))
    preamble.append(para(f"Xét Tờ trình số {between(rng, 10, 300)}/TTr-UBND ngày {submitted} của Ủy ban "
                         "nhân dân; Báo cáo thẩm tra của các Ban; ý kiến thảo luận của đại biểu Hội đồng "
                         "nhân dân tại kỳ họp.", ITALIC))
    preamble.append(para("QUYẾT NGHỊ:", BOLD, align="center", indent=False, space_before=10))
    sections: Sections = [([_article(1, f"Thông qua nội dung về {c.topic}, cụ thể như sau:")],
                           _items(rng, c, 20, "1"))]
    closing = [_article(2, "Giao Ủy ban nhân dân tổ chức triển khai thực hiện Nghị quyết này. Thường trực "
                           "Hội đồng nhân dân, các Ban và đại biểu Hội đồng nhân dân giám sát việc thực "
                           "hiện."),
               _article(3, f"Nghị quyết này đã được Hội đồng nhân dân thông qua ngày {short_date(c.when)} "
                           "và có hiệu lực kể từ ngày thông qua./.")]
    return Body(preamble, sections, closing)


def directive(rng: np.random.Generator, c: BodyCtx) -> Body:
    preamble = [para(paragraph(rng, c.fill, c.when)),
                para(f"Để khắc phục những tồn tại, hạn chế và nâng cao hiệu quả {c.topic}, "
                     f"Chủ tịch {c.organ.display} yêu cầu:")]
    closing = [para("Thủ trưởng các cơ quan, đơn vị và các cá nhân có liên quan nghiêm túc thực hiện Chỉ "
                    "thị này./.")]
    return Body(preamble, [([], _items(rng, c, 20, "1"))], closing)


def plan(rng: np.random.Generator, c: BodyCtx) -> Body:
    kind = c.type_name.lower()
    preamble = [para(f"Thực hiện {_reference(rng, c)}, {c.organ.display} ban hành {kind} "
                     f"{c.subject[0].lower()}{c.subject[1:]} như sau:")]
    sections: Sections = [
        (_heading("I. MỤC ĐÍCH, YÊU CẦU"), _items(rng, c, 3, "-")),
        (_heading("II. NỘI DUNG, NHIỆM VỤ"), _items(rng, c, 14, "1")),
        (_heading("III. TỔ CHỨC THỰC HIỆN"), _items(rng, c, 4, "-")),
    ]
    closing = [para(f"Trên đây là {kind} của {c.organ.display}, yêu cầu các cơ quan, đơn vị nghiêm túc "
                    "triển khai thực hiện./.")]
    return Body(preamble, sections, closing)


def report(rng: np.random.Generator, c: BodyCtx) -> Body:
    preamble = [para(f"Thực hiện {_reference(rng, c)}, {c.organ.display} báo cáo kết quả như sau:")]
    sections: Sections = [
        (_heading("I. KẾT QUẢ ĐẠT ĐƯỢC"), _items(rng, c, 12, "1")),
        (_heading("II. TỒN TẠI, HẠN CHẾ"), _items(rng, c, 3, "-")),
        (_heading("III. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI"), _items(rng, c, 8, "1")),
    ]
    closing = [para(f"Trên đây là báo cáo của {c.organ.display}./.")]
    return Body(preamble, sections, closing)


def submission(rng: np.random.Generator, c: BodyCtx) -> Body:
    preamble = [para(text + ";") for text in legal_bases(rng, c.when.year, 2)]
    preamble.append(para(f"{c.organ.display} kính trình {c.organ.superior} xem xét {c.subject[0].lower()}"
                         f"{c.subject[1:]}, cụ thể như sau:"))
    sections: Sections = [
        (_heading("I. SỰ CẦN THIẾT"), _items(rng, c, 3, "")),
        (_heading("II. NỘI DUNG ĐỀ NGHỊ"), _items(rng, c, 14, "1")),
    ]
    closing = [para(f"{c.organ.display} kính trình {c.organ.superior} xem xét, quyết định./.")]
    return Body(preamble, sections, closing)


def notice(rng: np.random.Generator, c: BodyCtx) -> Body:
    day = c.when - timedelta(days=between(rng, 1, 7))
    preamble = [para(f"Ngày {short_date(day)}, tại trụ sở {c.organ.display}, đồng chí {c.chair} đã chủ trì "
                     f"cuộc họp về {c.topic}. Tham dự cuộc họp có đại diện lãnh đạo các phòng, ban, đơn vị "
                     "liên quan. Sau khi nghe báo cáo và ý kiến của các đại biểu, đồng chí chủ trì kết luận "
                     "như sau:")]
    closing = [para(f"{c.organ.display} thông báo để các cơ quan, đơn vị biết, thực hiện./.")]
    return Body(preamble, [([], _items(rng, c, 20, "1"))], closing)


def invitation(rng: np.random.Generator, c: BodyCtx) -> Body:
    day = c.when + timedelta(days=between(rng, 2, 10))
    hour = pick(rng, ("08 giờ 00", "08 giờ 30", "09 giờ 00", "14 giờ 00", "14 giờ 30"))
    preamble = [
        para(f"{c.organ.display} tổ chức hội nghị về {c.topic}."),
        para(f"Trân trọng kính mời: {c.addressee}."),
        para(f"Thời gian: {hour} phút, ngày {short_date(day)}."),
        para(f"Địa điểm: Hội trường tầng {between(rng, 2, 5)}, trụ sở {c.organ.display}."),
    ]
    guests = [para(f"- Đại diện lãnh đạo {actor};") for actor in sample(rng, ACTORS, 6)]
    closing = [para("Đề nghị các đại biểu nghiên cứu tài liệu trước hội nghị. Rất mong các đại biểu đến dự "
                    "đúng giờ./.")]
    return Body(preamble, [(_heading("Thành phần tham dự:"), guests)], closing)


def minutes(rng: np.random.Generator, c: BodyCtx) -> Body:
    preamble = [para(f"Hồi 14 giờ 00 phút, ngày {short_date(c.when)}, tại trụ sở {c.organ.display} tiến hành "
                     f"họp về {c.topic}.")]
    people = [person(rng) for _ in range(5)]
    titles = ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên", "Phó Chủ tịch")
    attendees = [para(f"- {'Ông' if male else 'Bà'} {name}, {pick(rng, titles)};") for name, male in people]
    sections: Sections = [
        (_heading("I. THÀNH PHẦN THAM DỰ"), attendees),
        (_heading("II. NỘI DUNG CUỘC HỌP"), _items(rng, c, 12, "1")),
        (_heading("III. KẾT LUẬN"), _items(rng, c, 3, "-")),
    ]
    closing = [para("Cuộc họp kết thúc vào hồi 16 giờ 30 phút cùng ngày. Biên bản đã được đọc lại cho các "
                    "thành viên dự họp cùng nghe và nhất trí thông qua./.")]
    return Body(preamble, sections, closing)


def letter(rng: np.random.Generator, c: BodyCtx) -> Body:
    preamble = [para(f"Thực hiện {_reference(rng, c)}, {c.organ.display} đề nghị các cơ quan, đơn vị thực "
                     "hiện một số nội dung sau:")]
    text = pick(rng, ("Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện",
                      f"{c.organ.display} đề nghị các đơn vị khẩn trương triển khai thực hiện"))
    closing = [para(text + "./.")]
    if chance(rng, 0.4):
        closing = [para(text + "."), para("Trân trọng./.")]
    return Body(preamble, [([], _items(rng, c, 18, "1"))], closing)


BODIES: dict[str, Callable[[np.random.Generator, BodyCtx], Body]] = {
    "Quyết định": decision, "Nghị quyết": resolution, "Chỉ thị": directive, "Kế hoạch": plan,
    "Hướng dẫn": plan, "Báo cáo": report, "Tờ trình": submission, "Thông báo": notice,
    "Giấy mời": invitation, "Biên bản": minutes, "Công văn": letter,
}
