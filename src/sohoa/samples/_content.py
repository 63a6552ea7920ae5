"""Draw one random document's content and true fields: type, number, date, header, signer, recipients."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from sohoa.domain.codes import Secrecy, Urgency, type_by_name
from sohoa.domain.text import format_vn_date
from sohoa.samples._bodies import BODIES, BodyCtx
from sohoa.samples._model import (
    BOLD,
    BOLD_ITALIC,
    ITALIC,
    REGULAR,
    Appendix,
    Content,
    EndBlock,
    Line,
    Para,
    Stamp,
    Table,
    para,
)
from sohoa.samples._phrases import ACTORS, TOPICS, person
from sohoa.samples._rand import between, chance, day_between, pick, sample, short_date
from sohoa.samples._units import CV_UNITS, Organ, pick_organ
from sohoa.samples._variations import PLAIN, Variation

# Types each kind of body issues, with weights.
TYPES_BY_KIND: dict[str, tuple[tuple[str, float], ...]] = {
    "ubnd": (("Công văn", 3), ("Quyết định", 3), ("Kế hoạch", 2), ("Thông báo", 1.5), ("Báo cáo", 1.5),
             ("Chỉ thị", 0.7), ("Giấy mời", 1), ("Tờ trình", 1), ("Biên bản", 0.7)),
    "hdnd": (("Nghị quyết", 4), ("Thông báo", 1), ("Báo cáo", 1), ("Kế hoạch", 1), ("Công văn", 1)),
    "dept": (("Công văn", 3), ("Quyết định", 2), ("Kế hoạch", 1.5), ("Hướng dẫn", 1.5), ("Báo cáo", 1.5),
             ("Tờ trình", 1.5), ("Thông báo", 1), ("Giấy mời", 1), ("Biên bản", 0.5)),
    "office": (("Công văn", 3), ("Báo cáo", 2), ("Tờ trình", 1.5), ("Kế hoạch", 1), ("Hướng dẫn", 1),
               ("Giấy mời", 1), ("Thông báo", 1), ("Biên bản", 0.7)),
}
SUBJECTS: dict[str, tuple[str, ...]] = {
    "Quyết định": ("Về việc ban hành Kế hoạch {topic} năm {year}", "Về việc thành lập Tổ công tác {topic}",
                   "Về việc kiện toàn Ban Chỉ đạo {topic}", "Về việc phê duyệt danh mục nhiệm vụ {topic}"),
    "Nghị quyết": ("Về nhiệm vụ {topic} năm {year}", "Về việc thông qua chương trình {topic}"),
    "Chỉ thị": ("Về việc tăng cường {topic}", "Về việc đẩy mạnh {topic}"),
    "Kế hoạch": ("Triển khai {topic} năm {year}", "Thực hiện {topic} trên địa bàn {area}"),
    "Hướng dẫn": ("Thực hiện {topic} năm {year}", "Triển khai {topic} trên địa bàn {area}"),
    "Báo cáo": ("Kết quả thực hiện {topic} 6 tháng đầu năm {year}", "Tình hình thực hiện {topic} năm {year}"),
    "Tờ trình": ("Về việc đề nghị phê duyệt Kế hoạch {topic} năm {year}",
                 "Về việc đề nghị bổ sung kinh phí thực hiện {topic}"),
    "Thông báo": ("Kết luận của Chủ tịch tại cuộc họp về {topic}", "Về việc tổ chức {topic}"),
    "Giấy mời": ("Dự hội nghị triển khai {topic}", "Dự họp về {topic}"),
    "Biên bản": ("Cuộc họp về {topic}", "Kiểm tra {topic}"),
    "Công văn": ("đôn đốc thực hiện {topic}", "triển khai {topic}", "báo cáo kết quả {topic} năm {year}",
                 "tăng cường {topic}"),
}
ADDRESSED = {"Công văn", "Tờ trình"}
RECIPIENTS = ("Thường trực Thành ủy", "Chủ tịch UBND Thành phố", "Các Phó Chủ tịch UBND Thành phố",
              "Các sở, ban, ngành Thành phố", "UBND các xã, phường", "Sở Nội vụ", "Trung tâm Lưu trữ lịch sử",
              "Cổng thông tin điện tử Thành phố", "Đảng ủy phường", "Ủy ban MTTQ Việt Nam phường")


def _choose_type(rng: np.random.Generator, organ: Organ) -> str:
    names, weights = zip(*TYPES_BY_KIND[organ.kind], strict=True)
    p = np.asarray(weights) / sum(weights)
    return str(names[int(rng.choice(len(names), p=p))])


def _number(rng: np.random.Generator) -> str:
    return f"{between(rng, 1, 420):02d}"


def _sign(rng: np.random.Generator, organ: Organ, type_name: str, year: int) -> tuple[str, str, str]:
    """(code_number, code_notation, text after 'Số: '); number + '/' + notation is the printed sign.

    Legal-normative QĐ/NQ sometimes carry the year, which stays in the notation: '12/2025/QĐ-UBND' →
    ('12', '2025/QĐ-UBND'), as the real labels and the extractor store it.
    """
    number = _number(rng)
    doc_type = type_by_name(type_name)
    if doc_type is None or doc_type.abbreviation is None:
        # Công văn: issuing body, then the drafting unit or field (NĐ 30 Phụ lục I).
        unit = pick(rng, ("TH", "HC", "NV")) if organ.kind == "office" else pick(rng, CV_UNITS)
        notation = f"{organ.sign}-{unit}"
        return number, notation, f"{number}/{notation}"
    abbreviation = doc_type.abbreviation
    notation = f"{abbreviation}-{organ.sign}"
    if type_name in ("Quyết định", "Nghị quyết") and organ.kind in ("ubnd", "hdnd") and chance(rng, 0.3):
        return number, f"{year}/{notation}", f"{number}/{year}/{notation}"
    return number, notation, f"{number}/{notation}"


def _header(organ: Organ, number_sign: str, subject: str, type_name: str,
            when: date, printed_sign: str = "") -> tuple[list[Line], list[Line]]:
    left = [Line(text, REGULAR, 13) for text in organ.parent_lines]
    left += [Line(text, BOLD, 13, rule="short" if i == len(organ.organ_lines) - 1 else "")
             for i, text in enumerate(organ.organ_lines)]
    left.append(Line(printed_sign or f"Số: {number_sign}", REGULAR, 13, gap_before=2.5))
    if type_name == "Công văn":
        left.append(Line(f"V/v {subject}", REGULAR, 12, gap_before=2.0))
    right = [Line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", BOLD, 12),
             Line("Độc lập - Tự do - Hạnh phúc", BOLD, 13, rule="full"),
             Line(format_vn_date(when, organ.place), ITALIC, 14, gap_before=2.5)]
    return left, right


def _title(type_name: str, subject: str, addressees: list[str]) -> list[Para]:
    out: list[Para] = []
    if type_name != "Công văn":
        out.append(para(type_name.upper(), BOLD, align="center", indent=False, space_before=10))
        out.append(para(subject, BOLD, align="center", indent=False, space_before=0, rule_after=True))
    if addressees:
        lead = "Kính gửi: "
        if len(addressees) == 1:
            out.append(para(lead + addressees[0] + ".", align="center", indent=False, space_before=10))
        else:
            out.append(para("Kính gửi:", align="center", indent=False, space_before=10))
            out += [para(f"- {a};" if i < len(addressees) - 1 else f"- {a}.", align="left", indent=False,
                         space_before=0, inset=45) for i, a in enumerate(addressees)]
    return out


def _signer(rng: np.random.Generator, organ: Organ, type_name: str) -> list[str]:
    deputy = chance(rng, 0.55)
    if organ.collective and type_name not in ("Chỉ thị", "Quyết định"):
        lead = "TM. THƯỜNG TRỰC HĐND" if organ.kind == "hdnd" and deputy else f"TM. {organ.collective}"
        return [lead, f"KT. {organ.head}", organ.deputy] if deputy and organ.kind == "ubnd" else \
            [lead, organ.deputy if deputy else organ.head]
    return [f"KT. {organ.head}", organ.deputy] if deputy else [organ.head]


def _end_block(rng: np.random.Generator, organ: Organ, type_name: str, name: str,
               addressees: list[str]) -> tuple[EndBlock, list[str], str]:
    """The end block, the Nơi nhận items as recipients, and the signer's position line."""
    if type_name == "Biên bản":
        secretary, _ = person(rng)
        left: tuple[Line, ...] = (Line("THƯ KÝ", BOLD, 14), Line(secretary, BOLD, 14, gap_before=24))
        right: tuple[Line, ...] = (Line("CHỦ TRÌ", BOLD, 14), Line(name, BOLD, 14, gap_before=24))
        return EndBlock(left, right, signature_left=True), [], "CHỦ TRÌ"
    positions = _signer(rng, organ, type_name)
    right = (*tuple(Line(p, BOLD, 14) for p in positions), Line(name, BOLD, 14, gap_before=24))
    recipients = (["Như trên"] if addressees else []) + sample(rng, RECIPIENTS, between(rng, 2, 5))
    recipients.append(f"Lưu: VT, {pick(rng, ('VP', 'NV', 'TH', 'KT', 'VX'))}")
    lines = [Line("Nơi nhận:", BOLD_ITALIC, 12, align="left")]
    lines += [Line(f"- {r}{'.' if i == len(recipients) - 1 else ';'}", REGULAR, 11, align="left")
              for i, r in enumerate(recipients)]
    return EndBlock(tuple(lines), right), recipients, positions[-1]


