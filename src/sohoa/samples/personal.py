"""The labelled set of personal data the project builds: generated texts with gold spans, in three parts.

``train`` (the name recognizer learns from it) and ``tuning`` use the tuning phrasings and name pool with
different random streams; ``held_out`` uses phrasings, and partly names, that training never sees. Every
person is fictitious.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sohoa.domain.personal import PersonalSpan
from sohoa.samples._corpus import _document_pages
from sohoa.samples._personal_docs import FICTITIOUS_NOTE, make_personal_document
from sohoa.samples._personal_text import passage
from sohoa.samples._rand import between, chance

__all__ = ["FICTITIOUS_NOTE", "PARTS", "LabelledText", "labelled_set", "official_documents", "personal_documents",
           "wrap"]

PARTS = {"train": 1, "tuning": 2, "held_out": 3}


@dataclass(frozen=True)
class LabelledText:
    """A text and its gold personal-data spans (``text[s.start:s.end] == s.text``)."""

    text: str
    spans: tuple[PersonalSpan, ...]


def wrap(text: str, spans: list[PersonalSpan], width: int) -> LabelledText:
    """``text`` broken into lines of at most about ``width`` characters at spaces, as printed on a page
    (offsets are kept: a space becomes a line end); spans are re-read from the wrapped text."""
    chars = list(text)
    line_start = 0
    last_space = -1
    for i, ch in enumerate(chars):
        if ch == "\n":
            line_start, last_space = i + 1, -1
        elif ch == " ":
            if i - line_start > width and last_space > line_start:
                chars[last_space] = "\n"
                line_start = last_space + 1
            last_space = i
    wrapped = "".join(chars)
    return LabelledText(wrapped, tuple(PersonalSpan(s.kind, s.start, s.end, wrapped[s.start:s.end])
                                       for s in spans))


def labelled_set(part: str, count: int, seed: int = 16) -> list[LabelledText]:
    """``count`` labelled texts of ``part`` ('train', 'tuning' or 'held_out'); half are wrapped as on a page."""
    rng = np.random.default_rng([seed, PARTS[part]])
    out: list[LabelledText] = []
    for _ in range(count):
        built = passage(rng, held_out=part == "held_out")
        if chance(rng, 0.5):
            out.append(wrap(built.text(), built.spans(), between(rng, 55, 95)))
        else:
            out.append(LabelledText(built.text(), tuple(built.spans())))
    return out


def personal_documents(count: int, seed: int = 16) -> list[LabelledText]:
    """The plain text of ``count`` generated documents with personal data (header, body, signature), most
    wrapped as on a page, with their gold spans (the signer and the organ are not personal data)."""
    rng = np.random.default_rng([seed, 4])
    out: list[LabelledText] = []
    for _ in range(count):
        document = make_personal_document(rng)
        if chance(rng, 0.7):
            out.append(wrap(document.text, list(document.spans), between(rng, 55, 95)))
        else:
            out.append(LabelledText(document.text, document.spans))
    return out


def official_documents(count: int, seed: int = 16) -> list[LabelledText]:
    """The page texts of ``count`` ordinary generated documents: officials, signers, organs, places and
    streets, and no personal data (the negatives of the labelled set)."""
    out: list[LabelledText] = []
    for index in range(count):
        pages, _ = _document_pages(seed + 1000, index, True)
        out.append(LabelledText("\n".join(page.text for page in pages), ()))
    return out
