"""Fields on real document texts typeset as NĐ 30 pages, through the front door.

``tvpl_2025_legal_text/docs.jsonl`` holds real 2025 documents: TVPL's metadata (number and sign, type,
jurisdiction, signer, date) and the plain text. Each text is parsed into its NĐ 30 parts (``_texts_parse``)
and typeset as a born-digital PDF (``_texts_typeset``); ``extract_file`` reads (a) that PDF (its text layer)
and (b) the same pages rendered at 300 dpi and written as an image-only PDF (a clean scan: the OCR path). The
extracted document holding page 1 is scored against the metadata:

- ``so_ky_hieu``, ``issued_date`` (ISO), ``type_name`` and ``signer_full_name``: as ``_accuracy_metrics``
  compares them (exact after NFC and whitespace);
- ``organ_name``: ``noi_ban_hanh`` is a jurisdiction label ('Tỉnh Hà Tĩnh', 'Cục Thuế'), not the header
  text, so a loose rule (:func:`organ_right`): the case-folded NFC organ name (or the parent and the organ
  joined) equals the label or ends with it;
- ``subject``: not TVPL's rewording (``trich_yeu_tvpl``) but the subject as printed, i.e. what the parser
  found (a công văn's V/v text, else the subject lines joined), compared case-insensitively (NFC,
  whitespace collapsed, a leading 'V/v' and a final full stop ignored).

The documents are split by their id (``int(id, 16) % 2``): 0 is the *tuning* half (may be looked at while
developing rules), 1 the *held-out* half (never item by item: its misses are counted, not printed or kept).
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _accuracy_front import document_at, extract_recorded, fields_of, images_pdf
from _accuracy_metrics import FieldScore, field_equal, field_values, normal
from _texts_hybrid import hybrid_copy
from _texts_parse import Parsed, parse_text
from _texts_typeset import typeset
from sohoa.domain.fields import DocumentFields
from sohoa.engines import poppler
from sohoa.settings import Settings

HALVES = ("tuning", "held_out")
PATHS = ("born_digital", "scanned", "hybrid_signed")
FIELDS = ("type_name", "organ_name", "issued_date", "so_ky_hieu", "subject", "signer_full_name")
_DPI = 300
_VV = re.compile(r"^v\s*/\s*v\s*:?\s*", re.IGNORECASE)


def half_of(doc_id: str) -> str:
    """The stable hold-out split: 'tuning' or 'held_out' by the id's hash value."""
    return HALVES[int(doc_id, 16) % 2]


_QUOTES = str.maketrans("“”„‟«»‘’", '""""""' + "''")


def _fold(text: str) -> str:
    """Case-folded NFC text, curly and straight quotes alike (a quote's direction is the typesetter's)."""
    return normal(unicodedata.normalize("NFC", text)).casefold().translate(_QUOTES)


def organ_right(found: str | None, parent: str | None, label: str) -> bool:
    """The loose organ rule: the case-folded NFC organ name — or the parent and the organ joined — equals
    the jurisdiction label or ends with it ('ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH' / 'Tỉnh Hà Tĩnh')."""
    if not found:
        return False
    want = _fold(label)
    for name in (found, f"{parent} {found}" if parent else found):
        got = _fold(name)
        if got == want or got.endswith(f" {want}"):
            return True
    return False


def subject_right(found: str | None, printed: str) -> bool:
    """The subject as printed, case-insensitively: NFC, whitespace, quotes' direction, a leading 'V/v' and a
    final stop aside."""
    if not found:
        return False
    return _VV.sub("", _fold(found)).rstrip(". ") == _VV.sub("", _fold(printed)).rstrip(". ")


def truth_of(doc: dict[str, Any], parsed: Parsed) -> dict[str, str | None]:
    """The values scored for one document (metadata; the subject as the parser found it)."""
    return {"type_name": doc["loai_van_ban"], "organ_name": doc["noi_ban_hanh"],
            "issued_date": doc["ngay_ban_hanh_iso"], "so_ky_hieu": doc["so_ky_hieu"],
            "subject": parsed.printed_subject(), "signer_full_name": doc["nguoi_ky"]}


