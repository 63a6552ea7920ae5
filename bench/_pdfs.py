"""Born-digital PDFs for the benchmarks: text PDFs (a text layer, fonts embedded, no images) like the ones an
archive receives from an office, typeset with reportlab in Liberation Serif 11 pt on A4.

The text is the first N documents of the 2025 legal texts (``/work/shared/data/real/tvpl_2025_legal_text``)
when that file exists, else generated NĐ 30 documents (``sohoa.samples``), so the benchmark runs anywhere.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path
from typing import Any

LEGAL_TEXTS = Path("/work/shared/data/real/tvpl_2025_legal_text/docs.jsonl")
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def _texts_of(value: Any) -> list[str]:
    """Every ``text`` string inside a generated document's content, in order."""
    if isinstance(value, str):
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        text = getattr(value, "text", None)
        out = [text] if isinstance(text, str) else []
        for f in dataclasses.fields(value):
            if f.name != "text":
                out += _texts_of(getattr(value, f.name))
        return out
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts_of(v)]
    return []


def _generated(count: int, seed: int, paragraphs: int) -> list[str]:
    """``count`` documents as plain text, each of generated NĐ 30 documents' lines until ``paragraphs`` lines."""
    import numpy as np

    from sohoa.samples._content import make_content

    docs = []
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        lines: list[str] = []
        while len(lines) < paragraphs:
            lines += _texts_of(make_content(rng, appendix=True))
        docs.append("\n".join(lines))
    return docs


def source_texts(count: int, seed: int = 5) -> tuple[str, list[str]]:
    """(where the text comes from, the texts of ``count`` documents)."""
    if LEGAL_TEXTS.exists():
        with LEGAL_TEXTS.open(encoding="utf-8") as handle:
            docs = [json.loads(line)["text"] for _, line in zip(range(count), handle, strict=False)]
        if len(docs) == count:
            return f"the first {count} documents of {LEGAL_TEXTS.parent.name}", docs
    return f"{count} generated NĐ 30 documents (seed {seed})", _generated(count, seed, 150)


def write_pdf(text: str, path: Path, size: float = 11.0, width: int = 95) -> int:
    """One text PDF; returns its page count."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "LS" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("LS", str(FONT)))
    page = canvas.Canvas(str(path), pagesize=A4)
    lead = size * 15 / 11
    y, pages = 800.0, 1
    for para in text.split("\n"):
        for line in textwrap.wrap(para, width) or [""]:
            if y < 60:
                page.showPage()
                y, pages = 800.0, pages + 1
            page.setFont("LS", size)
            page.drawString(60, y, line)
            y -= lead
    page.save()
    return pages


def make_corpus(folder: Path, count: int, variants: int = 1) -> tuple[str, int]:
    """Write ``count`` × ``variants`` PDFs (variant k: 11 + k pt, so every file differs); (source, pages)."""
    folder.mkdir(parents=True, exist_ok=True)
    source, texts = source_texts(count)
    pages = 0
    for variant in range(variants):
        for index, text in enumerate(texts):
            size = 11.0 + variant
            pages += write_pdf(text, folder / f"d{variant}_{index:04}.pdf", size, int(95 * 11 / size))
    return source, pages
