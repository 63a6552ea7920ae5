"""Masking personal data where it leaves the staff: text, document fields, OCR words and the boxes to burn.

``masking_for(session, doc, principal)`` answers None when ``principal`` sees the originals (the caller then
audits ``personal.view``), else a :class:`Masking`. Its ``text`` masks every known value of the document
(``personal_data`` rows still 'masked', of a kind the policy masks at the document's access level — and values
under a data subject's restriction whatever the policy) wherever it occurs: numbers whatever their spacing
('0912 345 678' = '0912.345.678'), words whatever their tones and case. Then the structured-kind rules
(``detect_rules``) run as a safety net on any text, except on values a reviewer decided are not personal data.
``fingerprint`` hashes what is masked: a masked derivative cached under it is built again after any decision.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import Exists, exists, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, PersonalDatum
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import NUMERIC_KINDS, PersonalKind, PersonalSpan, mask_spans, mask_token
from sohoa.domain.text import fold
from sohoa.intelligence.personal import detect_rules
from sohoa.intelligence.personal.page import word_offsets
from sohoa.services.catalogue.personal_policy import policy_of, reads_restricted, sees_personal_data
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event

__all__ = [
    "KnownValue",
    "Masking",
    "audit_personal_view",
    "audit_personal_views",
    "has_personal_data",
    "holding_personal_data",
    "masking_for",
    "masking_of_rows",
    "maskings_for",
    "masks_for_public",
    "public_kinds",
    "shown_to",
]


@dataclass(frozen=True)
class KnownValue:
    """A value to mask wherever it occurs, and the boxes (page_no → scan pixels) where it was found."""

    kind: PersonalKind
    normalized: str
    boxes: tuple[tuple[int, BBox], ...] = ()


@lru_cache(maxsize=1024)
def _fold_char(char: str) -> str:
    folded = fold(char)
    return folded if len(folded) == 1 else char.lower()[:1] or char


def _fold_keep_offsets(text: str) -> str:
    """``fold(text)`` character by character: offsets in the result are offsets in ``text``."""
    return "".join(_fold_char(ch) if ord(ch) > 127 else ch.lower() for ch in text)


_TITLES = "ong|ba|anh|chi|co|chu|cu|em|chau|bac|di|cau"  # folded: what calls a person by the given name


@lru_cache(maxsize=4096)
def _pattern(kind: PersonalKind, normalized: str) -> re.Pattern[str] | None:
    """Where a known value occurs in folded text: digits/letters of a number with up to two separators between
    them, the words of a name or address with any non-letters between them; never inside a longer run."""
    if kind in NUMERIC_KINDS:
        chars = [re.escape(c) for c in normalized if c.isalnum()]
        if len(chars) < 4:
            return None
        body = r"[^0-9a-z\n]{0,2}".join(chars)
        return re.compile(rf"(?<![0-9a-z]){body}(?![0-9a-z])")
    if kind is PersonalKind.EMAIL:
        return re.compile(rf"(?<![\w.]){re.escape(normalized)}(?![\w])") if normalized else None
    words = [re.escape(w) for w in normalized.split() if w]
    if kind is PersonalKind.NAME and len(words) == 1 and len(words[0]) >= 2:
        # A given name alone ("ông An") where a title calls it, not wherever the word occurs ("Việt Nam").
        return re.compile(rf"(?<![0-9a-z])(?:{_TITLES})[^0-9a-z]{{1,3}}(?P<v>{words[0]})(?![0-9a-z])")
    if not words or len("".join(words)) < 3:
        return None
    return re.compile(rf"(?<![0-9a-z]){r'[^0-9a-z]+'.join(words)}(?![0-9a-z])")


def _whole_words(text: str, span: PersonalSpan) -> PersonalSpan:
    """The span widened to the words it cuts into: a mask never leaves half a word showing."""
    start, end = span.start, span.end
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return span if (start, end) == (span.start, span.end) else replace(span, start=start, end=end,
                                                                         text=text[start:end])


class Masking:
    """What one principal must not read of one document, and how to hide it."""

    def __init__(self, known: Iterable[KnownValue], *, safety_kinds: Iterable[PersonalKind] = (),
                 shown: Iterable[tuple[str, str]] = ()) -> None:
        self.known = tuple(sorted(set(known), key=lambda v: (v.kind, v.normalized, v.boxes)))
        self.safety_kinds = frozenset(safety_kinds)  # kinds the rules look for on top of the known values
        self.shown = frozenset(shown)  # (kind, normalized) a reviewer decided are not personal data
        digest = hashlib.sha256(json.dumps(
            [[[v.kind.value, v.normalized, [[p, *b.as_list()] for p, b in v.boxes]] for v in self.known],
             sorted(k.value for k in self.safety_kinds), sorted(map(list, self.shown))],
            ensure_ascii=False).encode("utf-8"))
        self.fingerprint = digest.hexdigest()[:32]

    def spans(self, text: str) -> list[PersonalSpan]:
        """Every span of ``text`` to mask (known values, then the rules' findings), possibly overlapping."""
        if not text:
            return []
        folded = _fold_keep_offsets(text)
        out: list[PersonalSpan] = []
        for value in self.known:
            pattern = _pattern(value.kind, value.normalized)
            if pattern is None:
                continue
            group = "v" if "v" in pattern.groupindex else 0  # a given name alone: capitalised, after its title
            out += [PersonalSpan(value.kind, m.start(group), m.end(group), text[m.start(group):m.end(group)])
                    for m in pattern.finditer(folded) if group == 0 or text[m.start(group)].isupper()]
        if self.safety_kinds:
            out += [_whole_words(text, s) for s in detect_rules(text)
                    if s.kind in self.safety_kinds and (s.kind.value, s.normalized) not in self.shown]
        return out

    def text(self, text: str) -> str:
        """``text`` with each value to mask replaced by its mask token ('[đã che: số CCCD]')."""
        spans = self.spans(text)
        return mask_spans(text, spans) if spans else text

    def optional_text(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``fields`` with every string value masked (other values as they are)."""
        return {name: self.text(value) if isinstance(value, str) else value for name, value in fields.items()}

    def ocr(self, page: OcrPage) -> OcrPage:
        """The page with each masked word replaced: the first word of a masked span on each line becomes the
        mask token over the line's masked words, the span's other words go."""
        if page.text_override is not None:  # a page whose text came apart from its words: both masked
            page = replace(page, text_override=self.text(page.text_override))
        if not page.words:
            return page
        text, offsets = word_offsets(page)
        spans = self.spans(text)
        if not spans:
            return page
        cover: dict[int, PersonalSpan] = {}
        for span in sorted(spans, key=lambda s: (s.start, -s.end)):
            for index, (start, end) in enumerate(offsets):
                if start < span.end and end > span.start:
                    cover.setdefault(index, span)
        words: list[Word] = []
        head: dict[tuple[int, int, int], int] = {}  # (span start, block, line) → position in ``words``
        for index, word in enumerate(page.words):
            covering = cover.get(index)
            if covering is None:
                words.append(word)
                continue
            key = (covering.start, word.block, word.line)
            if key in head:
                first = words[head[key]]
                words[head[key]] = replace(first, bbox=first.bbox.union(word.bbox))
                continue
            head[key] = len(words)
            words.append(replace(word, text=mask_token(covering.kind)))
        return replace(page, words=tuple(words))

    def page_boxes(self, page_no: int) -> list[BBox]:
        """The boxes (scan pixels) to burn into page ``page_no``'s public images."""
        return [box for value in self.known for number, box in value.boxes if number == page_no]


def _boxes(row: PersonalDatum) -> tuple[tuple[int, BBox], ...]:
    out: list[tuple[int, BBox]] = []
    for entry in row.boxes or []:
        if len(entry) == 5:
            number, x0, y0, x1, y1 = (int(v) for v in entry)
            out.append((number, BBox(x0, y0, x1, y1)))
    return tuple(out)


def public_kinds(session: Session, doc: Document) -> frozenset[PersonalKind]:
    """The kinds ``SOHOA_PERSONAL_MASK`` masks outside the staff at the document's access level."""
    return policy_of(session).get(doc.access_level, frozenset(PersonalKind))


def masks_for_public(row: PersonalDatum, kinds: frozenset[PersonalKind]) -> bool:
    """Whether the public sees ``row`` masked, ``kinds`` being :func:`public_kinds`: a data subject's restriction,
    or a value still 'masked' of a kind the policy masks. The one rule of the masks, the reviewer's counts and
    each row's state."""
    return bool(row.restricted) or (row.status == "masked" and PersonalKind(row.kind) in kinds)


def masking_of_rows(rows: Iterable[PersonalDatum], kinds: frozenset[PersonalKind], *, restricted_only: bool) -> Masking:
    """The masking the rows of one document call for: rows still 'masked' of a kind in ``kinds`` and restricted
    rows — or, for staff who see originals (``restricted_only``), the restricted rows alone."""
    rows = list(rows)
    known: list[KnownValue] = []
    shown: set[tuple[str, str]] = set()
    for row in rows:
        kind = PersonalKind(row.kind)
        if row.restricted if restricted_only else masks_for_public(row, kinds):
            known.append(KnownValue(kind, row.normalized, _boxes(row)))
        elif row.status == "shown" and not row.restricted:
            shown.add((kind.value, row.normalized))
    return Masking(known, safety_kinds=() if restricted_only else kinds, shown=shown)


def _masking(session: Session, doc: Document, principal: Principal | None,
             rows: list[PersonalDatum]) -> Masking | None:
    staff = sees_personal_data(principal)
    if staff and (reads_restricted(principal) or not any(r.restricted for r in rows)):
        return None
    return masking_of_rows(rows, public_kinds(session, doc), restricted_only=staff)


def masking_for(session: Session, doc: Document, principal: Principal | None) -> Masking | None:
    """None when ``principal`` sees this document's originals (the caller audits ``personal.view`` when the
    document holds personal data, :func:`audit_personal_view`); else what to mask for them."""
    rows = list(session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == doc.id)))
    return _masking(session, doc, principal, rows)