def _appendix(rng: np.random.Generator, type_name: str, number_sign: str, when: date, organ: Organ,
              topic: str) -> Appendix:
    heading = (
        para(pick(rng, ("Phụ lục", "Phụ lục I")), BOLD, align="center", indent=False, size=14,
             space_before=0),
        para(f"DANH MỤC NHIỆM VỤ {topic.upper()}", BOLD, align="center", indent=False, size=13),
        para(f"(Kèm theo {type_name} số {number_sign} ngày {short_date(when)} của {organ.display})", ITALIC,
             align="center", indent=False, size=13, space_before=0),
    )
    verbs = ("Rà soát", "Tuyên truyền về", "Kiểm tra", "Tổng kết", "Xây dựng kế hoạch", "Báo cáo kết quả")
    times = ("Thường xuyên", f"Quý III/{when.year}", f"Tháng 12/{when.year}", f"Quý IV/{when.year}")
    rows = tuple((str(i + 1), f"{pick(rng, verbs)} {pick(rng, TOPICS)}", pick(rng, ACTORS), pick(rng, times))
                 for i in range(between(rng, 5, 10)))
    columns = ("STT", "Nội dung công việc", "Đơn vị chủ trì", "Thời gian")
    table = Table(columns, rows, (0.08, 0.46, 0.28, 0.18))
    return Appendix(heading, table)


