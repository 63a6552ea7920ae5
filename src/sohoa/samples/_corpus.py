"""Generate a corpus of sample pages with exact ground truth (truth.json) and read it back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from sohoa.domain.errors import ValidationFailed
from sohoa.samples._conditions import CONDITIONS, degrade, dpi_of, map_box, save, suffix_of
from sohoa.samples._content import make_content
from sohoa.samples._hand import fill_by_hand
from sohoa.samples._layout import fit, layout
from sohoa.samples._personal_docs import make_personal_document
from sohoa.samples._rand import chance, pick
from sohoa.samples._render import render
from sohoa.samples._typeset import FAMILY, Geometry, Page
from sohoa.samples._variations import PLAIN, Variation, variation_named

TRUTH_FILE = "truth.json"
TRUTH_FORMAT = "sohoa-samples/1"
LAYOUT_DPI = 300  # every page is laid out at 300 dpi and scaled, so text is identical across conditions


@dataclass(frozen=True)
class SampleDocument:
    """Ground truth of one generated document.

    ``fields`` holds every name of ``FIELD_NAMES`` as drawn (organ lines joined by a space; a công văn's
    ``subject`` keeps its printed "V/v"; ``code_number + "/" + code_notation`` is the printed sign, a
    legal-normative year included: "12" + "2025/QĐ-UBND"; ``signer_position`` is the title line above
    the signature).
    ``page_texts[i]`` is the exact text of page ``pages[i]`` and ``line_boxes[i][j]`` the pixel box of its
    line ``j`` in the written image. ``recipients`` are the "Nơi nhận" items without "- " and end
    punctuation; ``addressees`` the "Kính gửi" names; ``number_sign`` the text after "Số: ".
    """

    fields: dict[str, str | None]
    pages: list[int]
    page_texts: list[str]
    type_code: str
    recipients: list[str]
    addressees: list[str] = field(default_factory=list)
    number_sign: str = ""
    line_boxes: list[list[tuple[int, int, int, int]]] = field(default_factory=list)
    page_kinds: list[str] = field(default_factory=list)
    personal: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SampleCorpus:
    """A generated corpus: page image files in order, their documents, and blank separator pages."""

    out_dir: Path
    pages: list[Path]
    documents: list[SampleDocument]
    condition: str
    seed: int
    separators: list[int] = field(default_factory=list)
    dpi: int = 300
    variation: str = "plain"

    @classmethod
    def load(cls, out_dir: Path) -> SampleCorpus:
        """Read ``truth.json`` written by :func:`generate_corpus`."""
        data = json.loads((Path(out_dir) / TRUTH_FILE).read_text(encoding="utf-8"))
        docs = [SampleDocument(d["fields"], d["pages"], d["page_texts"], d["type_code"], d["recipients"],
                               d["addressees"], d["number_sign"],
                               [[(b[0], b[1], b[2], b[3]) for b in page] for page in d["line_boxes"]],
                               d["page_kinds"], [(k, v) for k, v in d.get("personal", [])])
                for d in data["documents"]]
        return cls(Path(out_dir), [Path(out_dir) / p["file"] for p in data["pages"]], docs, data["condition"],
                   data["seed"], data["separators"], data["dpi"], data.get("variation", "plain"))

    def to_json(self) -> dict[str, Any]:
        owner = {n: i for i, d in enumerate(self.documents) for n in d.pages}
        kinds = {n: k for d in self.documents for n, k in zip(d.pages, d.page_kinds, strict=True)}
        pages = [{"page": i + 1, "file": p.name, "document": owner.get(i + 1),
                  "kind": kinds.get(i + 1, "separator")} for i, p in enumerate(self.pages)]
        documents = [{"fields": d.fields, "pages": d.pages, "page_texts": d.page_texts,
                      "type_code": d.type_code, "recipients": d.recipients, "addressees": d.addressees,
                      "number_sign": d.number_sign, "page_kinds": d.page_kinds,
                      "line_boxes": [[list(b) for b in page] for page in d.line_boxes],
                      **({"personal": [list(p) for p in d.personal]} if d.personal else {})}
                     for d in self.documents]
        return {"format": TRUTH_FORMAT, "condition": self.condition, "variation": self.variation, "seed": self.seed,
                "dpi": self.dpi,
                "separators": self.separators, "pages": pages, "documents": documents}


def _geometry(rng: np.random.Generator, v: Variation = PLAIN) -> Geometry:
    """NĐ 30 margins (top/bottom 20–25, left 30–35, right 15–20 mm), 13–14 pt body, 1.15–1.35 spacing
    (body sizes and spacing as the variation says; landscape A4 when it says so)."""
    return Geometry(LAYOUT_DPI, top=float(rng.uniform(20, 25)), bottom=float(rng.uniform(20, 25)),
                    left=float(rng.uniform(30, 35)), right=float(rng.uniform(15, 20)),
                    body_pt=pick(rng, v.body_pt), spacing=float(rng.uniform(*v.spacing)), landscape=v.landscape)


def _document_pages(seed: int, index: int, multipage: bool, v: Variation = PLAIN,
                    personal: bool = False) -> tuple[list[Page], Any]:
    """Lay out document ``index`` of the corpus from its own random stream (independent of condition);
    the variation's own choices come from a second stream; a document with personal data from a third."""
    rng = np.random.default_rng([seed, index])
    vrng = np.random.default_rng([seed, index, 7])
    if personal:
        content = make_personal_document(np.random.default_rng([seed, index, 11])).content
    else:
        content = make_content(rng, multipage and chance(rng, 0.2), v, vrng)
    g = _geometry(rng, v)
    target = pick(rng, (1, 1, 2, 2, 3)) if multipage else 1
    if v.two_up and multipage:
        target = max(target, 2)  # two pages to put on one scan
    if content.appendix is not None:
        target = min(target, 2)
    items, pages = fit(content, g, target)
    if items > 2 and chance(rng, 0.35):
        pages = layout(content, items - int(rng.integers(1, 3)), g)  # leave the last page part-empty
    return pages, content


