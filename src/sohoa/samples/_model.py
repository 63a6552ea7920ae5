"""What a sample document says, before typesetting: header lines, paragraphs, end blocks, appendix."""

from __future__ import annotations

from dataclasses import dataclass, field

# Styles map to Liberation Serif faces; sizes are in points and converted with the page's DPI.
REGULAR, BOLD, ITALIC, BOLD_ITALIC = "regular", "bold", "italic", "bolditalic"


@dataclass(frozen=True)
class Run:
    """A stretch of text in one face."""

    text: str
    style: str = REGULAR


@dataclass(frozen=True)
class Para:
    """A paragraph: runs wrapped together; ``align`` is justify, center or left; sizes in points."""

    runs: tuple[Run, ...]
    align: str = "justify"
    indent: bool = True
    size: float | None = None  # None: the document's body size
    space_before: float = 6.0
    rule_after: bool = False   # short centred rule under a title block (trích yếu)
    inset: float = 0.0         # left inset of every line, in mm (Kính gửi lists)


def para(text: str, style: str = REGULAR, **kwargs: object) -> Para:
    return Para((Run(text, style),), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Line:
    """One header or end-block line, centred in its column; ``rule`` draws a line under it."""

    text: str
    style: str = REGULAR
    size: float = 13.0
    rule: str = ""            # "", "short" (1/3 of the text) or "full"
    align: str = "center"
    gap_before: float = 0.0   # extra space above, in mm (signature room)


@dataclass(frozen=True)
class Table:
    """An appendix table drawn with a full grid; column widths are fractions of the text width."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class Appendix:
    """An appendix page: heading lines then a table."""

    heading: tuple[Para, ...]
    table: Table


@dataclass(frozen=True)
class EndBlock:
    """The bottom of the last page: left column (Nơi nhận or a second signer) and the signer block."""

    left: tuple[Line, ...]
    right: tuple[Line, ...]
    signature_left: bool = False   # the left column is a second signer (biên bản) with a signature


@dataclass(frozen=True)
class Stamp:
    """A red framed secrecy/urgency stamp placed under the number (NĐ 30 boxes 10a/10b)."""

    text: str


@dataclass
class Content:
    """Everything drawn for one document; ``items`` are optional body paragraphs used to fill pages."""

    fields: dict[str, str | None]
    type_code: str
    number_sign: str
    left: list[Line]
    right: list[Line]
    stamps: list[Stamp]
    title: list[Para]
    preamble: list[Para]
    sections: list[tuple[list[Para], list[Para]]]   # (heading paragraphs, candidate items)
    closing: list[Para]
    end: EndBlock
    recipients: list[str]
    addressees: list[str]
    appendix: Appendix | None = None
    seal_text: str = ""
    seal_over_name: bool = False   # a red seal printed over the signer's name (drawn under any condition)
    extra: dict[str, str] = field(default_factory=dict)
    personal: tuple[tuple[str, str], ...] = ()  # (kind, value) of the fictitious personal data printed

    def body(self, items: int) -> list[Para]:
        """Preamble, then ``items`` items spread over the sections in order, then the closing."""
        counts = [0] * len(self.sections)
        left = items
        while left > 0 and any(c < len(s[1]) for c, s in zip(counts, self.sections, strict=True)):
            for i, (_, candidates) in enumerate(self.sections):
                if left > 0 and counts[i] < len(candidates):
                    counts[i] += 1
                    left -= 1
        out = list(self.preamble)
        for (heading, candidates), count in zip(self.sections, counts, strict=True):
            out.extend(heading)
            out.extend(candidates[:count])
        return out + self.closing

    def max_items(self) -> int:
        return sum(len(s[1]) for s in self.sections)