def _marks(rng: np.random.Generator) -> tuple[str | None, str | None, list[Stamp]]:
    secrecy = str(pick(rng, list(Secrecy))) if chance(rng, 0.08) else None
    urgency = str(pick(rng, list(Urgency))) if chance(rng, 0.15) else None
    stamps = [Stamp(v.upper()) for v in (secrecy, urgency) if v]
    return secrecy, urgency, stamps


def _organ_lines(organ: Organ, lines: int) -> Organ:
    """The organ name forced onto one line ('ỦY BAN NHÂN DÂN PHƯỜNG X') or split over two at the word
    nearest its middle ('SỞ NÔNG NGHIỆP' / 'VÀ MÔI TRƯỜNG'); the organ's truth (lines joined) is unchanged."""
    words = " ".join(organ.organ_lines).split()
    if lines == 1 or len(words) < 2:
        return replace(organ, organ_lines=(" ".join(words),))
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return replace(organ, organ_lines=(" ".join(words[:cut]), " ".join(words[cut:])))


def _long_subject(rng: np.random.Generator, subject: str, organ: Organ, when: date) -> str:
    """A trích yếu that runs over 2–3 lines: the drawn one with a scope and a period appended."""
    extra = pick(rng, TOPICS)
    tail = pick(rng, (f" gắn với {extra} trên địa bàn {organ.area} giai đoạn {when.year} - {when.year + 5}",
                      f" và {extra} trên địa bàn {organ.area}, định hướng đến năm {when.year + 10}",
                      f", đồng thời {extra} của {organ.display} trong giai đoạn {when.year} - {when.year + 3}"))
    return subject + tail