def holding_personal_data() -> Exists:
    """A column for a ``documents`` query: whether the row's document holds personal data (one index probe), so
    that :func:`maskings_for` reads the personal data of those documents only (``holding``)."""
    return exists().where(PersonalDatum.document_id == Document.id)


def maskings_for(session: Session, docs: Iterable[Document], principal: Principal | None, *,
                 holding: Collection[int] | None = None) -> dict[int, Masking | None]:
    """:func:`masking_for` of many documents (a page of search results, a harvest) in one query; ``holding``:
    the ids among ``docs`` known to hold personal data (:func:`holding_personal_data`), the others hold none
    (no query at all when none does)."""
    docs = list(docs)
    rows: dict[int, list[PersonalDatum]] = {d.id: [] for d in docs}
    wanted = list(rows) if holding is None else sorted(set(holding) & set(rows))
    if wanted:
        for row in session.scalars(select(PersonalDatum).where(PersonalDatum.document_id.in_(wanted))):
            rows[row.document_id].append(row)
    return {d.id: _masking(session, d, principal, rows[d.id]) for d in docs}


def has_personal_data(session: Session, document_id: int) -> bool:
    """Whether any personal data was found in (or added to) the document."""
    found = session.scalar(select(PersonalDatum.id).where(PersonalDatum.document_id == document_id).limit(1))
    return found is not None


