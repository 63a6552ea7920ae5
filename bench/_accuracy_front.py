"""Accuracy through the front door: ``extract_file`` — what ``sohoa extract FILE --json`` runs — on the real
documents (all pages, text layers and all) and on generated pages written to disk as one scanned PDF.

The fields scored are those of the document a label describes (the extracted document that holds the file's
first page, or for a generated corpus the one that holds the true document's first page), with the review
flags ``extract`` reports. A :class:`Recorder` passed as the extractor returns exactly what the default
extractor returns and keeps, beside it, the rules' own flags (before the calibrated review thresholds) and
the confidences, for the before/after figures and for calibration.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import img2pdf
from PIL import Image

from _accuracy_metrics import FieldScore, field_equal, field_values, item_record, split_scores
from _accuracy_report import HEADLINE
from sohoa.domain.fields import FIELD_NAMES, DocumentFields, FieldValue
from sohoa.domain.ocr import OcrPage
from sohoa.intelligence import BaselineFieldExtractor, RuleFieldExtractor
from sohoa.intelligence.review import doubtful_fields, flag_doubtful
from sohoa.pipeline.triage import triage
from sohoa.samples import SampleCorpus
from sohoa.services.production.extract import ExtractedDocument, Extraction, extract_file
from sohoa.settings import Settings

BORN_DIGITAL, SCANNED, HYBRID, LAYERED, MIXED = (
    "born-digital", "scanned", "hybrid signed", "scan + covering text layer", "mixed")
KINDS = (BORN_DIGITAL, SCANNED, HYBRID, LAYERED, MIXED)
PARTS = ("code_number", "code_notation")  # scored, but the overall figures count them once, as so_ky_hieu


def page_kinds(warnings: Sequence[str], pages: int, layered: Collection[int] = ()) -> list[str]:
    """What each page holds (0-based list), from the page warnings ``extract`` reports — ``page N:
    born_digital`` (read from its text), ``page N: text_layer_partial`` (a scan whose text layer explains
    little of its ink: a signature stamp or banner; the scan was OCRed) — and ``layered``, the pages on
    which triage found a text layer (with neither warning: a scan whose layer was taken as its text)."""
    flags: list[set[str]] = [set() for _ in range(pages)]
    for warning in warnings:
        head, _, rest = warning.partition(":")
        if head.startswith("page ") and head[5:].strip().isdigit() and 0 < int(head[5:]) <= pages:
            flags[int(head[5:]) - 1].add(rest.strip())
    kinds = []
    for index, found in enumerate(flags):
        if "born_digital" in found:
            kinds.append(BORN_DIGITAL)
        elif "text_layer_partial" in found:
            kinds.append(HYBRID)
        else:
            kinds.append(LAYERED if index in layered else SCANNED)
    return kinds


def document_kind(kinds: Sequence[str]) -> str:
    """A document's kind from its pages': born-digital only when every page is; a scan with any page whose
    text layer is partial (a signature stamp) is hybrid signed; born-digital and scanned pages: mixed."""
    found = set(kinds)
    if found == {BORN_DIGITAL}:
        return BORN_DIGITAL
    if BORN_DIGITAL in found:
        return MIXED
    if HYBRID in found:
        return HYBRID
    return LAYERED if LAYERED in found else SCANNED


@dataclass
class Recorder(RuleFieldExtractor):
    """The default extractor (its result unchanged), recording per document the rules' findings before
    the review thresholds (``raw``) and after (``final``)."""

    raw: list[DocumentFields] = field(default_factory=list)
    final: list[DocumentFields] = field(default_factory=list)

    def extract(self, pages: Sequence[OcrPage]) -> DocumentFields:
        raw = self.read(pages)
        final = flag_doubtful(raw)
        self.raw.append(raw)
        self.final.append(final)
        return final


def fields_of(document: ExtractedDocument) -> DocumentFields:
    """The fields as ``extract --json`` gives them (value, confidence, needs_review)."""
    return DocumentFields({n: FieldValue(v, document.confidence.get(n, 0.0), needs_review=n in document.needs_review)
                           for n, v in document.fields.items() if v is not None or n in document.needs_review})


def document_at(extraction: Extraction, page: int) -> int | None:
    """Index of the extracted document holding ``page`` (1-based); None when no document holds it."""
    return next((i for i, d in enumerate(extraction.documents) if page in d.pages), None)


@dataclass
class FrontScores:
    """Scores of one run: Sohoa as ``extract`` reports it, Sohoa with the rules' flags only (before the
    review thresholds), the baseline; per document kind; and (confidence, right) samples per field."""

    sohoa: FieldScore = field(default_factory=FieldScore)
    rule_flags: FieldScore = field(default_factory=FieldScore)
    baseline: FieldScore = field(default_factory=FieldScore)
    kinds: dict[str, FieldScore] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)

    def add(self, truth: dict[str, str | None], final: DocumentFields, raw: DocumentFields | None,
            kind: str) -> None:
        self.sohoa.score(truth, final)
        self.kinds.setdefault(kind, FieldScore()).score(truth, final)
        self.documents[kind] = self.documents.get(kind, 0) + 1
        if raw is None:
            return
        self.rule_flags.score(truth, raw)
        values, flags = field_values(raw)
        checked = doubtful_fields(raw, {})  # flagged by the field checks whatever the threshold
        for name, expected in truth.items():
            item = raw.values.get(name)
            if item is not None and item.value is not None and not flags.get(name, False) and name not in checked:
                self.samples.setdefault(name, []).append((item.confidence, field_equal(name, expected, values[name])))

    def as_dict(self) -> dict[str, Any]:
        runs = {"sohoa": self.sohoa, "sohoa_rule_flags_only": self.rule_flags, "baseline": self.baseline}
        return {
            "fields": {k: v.as_dict() for k, v in runs.items()},
            "overall": {k: _overall(v) for k, v in runs.items()},
            "review": {k: v.review() for k, v in runs.items() if k != "baseline"},
            "misses": {k: v.misses() for k, v in runs.items()},
            "by_kind": {k: {"fields": v.as_dict(), "overall": _overall(v), "documents": self.documents[k]}
                        for k, v in sorted(self.kinds.items())},
        }


def _overall(score: FieldScore) -> dict[str, float]:
    return score.overall([n for n in score.total if n not in PARTS])


def layered_pages(path: Path, settings: Settings) -> set[int]:
    """Pages on which triage finds a text layer (parsed or pending)."""
    found = triage(path, max_pixels=settings.max_image_pixels, min_text_chars=settings.min_text_chars_per_page,
                   render_dpi=settings.pdf_render_dpi)
    return {p.page_index for p in found.pages if p.text_layer is not None or p.pending_layer is not None}


def extract_recorded(settings: Settings, path: Path) -> tuple[Extraction, Recorder, float]:
    """``extract_file`` on ``path`` with a :class:`Recorder`, and the seconds it took."""
    recorder = Recorder()
    started = time.perf_counter()
    extraction = extract_file(settings, path, extractor=recorder)
    return extraction, recorder, time.perf_counter() - started


def corpus_pdf(pages: Sequence[Path], out: Path) -> Path:
    """The generated pages as one scanned PDF (images embedded as they are: PNG lossless, JPEG untouched)."""
    out.write_bytes(img2pdf.convert([str(p) for p in pages]))
    return out


def images_pdf(pages: Sequence[Image.Image], dpi: int, out: Path, jpeg: int | None = None) -> Path:
    """Page images as one scanned PDF at ``out``, each written beside it at ``dpi`` (PNG, or JPEG at quality
    ``jpeg``), embedded by :func:`corpus_pdf` and removed."""
    files = []
    for number, page in enumerate(pages, start=1):
        name = out.parent / f"{out.stem}-{number}.{'jpg' if jpeg else 'png'}"
        if jpeg:
            page.save(name, "JPEG", quality=jpeg, dpi=(dpi, dpi))
        else:
            page.save(name, "PNG", dpi=(dpi, dpi), compress_level=1)
        files.append(name)
    corpus_pdf(files, out)
    for name in files:
        name.unlink()
    return out


_UBND = re.compile(r"^(?:ỦY BAN NHÂN DÂN|UBND)\s+", re.IGNORECASE)


def real_truth(label: dict[str, Any]) -> dict[str, str | None]:
    """The fields a label states for the page it names (null means 'not labelled', except that a
    last page is labelled as having no number and no date: those negatives are scored)."""
    last = label.get("page_role") == "last_page"
    sign = label.get("so_ky_hieu")
    number, _, notation = sign.partition("/") if sign else (None, "", None)
    values = {"so_ky_hieu": sign, "code_number": number, "code_notation": notation or None,
              "issued_date": label.get("ngay_ban_hanh")}
    truth = {k: v for k, v in values.items() if v is not None or last}
    if not last:  # the header fields are not on a last page
        for key, name in (("loai_van_ban", "type_name"), ("co_quan_ban_hanh", "organ_name"),
                          ("trich_yeu", "subject")):
            if label.get(key):
                truth[name] = label[key]
    if label.get("nguoi_ky"):
        truth["signer_full_name"] = label["nguoi_ky"]
    return truth


_CLAUSE = re.compile(r"[;\n]")
_HAND_DAY = re.compile(r"\bhand-?written\b.*\bdays?\b|\bdays?\b.*\bhand-?written\b", re.IGNORECASE)
_CROPPED_TOP = re.compile(r"\b(?:top|header|issuer)\b.*\b(?:cropped|cut off)\b", re.IGNORECASE)


def not_printed(label: dict[str, Any]) -> set[str]:
    """Headline fields whose value the page does not print, from the label (no structured marker exists,
    so a documented rule over ``notes``, read clause by clause, split at ';'):

    - ``issued_date``: a clause says the *day* is handwritten ('handwritten number and day', "number
      '155' and day '31' handwritten"); a clause about a stamp is not the issue date ('ĐẾN stamp with
      handwritten date 29/3/21') and the word must be 'day', not 'date'.
    - ``organ_name``: a clause says the top of the page, the header or the issuer line is cropped or cut
      off (the issuer is then inferred, not read).

    ``type_name`` is never marked: no label records a type that is not printed."""
    found: set[str] = set()
    for clause in _CLAUSE.split(str(label.get("notes") or "")):
        if _HAND_DAY.search(clause) and "stamp" not in clause.casefold():
            found.add("issued_date")
        if _CROPPED_TOP.search(clause):
            found.add("organ_name")
    return found


def printed_truth(truth: dict[str, str | None], hidden: Collection[str]) -> dict[str, str | None]:
    """The headline fields of ``truth`` that are labelled with a value and printed on the page."""
    return {n: truth[n] for n in HEADLINE if truth.get(n) is not None and n not in hidden}


def with_organ_place(fields: DocumentFields, truth: str | None) -> DocumentFields:
    """Labels name a department with its province ('Sở Giáo dục và Đào tạo thành phố Đà Nẵng') where
    the header prints the province on the parent line ('UBND THÀNH PHỐ ĐÀ NẴNG' / 'SỞ GIÁO DỤC …'):
    that form of the label is the organ followed by the parent's place."""
    organ, parent = fields.values.get("organ_name"), fields.get("parent_organ_name")
    if truth is None or organ is None or organ.value is None or not parent:
        return fields
    joined = f"{organ.value} {_UBND.sub('', parent)}"
    if joined.casefold() != truth.casefold():
        return fields
    return DocumentFields({**fields.values, "organ_name": replace(organ, value=joined)})


@dataclass
class RealScores:
    """Scores of labelled real items: all fields, the headline fields where printed, and how many labelled
    headline values were left out as not printed."""

    front: FrontScores = field(default_factory=FrontScores)
    printed: FieldScore = field(default_factory=FieldScore)
    hidden: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HEADLINE, 0))

    def as_dict(self) -> dict[str, Any]:
        return {**self.front.as_dict(), "printed": printed_figures(self.printed, self.hidden)}