Box = tuple[int, int, int, int]


def _write_page(page: Page, number: int, out_dir: Path, condition: str, seed: int,
                handwritten: bool = False) -> tuple[Path, list[Box]]:
    path, boxes, _ = _write_scan([page], number, out_dir, condition, seed, handwritten)
    return path, boxes


def _write_scan(pages: list[Page], number: int, out_dir: Path, condition: str, seed: int,
                handwritten: bool = False) -> tuple[Path, list[Box], str]:
    """Render ``pages`` side by side on one scan (one page, or two on an A3 sheet), degrade and save it;
    the boxes of every truth line in the written image and the scan's text (the pages' lines in order)."""
    dpi = dpi_of(condition)
    scale = dpi / LAYOUT_DPI
    art_rng = np.random.default_rng([seed, number, 1])
    images, boxes, texts = [], [], []
    offset = 0
    for page in pages:
        if handwritten and page.kind == "first":
            page = fill_by_hand(page, np.random.default_rng([seed, number, 3]))
        paper = (297.0, 210.0) if page.landscape else (210.0, 297.0)
        size = (round(paper[0] / 25.4 * dpi), round(paper[1] / 25.4 * dpi))
        images.append(render(page, size, scale, art_rng, seal=condition == "yellow_seal"))
        boxes.append((offset, page))
        texts.append(page.text)
        offset += size[0]
    image = images[0]
    if len(images) > 1:
        image = Image.new("RGB", (offset, max(i.height for i in images)), (255, 255, 255))
        x = 0
        for part in images:
            image.paste(part, (x, 0))
            x += part.width
    scanned, matrix = degrade(image, condition, np.random.default_rng([seed, number, 2]))
    path = out_dir / f"page_{number:04d}{suffix_of(condition)}"
    save(scanned, path, condition)
    mapped = [map_box(box, matrix, scale, dx) for dx, page in boxes for _, box in page.lines]
    return path, mapped, "\n".join(t for t in texts if t)


def generate_corpus(out_dir: Path, *, documents: int, seed: int, condition: str | None = None,
                    multipage: bool = True, separators: bool = False, handwritten: bool = False,
                    variation: str = "plain", personal: bool = False) -> SampleCorpus:
    """Write ``page_0001.png``… and ``truth.json`` for ``documents`` generated NĐ 30 documents.

    Documents are 1–3 pages when ``multipage`` (continuation pages numbered at the top, sometimes a
    "Phụ lục" page), else one page; ``separators`` puts blank pages between some documents;
    ``handwritten`` leaves the number and the day of each first page blank and writes them in by hand.
    ``variation`` names a layout/typography variation (``sohoa.samples.VARIATIONS``); ``condition``
    defaults to the variation's (photocopy, fax) or clean300. With ``two_up`` a scan holds two pages of
    a document side by side: its truth text is the left page's lines then the right page's.
    Text and layout depend only on ``seed``, ``multipage`` and the variation, so every condition of a
    seed shows the same text. ``personal`` makes every document one of a commune or ward full of
    fictitious people (land allocation, social allowances, residence, complaints), marked as fictitious on
    the page; its truth lists the printed personal data as (kind, value).
    """
    v = variation_named(variation)
    handwritten = handwritten or v.handwritten
    condition = condition or v.condition or "clean300"
    if condition not in CONDITIONS:
        raise ValidationFailed(f"Điều kiện quét không hợp lệ: {condition}",
                            f"Unknown condition {condition!r}; expected one of {', '.join(CONDITIONS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sep_rng = np.random.default_rng([seed, 1_000_003])
    paths: list[Path] = []
    docs: list[SampleDocument] = []
    blanks: list[int] = []
    token = FAMILY.set(v.family)
    try:
        for index in range(documents):
            if separators and index > 0 and chance(sep_rng, 0.4):
                path, _ = _write_page(Page("separator"), len(paths) + 1, out_dir, condition, seed)
                paths.append(path)
                blanks.append(len(paths))
            pages, content = _document_pages(seed, index, multipage, v, personal)
            scans = [pages[i:i + 2] for i in range(0, len(pages), 2)] if v.two_up else [[p] for p in pages]
            numbers, boxes, texts = [], [], []
            for scan in scans:
                path, page_boxes, text = _write_scan(scan, len(paths) + 1, out_dir, condition, seed, handwritten)
                paths.append(path)
                numbers.append(len(paths))
                boxes.append(page_boxes)
                texts.append(text)
            docs.append(SampleDocument(content.fields, numbers, texts, content.type_code,
                                       content.recipients, content.addressees, content.number_sign, boxes,
                                       [scan[0].kind for scan in scans], list(content.personal)))
    finally:
        FAMILY.reset(token)
    corpus = SampleCorpus(out_dir, paths, docs, condition, seed, blanks, dpi_of(condition), v.name)
    text = json.dumps(corpus.to_json(), ensure_ascii=False, indent=1)
    (out_dir / TRUTH_FILE).write_text(text + "\n", encoding="utf-8")
    return corpus