def audit_personal_view(session: Session, principal: Principal | None, doc: Document, channel: str) -> None:
    """Record ``personal.view`` when ``principal`` is shown the originals of a document holding personal data."""
    if sees_personal_data(principal) and has_personal_data(session, doc.id):
        actor = principal.username if principal else "anonymous"
        record_event(session, actor, "personal.view", "document", doc.id, {"channel": channel})


def audit_personal_views(session: Session, principal: Principal | None, document_ids: Iterable[int],
                         channel: str) -> None:
    """:func:`audit_personal_view` of many documents shown at once (a harvest, a feed): one event for each
    document holding personal data."""
    ids = sorted(set(document_ids))
    if not ids or not sees_personal_data(principal):
        return
    holding = session.scalars(select(PersonalDatum.document_id).where(PersonalDatum.document_id.in_(ids))
                              .distinct())
    actor = principal.username if principal else "anonymous"
    for document_id in sorted(holding):
        record_event(session, actor, "personal.view", "document", document_id, {"channel": channel})


def shown_to(session: Session, doc: Document, principal: Principal | None, channel: str) -> Masking | None:
    """The masking for ``principal``, or None after auditing that they are shown the originals."""
    masking = masking_for(session, doc, principal)
    if masking is None:
        audit_personal_view(session, principal, doc, channel)
    return masking