def labelled_items(root: Path, only: Collection[str] = ()) -> list[tuple[str, Path, dict[str, Any]]]:
    """Every labelled real item under ``root`` whose file exists: (name, path, label), the name being
    'folder/file'. ``only``: parts of file paths to keep."""
    found = []
    for labels in sorted(root.glob("*/labels.jsonl")):
        for line in labels.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            path = labels.parent / label["file"]
            if path.exists() and (not only or any(o in str(path) for o in only)):
                found.append((f"{labels.parent.name}/{label['file']}", path, label))
    return found


def score_real(path: Path, label: dict[str, Any], settings: Settings, into: Sequence[RealScores],
               baseline: OcrPage | None) -> dict[str, Any]:
    """One real file through ``extract_file``, scored against ``label`` into each of ``into`` (the
    baseline's fields from ``baseline``, bare Tesseract's first page, when given); the item's record."""
    extraction, recorder, seconds = extract_recorded(settings, path)
    truth = real_truth(label)
    kinds = page_kinds(extraction.warnings, extraction.pages, layered_pages(path, settings))
    index = document_at(extraction, 1)
    final = raw = DocumentFields({})
    pages: list[int] = []
    if index is not None:
        pages = extraction.documents[index].pages
        final = with_organ_place(fields_of(extraction.documents[index]), truth.get("organ_name"))
        raw = with_organ_place(recorder.raw[index], truth.get("organ_name"))
    kind = document_kind([kinds[p - 1] for p in pages] or kinds)
    hidden = not_printed(label) & {n for n in HEADLINE if truth.get(n) is not None}
    bare = BaselineFieldExtractor().extract([baseline]) if baseline is not None else None
    for scores in into:
        scores.front.add(truth, final, raw, kind)
        scores.printed.score(printed_truth(truth, hidden), final)
        for name in hidden:
            scores.hidden[name] += 1
        if bare is not None:
            scores.front.baseline.score(truth, bare)
    return {"kind": kind, "page_kinds": kinds, "documents": [d.pages for d in extraction.documents],
            "seconds": round(seconds, 1), "error": extraction.error.reason if extraction.error else None,
            **item_record(truth, final),
            "confidence": {n: round(raw.values[n].confidence, 3) for n in truth if n in raw.values},
            "not_printed": sorted(hidden)}