def score_fields(truth: dict[str, str | None], fields: DocumentFields,
                 into: Sequence[FieldScore]) -> list[dict[str, Any]]:
    """One document's fields scored into each of ``into``; the misses (field, truth, found, flagged)."""
    values, flags = field_values(fields)
    misses = []
    for name, expected in truth.items():
        if expected is None:
            continue
        value = values.get(name)
        if name == "organ_name":
            ok = organ_right(value, values.get("parent_organ_name"), expected)
        elif name == "subject":
            ok = subject_right(value, expected)
        else:
            ok = field_equal(name, expected, value)
        for score in into:
            score.add(name, ok, flagged=flags.get(name, False), empty=value is None)
        if not ok:
            misses.append({"field": name, "truth": expected, "found": value, "flagged": flags.get(name, False)})
    return misses


def scanned_copy(pdf: Path, pages: int, out: Path) -> Path:
    """``pdf`` rendered at 300 dpi (grey) and written as an image-only PDF: a clean scan."""
    return images_pdf([poppler.render_page(pdf, index, _DPI).convert("L") for index in range(pages)], _DPI, out)


def load_docs(path: Path, count: int | None) -> dict[str, list[dict[str, Any]]]:
    """The first ``count`` documents of each half (all with None), in file order."""
    halves: dict[str, list[dict[str, Any]]] = {h: [] for h in HALVES}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            group = halves[half_of(doc["id"])]
            if count is None or len(group) < count:
                group.append(doc)
    return halves


def _read(settings: Settings, path: Path) -> DocumentFields:
    extraction, _, _ = extract_recorded(settings, path)
    index = document_at(extraction, 1)
    return fields_of(extraction.documents[index]) if index is not None else DocumentFields({})


def run_texts(path: Path, settings: Settings, count: int | None, seed: int,
              paths: Sequence[str] = PATHS) -> dict[str, Any]:
    """The first ``count`` documents of each half parsed, typeset, read born-digital and scanned (``paths``),
    and scored; per half and path the field scores. The tuning half's misses are printed (JSON lines, for
    inspection); the results keep only counts per path and field (no document text is written to them)."""
    halves = load_docs(path, count)
    scores = {(h, p): FieldScore() for h in HALVES for p in PATHS}
    skipped: dict[str, Counter[str]] = {h: Counter() for h in HALVES}
    tuning_misses: Counter[str] = Counter()
    held_misses: Counter[str] = Counter()
    layouts: Counter[str] = Counter()
    writers: dict[str, Counter[str]] = {h: Counter() for h in HALVES}  # hybrid-signed documents per writer
    by_writer: dict[str, dict[str, FieldScore]] = {h: {} for h in HALVES}
    pages: dict[str, int] = dict.fromkeys(HALVES, 0)
    with tempfile.TemporaryDirectory(prefix="sohoa-texts-") as tmp:
        for half, docs in halves.items():
            for number, doc in enumerate(docs):
                parsed = parse_text(doc["text"])
                if isinstance(parsed, str):
                    skipped[half][parsed] += 1
                    continue
                pdf = Path(tmp) / f"{half}-{number}.pdf"
                layout = typeset(parsed, pdf, seed + int(doc["id"], 16) % 100_000)
                layouts[f"{layout['face']} {layout['size']:g} pt"] += 1
                pages[half] += int(str(layout["pages"]))
                truth = truth_of(doc, parsed)
                files = {"born_digital": pdf} if "born_digital" in paths else {}
                writer = ""
                if "scanned" in paths:
                    scan = Path(tmp) / f"{half}-{number}-scan.pdf"
                    files["scanned"] = scanned_copy(pdf, int(str(layout["pages"])), scan)
                if "hybrid_signed" in paths:
                    form = Path(tmp) / f"{half}-{number}-form.pdf"
                    drawn = typeset(parsed, form, seed + int(doc["id"], 16) % 100_000, blanks=True)
                    files["hybrid_signed"], writer = hybrid_copy(
                        form, int(str(drawn["pages"])), drawn, parsed.organ[-1], truth["issued_date"],
                        seed + int(doc["id"], 16) % 100_000, Path(tmp) / f"{half}-{number}-hybrid.pdf")
                    form.unlink()
                    writers[half][writer] += 1
                for kind, file in files.items():
                    also = [by_writer[half].setdefault(writer, FieldScore())] if kind == "hybrid_signed" else []
                    misses = score_fields(truth, _read(settings, file), [scores[(half, kind)], *also])
                    for miss in misses:
                        if half == "tuning":
                            record = {"id": doc["id"], "path": kind, **miss}
                            if kind == "hybrid_signed":
                                record["writer"] = writer
                            tuning_misses[f"{kind} {miss['field']}"] += 1
                            print("texts-miss", json.dumps(record, ensure_ascii=False), flush=True)
                        else:
                            held_misses[f"{kind} {miss['field']}"] += 1
                for file in {pdf, *files.values()}:
                    file.unlink()
            print("texts", half, json.dumps({p: scores[(half, p)].overall() for p in paths}), flush=True)
    return {"source": path.parent.name, "seed": seed, "per_half": count,
            "documents": {h: len(d) for h, d in halves.items()},
            "skipped": {h: dict(c) for h, c in skipped.items()}, "pages": pages, "layouts": dict(layouts),
            "writers_by_half": {h: dict(c) for h, c in writers.items()},
            "by_writer": {h: {w: {"fields": score.as_dict(), "overall": score.overall()}
                              for w, score in sorted(scored.items())} for h, scored in by_writer.items()},
            "scores": {h: {p: {"fields": scores[(h, p)].as_dict(), "overall": scores[(h, p)].overall(),
                               "review": scores[(h, p)].review(), "misses": scores[(h, p)].misses()}
                           for p in PATHS} for h in HALVES},
            "tuning_miss_counts": dict(tuning_misses), "held_out_miss_counts": dict(held_misses)}