def _spaced_sign(rng: np.random.Generator, number: str, notation: str) -> str:
    """The 'Số' line with the irregular spaces typists leave: 'Số:12 /QĐ - UBND', 'Số: 12/ QĐ-UBND'…"""
    dashed = notation.replace("-", pick(rng, (" - ", " -", "- ")))
    return pick(rng, (f"Số:{number} /{dashed}", f"Số: {number}/ {notation}", f"Số:{number}/{dashed}",
                      f"Số : {number} / {notation}"))


def _delegated(rng: np.random.Generator, organ: Organ, kind: str, positions: list[str]) -> list[str]:
    """Signature blocks signed for someone else: Q. (acting), TL./TUQ. (by order/authorisation of the
    head, signed by the chief of office), TM. with KT. (a deputy for the collective)."""
    chief = organ.deputy if organ.kind == "office" else "CHÁNH VĂN PHÒNG"
    if kind == "Q_TL":
        return [f"Q. {organ.head}"] if chance(rng, 0.5) else [f"TL. {organ.head}", chief]
    if chance(rng, 0.5) or organ.collective is None:
        return [f"TUQ. {organ.head}", chief]
    return [f"TM. {organ.collective}", f"KT. {organ.head}", organ.deputy] if positions[0] != "CHỦ TRÌ" else positions


def make_content(rng: np.random.Generator, appendix: bool, v: Variation = PLAIN,
                 vrng: np.random.Generator | None = None) -> Content:
    """One document's content with exact ground-truth fields; ``v`` changes how it is printed, drawing
    its own choices from ``vrng`` (so the content stream stays that of the plain generator)."""
    vrng = vrng if vrng is not None else np.random.default_rng(0)
    organ = pick_organ(rng)
    if v.organ_lines:
        organ = _organ_lines(organ, v.organ_lines)
    type_name = _choose_type(rng, organ)
    when = day_between(rng, organ.date_from, organ.date_to)
    topic = pick(rng, TOPICS)
    subject = pick(rng, SUBJECTS[type_name]).format(topic=topic, year=when.year, area=organ.area)
    if v.long_subject:
        subject = _long_subject(vrng, subject, organ, when)
    number, notation, number_sign = _sign(rng, organ, type_name, when.year)
    printed_sign = _spaced_sign(vrng, number, notation) if v.spaced_sign else ""
    addressees = [organ.superior] if type_name == "Tờ trình" else []
    if type_name == "Công văn":
        addressees = sample(rng, ACTORS, between(rng, 1, 3))
    name, _ = person(rng)
    body = BODIES[type_name](rng, BodyCtx(organ, when, topic, subject, type_name,
                                          pick(rng, ACTORS), name))
    end, recipients, position = _end_block(rng, organ, type_name, name, addressees)
    if v.signer and type_name != "Biên bản":
        positions = _delegated(vrng, organ, v.signer, [ln.text for ln in end.right[:-1]])
        end = replace(end, right=(*tuple(Line(p, BOLD, 14) for p in positions), end.right[-1]))
        position = positions[-1]
    left, right = _header(organ, number_sign, subject, type_name, when, printed_sign)
    secrecy, urgency, stamps = _marks(rng)
    fields: dict[str, str | None] = {
        "type_name": type_name, "code_number": number, "code_notation": notation,
        "issued_date": when.isoformat(), "place": organ.place, "organ_name": " ".join(organ.organ_lines),
        "parent_organ_name": " ".join(organ.parent_lines) or None,
        # A công văn's trích yếu is printed with its "V/v" marker, and kept with it.
        "subject": f"V/v {subject}" if type_name == "Công văn" else subject,
        "signer_position": position, "signer_full_name": name, "secrecy": secrecy, "urgency": urgency,
    }
    doc_type = type_by_name(type_name)
    extra = None
    if appendix and type_name in ("Kế hoạch", "Quyết định", "Hướng dẫn", "Báo cáo", "Nghị quyết"):
        extra = _appendix(rng, type_name, number_sign, when, organ, topic)
    return Content(fields, doc_type.tt05_code if doc_type else "", number_sign, left, right, stamps,
                   _title(type_name, subject, addressees), body.preamble, body.sections, body.closing, end,
                   recipients, addressees, extra, seal_text=organ.display.upper(),
                   seal_over_name=v.seal_over_name)