def run_real_front(root: Path, settings: Settings, bare_first_page: Callable[[Path], OcrPage],
                   only: Collection[str] = ()) -> dict[str, Any]:
    """Every labelled real item through ``extract_file``; the baseline reads the first page (bare
    Tesseract on the page as scanned, regexes). ``only``: file names to keep (a quick look)."""
    scores = RealScores()
    items: list[dict[str, Any]] = []
    for name, path, label in labelled_items(root, only):
        items.append({"file": name, **score_real(path, label, settings, [scores], bare_first_page(path))})
        print(json.dumps(items[-1], ensure_ascii=False), flush=True)
    return {"items": len(items), **scores.as_dict(), "samples": scores.front.samples, "per_item": items}


def printed_figures(printed: FieldScore, hidden: dict[str, int]) -> dict[str, Any]:
    """The headline fields where printed: right %, values scored, and how many labelled values were left
    out as not printed (handwritten day, cropped header)."""
    return {"fields": printed.as_dict(), "values": dict(printed.total), "not_printed": dict(hidden),
            "misses": printed.misses()}


def score_generated(corpus: SampleCorpus, work: Path, settings: Settings,
                    into: Sequence[FrontScores]) -> tuple[dict[str, float], float]:
    """A generated corpus as one scanned PDF through ``extract_file``, each true document scored (into
    every one of ``into``) on the extracted document holding its first page; the split and the seconds."""
    path = corpus_pdf(corpus.pages, work / "corpus.pdf")
    extraction, recorder, seconds = extract_recorded(settings, path)
    kinds = page_kinds(extraction.warnings, extraction.pages)
    for doc in corpus.documents:
        truth = {n: doc.fields.get(n) for n in FIELD_NAMES}
        truth["so_ky_hieu"] = doc.number_sign or None
        index = document_at(extraction, doc.pages[0])
        for scores in into:
            if index is None:
                scores.add(truth, DocumentFields({}), DocumentFields({}), SCANNED)
                continue
            pages = extraction.documents[index].pages
            scores.add(truth, fields_of(extraction.documents[index]), recorder.raw[index],
                       document_kind([kinds[p - 1] for p in pages]))
    truth_split = [[n - 1 for n in d.pages] for d in corpus.documents]
    found_split = [[n - 1 for n in d.pages] for d in extraction.documents]
    return split_scores(truth_split, found_split), seconds


def run_generated_front(corpus: SampleCorpus, work: Path, settings: Settings) -> dict[str, Any]:
    """A generated corpus as one scanned PDF (documents, appendices, separator sheets) through
    ``extract_file``; each true document is scored on the extracted document holding its first page."""
    scores = FrontScores()
    split, seconds = score_generated(corpus, work, settings, [scores])
    result = scores.as_dict()
    del result["fields"]["baseline"], result["overall"]["baseline"], result["misses"]["baseline"]
    return {**result, "samples": scores.samples, "split": split, "seconds": round(seconds, 1)}