def texts_markdown(results: dict[str, Any], when: str = "") -> str:
    """The texts section: per half and path, pooled right %, flagged %, unflagged wrong % and per field."""
    texts = results["texts"]
    head = ("| set | path | documents scored (skipped) | fields right % | flagged % | unflagged wrong % | "
            + " | ".join(FIELDS) + " |")
    lines = ["### Real document texts typeset as NĐ 30 pages (tuning and held-out halves)", "",
             f"Source `{texts['source']}`, first {texts['per_half'] or 'all'} documents of each half, seed "
             f"{texts['seed']}{f', {when}' if when else ''}. Each text is parsed into its NĐ 30 parts and typeset "
             "as a born-digital PDF (Liberation/DejaVu Serif, body 13/14 pt), then read by `extract_file` as it "
             "is (text layer), rendered at 300 dpi as an image-only PDF (OCR), and published as agencies "
             "publish today (*hybrid-signed*, `_texts_hybrid`): the number and the day left blank on the form and "
             "written in by hand, the page scanned at 200 dpi (grey, or bilevel), the scan published with the "
             "signature stamps as its only text, written into the page. Scored on the document holding "
             "page 1 against TVPL's metadata; organ by the loose rule (the organ name, or parent + organ, ends "
             "with the jurisdiction label); subject against the subject as printed (the parsed subject lines or "
             "V/v text, case-insensitive), not TVPL's rewording. Held-out documents are never looked at item by "
             "item.", "", head, "|---" * (6 + len(FIELDS)) + "|"]
    for half in HALVES:
        done = texts["documents"][half] - sum(texts["skipped"][half].values())
        skipped = ", ".join(f"{r}: {n}" for r, n in texts["skipped"][half].items()) or "none"
        for path in PATHS:
            run = texts["scores"][half].get(path)
            if run is None:
                continue
            overall = run["overall"]
            if not overall.get("values", 1):
                continue
            per = " | ".join(str(run["fields"].get(n, "–")) for n in FIELDS)
            lines.append(f"| {half.replace('_', ' ')} | {path.replace('_', '-')} | {done} ({skipped}) "
                         f"| **{overall['right_pct']}** | {overall['flagged_pct']} | {overall['unflagged_wrong_pct']} "
                         f"| {per} |")
    writers = texts.get("by_writer") or {}
    if any(writers.values()):
        lines += ["", "Hybrid-signed by writer (`pen`: the sample generator's hand, whose other seeds trained the "
                  "digit recognizer; `chancery`: digits in URW Z003, a calligraphic face it never saw):", "",
                  "| set | writer | documents | fields right % | unflagged wrong % | so_ky_hieu | issued_date |",
                  "|---|---|---|---|---|---|---|"]
        for half in HALVES:
            counts = texts.get("writers_by_half", {}).get(half, {})
            for writer, run in writers.get(half, {}).items():
                lines.append(f"| {half.replace('_', ' ')} | {writer} | {counts.get(writer, '–')} "
                             f"| {run['overall']['right_pct']} | {run['overall']['unflagged_wrong_pct']} "
                             f"| {run['fields'].get('so_ky_hieu', '–')} | {run['fields'].get('issued_date', '–')} |")
    return "\n".join(lines)
