"""Accuracy benchmark: bare Tesseract + baseline regexes vs Sohoa (preprocessing, post-correction, rules).

Runs (a) a generated corpus per scan condition (``sohoa.samples.generate_corpus`` with multi-page
documents, appendices and blank separator sheets) and (b) the labelled real documents in
``../shared/data/real`` when present. Fields are scored through the front door: ``extract_file``, what
``sohoa extract FILE --json`` runs (``_accuracy_front``): the real files as they are (all pages, text
layers and all), the generated corpus as one scanned PDF; per field, per document kind, with the share
flagged for review and the values wrong and unflagged. The page pipeline called directly (text CER, split,
fields) is reported beside it for the generated pages; the old real-document shortcut (text layer
cleared, page 1 OCRed) only with ``--real-shortcut``. Reports CER in reading order and line-aligned, WER,
the share of character errors that are tone marks/diacritics only, per-field exact match (with the wrong answers
split into flagged for review, left empty and silently wrong), and document-split precision/recall/F1,
for both systems in the same run. Writes ``bench/results/accuracy.json`` and, with ``--docs``, the
accuracy section of ``docs/benchmarks.md``. The results file keeps per-item outcomes, never the labelled
or read values of the real documents (their README keeps that material out of the repository):
``--values FILE`` (outside the repository) writes the whole record for a developer's look.

    .venv/bin/python bench/accuracy.py --seed 4242 --documents 8 [--conditions clean300,skew] [--no-real] [--docs]
    .venv/bin/python bench/accuracy.py --conditions clean300 --documents 3 --only qn_02,test_1   # a quick look
    .venv/bin/python bench/accuracy.py --render bench/results/accuracy.json --docs   # re-render only
    .venv/bin/python bench/accuracy.py --only qn_02 --values /tmp/values.json   # with the values read
    .venv/bin/python bench/accuracy.py --conditions "" --no-real --variations all --variation-documents 2
    .venv/bin/python bench/accuracy.py --conditions "" --variations none --rescans all   # real items rescanned
    .venv/bin/python bench/accuracy.py --conditions "" --variations none --no-real --texts 40   # real texts typeset
    .venv/bin/python bench/accuracy.py --conditions "" --variations none --no-real --texts 40 \
        --texts-paths hybrid_signed   # … published as agencies do: pen number and day, 200-dpi scan, stamps

Layout variations (``sohoa.samples.VARIATIONS``) are run per variation and pooled into the tuning and the
held-out set (``--variations``); held-out results must never be used to develop extraction rules.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _accuracy_front import real_truth, run_generated_front, run_real_front, with_organ_place
from _accuracy_metrics import FieldScore, TextScore, item_record, split_scores, without_values
from _accuracy_report import markdown, variations_markdown
from _accuracy_rescan import RESCANS, rescans_markdown, run_rescans
from _accuracy_texts import PATHS as TEXT_PATHS
from _accuracy_texts import run_texts, texts_markdown
from _accuracy_variations import run_variations
from _common import ROOT, machine, update_docs, write_results
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.ocr import OcrPage
from sohoa.engines.tesseract import TesseractEngine
from sohoa.intelligence import BaselineFieldExtractor, RuleFieldExtractor, correct_page, split_documents
from sohoa.intelligence.separator import find_separator
from sohoa.intelligence.stamps import read_stamps
from sohoa.pipeline.layout import reading_order
from sohoa.pipeline.ocr import ocr_page
from sohoa.pipeline.preprocess import measure_quality, prepare_for_ocr
from sohoa.pipeline.triage import load_page_image, triage
from sohoa.samples import CONDITIONS, HELD_OUT, TUNING, generate_corpus
from sohoa.settings import Settings

REAL = ROOT.parent / "shared" / "data" / "real"
_BASELINE_START = re.compile(r"S[ốô]\s*:\s*\d+\s*/")


def _baseline_split(pages: Sequence[OcrPage]) -> list[list[int]]:
    """What a regex-only pipeline does: a page with a 'Số: n/' line starts a document."""
    docs: list[list[int]] = []
    for index, page in enumerate(pages):
        if not docs or _BASELINE_START.search(page.text):
            docs.append([index])
        else:
            docs[-1].append(index)
    return docs


def _read(path: Path) -> np.ndarray:
    """The page as RGB (what a scanner delivers)."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"cannot read {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _bare(engine: TesseractEngine, rgb: np.ndarray, dpi: int) -> OcrPage:
    """Baseline OCR input: the scan converted to grey, nothing else."""
    grey = rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return replace(engine, variables=()).recognize(grey, dpi)  # Tesseract's own defaults


def _sohoa(engine: TesseractEngine, image: Any, dpi: int) -> OcrPage:
    """What the page worker does (``pipeline/work.py``): quality, preparation, OCR, reading order,
    post-correction."""
    quality = measure_quality(image, dpi)
    page = ocr_page(prepare_for_ocr(image, dpi, quality), engine)
    if "red_ink" in quality.warnings and np.asarray(image).ndim == 3:
        page = read_stamps(image, dpi, page, engine)
    return correct_page(reading_order(page))


def run_condition(condition: str, seed: int, documents: int, work: Path, engine: TesseractEngine,
                  settings: Settings | None = None) -> dict[str, Any]:
    """One condition through the page pipeline called directly (text, split, fields) and, with
    ``settings``, through the front door as well (``front``)."""
    started = time.perf_counter()
    corpus = generate_corpus(work / condition, documents=documents, seed=seed, condition=condition,
                             multipage=True, separators=True)
    front = run_generated_front(corpus, work / condition, settings) if settings is not None else None
    images = [_read(p) for p in corpus.pages]
    pages = [_bare(engine, image, corpus.dpi) for image in images]
    fixed = [_sohoa(engine, image, corpus.dpi) for image in images]
    text = {"tesseract": TextScore(), "sohoa": TextScore()}
    fields = {"baseline": FieldScore(), "sohoa": FieldScore()}
    for doc in corpus.documents:
        index = [n - 1 for n in doc.pages]
        for i, truth, boxes in zip(index, doc.page_texts, doc.line_boxes, strict=True):
            text["tesseract"].add_page(truth, pages[i], boxes)
            text["sohoa"].add_page(truth, fixed[i], boxes)
        truth_fields = {n: doc.fields.get(n) for n in FIELD_NAMES}
        truth_fields["so_ky_hieu"] = doc.number_sign or None
        fields["baseline"].score(truth_fields, BaselineFieldExtractor().extract([pages[i] for i in index]))
        fields["sohoa"].score(truth_fields, RuleFieldExtractor().extract([fixed[i] for i in index]))
    truth_split = [[n - 1 for n in d.pages] for d in corpus.documents]
    separators = {i for i, image in enumerate(images) if find_separator(image)}
    return {
        "pages": len(pages),
        "documents": len(corpus.documents),
        "text": {k: v.as_dict() for k, v in text.items()},
        "fields": {k: v.as_dict() for k, v in fields.items()},
        "misses": {k: v.misses() for k, v in fields.items()},
        "split": {
            "baseline": split_scores(truth_split, _baseline_split(pages)),
            "sohoa": split_scores(truth_split, split_documents(fixed, separator_pages=separators)),
        },
        "seconds": round(time.perf_counter() - started, 1),
        **({"front": front} if front is not None else {}),
    }


def _real_page(path: Path) -> tuple[Any, int]:
    """The first page as the page worker gets it (native scan image, or rendered)."""
    found = triage(path, max_pixels=400_000_000)
    return load_page_image(replace(found.pages[0], text_layer=None))


def run_real_shortcut(root: Path, engine: TesseractEngine) -> dict[str, Any]:
    """The internal shortcut (not what users run): the first page of every labelled real item with its
    text layer cleared, OCRed through the page stages called directly (last-page items test the negatives)."""
    fields = {"baseline": FieldScore(), "sohoa": FieldScore()}
    text = {"tesseract": TextScore(), "sohoa": TextScore()}
    items: list[dict[str, Any]] = []
    for labels in sorted(root.glob("*/labels.jsonl")):
        for line in labels.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            path = labels.parent / label["file"]
            if not path.exists():
                continue
            image, dpi = _real_page(path)
            rgb = np.asarray(image.convert("L") if image.mode == "1" else image)
            page, fixed = _bare(engine, rgb, dpi), _sohoa(engine, image, dpi)
            truth = real_truth(label)
            ours = with_organ_place(RuleFieldExtractor().extract([fixed]), truth.get("organ_name"))
            fields["baseline"].score(truth, BaselineFieldExtractor().extract([page]))
            fields["sohoa"].score(truth, ours)
            items.append({"file": f"{labels.parent.name}/{label['file']}", "dpi": dpi, **item_record(truth, ours)})
            gt = label.get("gt_text")
            if gt and (labels.parent / gt).exists():
                # Only page 1 is read: a multi-page truth (pdftotext) is cut at its first form feed.
                reference = (labels.parent / gt).read_text(encoding="utf-8").split("\f")[0]
                one = {"tesseract": TextScore(), "sohoa": TextScore()}
                for name, ocr in (("tesseract", page), ("sohoa", fixed)):
                    text[name].add_page(reference, ocr)
                    one[name].add_page(reference, ocr)
                items[-1]["cer_pct"] = {k: v.as_dict()["cer_pct"] for k, v in one.items()}
    return {
        "items": len(items),
        "fields": {k: v.as_dict() for k, v in fields.items()},
        "misses": {k: v.misses() for k, v in fields.items()},
        "text": {k: v.as_dict() for k, v in text.items() if v.chars},
        "per_item": items,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--documents", type=int, default=8)
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--variations", default="all",
                        help="layout variations to run, comma-separated ('all', 'none'); tuning and held-out "
                             "are reported next to each other")
    parser.add_argument("--variation-documents", type=int, default=3, help="documents per variation")
    parser.add_argument("--when", default="", help="date of the run, written beside the variation figures")
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated parts of real file names to keep")
    parser.add_argument("--rescans", default="",
                        help="real items printed and scanned again: conditions, comma-separated, or 'all' "
                             f"({', '.join(RESCANS)})")
    parser.add_argument("--texts", default="0",
                        help="real document texts typeset as NĐ 30 pages: the first N of each half ('all'; 0 = off)")
    parser.add_argument("--texts-paths", default="all",
                        help="the texts' paths, comma-separated, or 'all' (born_digital, scanned, hybrid_signed)")
    parser.add_argument("--real-shortcut", action="store_true",
                        help="also the old shortcut: page 1 of each real item, text layer cleared, OCRed directly")
    parser.add_argument("--workers", type=int, default=None, help="page workers of extract_file (default: settings)")
    parser.add_argument("--docs", action="store_true", help="write the table into docs/benchmarks.md")
    parser.add_argument("--out", default="accuracy", help="results file name under bench/results/")
    parser.add_argument("--before", type=Path, help="results JSON of a previous Sohoa on the same seed")
    parser.add_argument("--before-label", default="previous version")
    parser.add_argument("--render", type=Path, help="only render this results JSON (no OCR run)")
    parser.add_argument("--values", type=Path,
                        help="also write the results with every labelled and read value to this file, kept out of "
                             "the repository (bench/results/ keeps outcomes only: the real labels are not ours to "
                             "publish)")
    args = parser.parse_args(argv)
    unknown = [c for c in args.rescans.split(",") if c and c != "all" and c not in RESCANS]
    if unknown:
        parser.error(f"--rescans: unknown condition(s) {', '.join(unknown)}; expected 'all' or {', '.join(RESCANS)}")
    if args.texts not in ("all", "") and not args.texts.isdigit():
        parser.error(f"--texts: expected a number of documents per half or 'all', got {args.texts!r}")
    paths = [p for p in args.texts_paths.split(",") if p and p != "all"]
    if any(p not in TEXT_PATHS for p in paths):
        parser.error(f"--texts-paths: expected 'all' or some of {', '.join(TEXT_PATHS)}, got {args.texts_paths!r}")
    if args.values is not None and args.values.resolve().is_relative_to(ROOT):
        parser.error(f"--values: {args.values} is inside the repository; the labelled values stay out of it")
    results = json.loads(args.render.read_text(encoding="utf-8")) if args.render is not None else _run(args)
    if args.before is not None:
        previous = json.loads(args.before.read_text(encoding="utf-8"))
        results["before"] = {"label": args.before_label, "conditions": previous["conditions"]}
    if args.values is not None:
        args.values.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    path = write_results(args.out, without_values(results))
    table = markdown(results) if results["conditions"] or "real" in results else ""
    if args.docs and table:
        update_docs("accuracy", table)
    if "variations" in results:
        varied = variations_markdown(results, args.when)
        if args.docs:
            update_docs("accuracy-variations", varied)
        table = f"{table}\n\n{varied}"
    if "rescans" in results:
        again = rescans_markdown(results, args.when)
        if args.docs:
            update_docs("accuracy-rescans", again)
        table = f"{table}\n\n{again}"
    if "texts" in results:
        typeset = texts_markdown(results, args.when)
        if args.docs:
            update_docs("accuracy-texts", typeset)
        table = f"{table}\n\n{typeset}"
    print(table)
    print(f"\nwritten {path}")


def _bare_first_page(engine: TesseractEngine) -> Callable[[Path], OcrPage]:
    def read(path: Path) -> OcrPage:
        image, dpi = _real_page(path)
        return _bare(engine, np.asarray(image.convert("L") if image.mode == "1" else image), dpi)
    return read


def _run(args: argparse.Namespace) -> dict[str, Any]:
    engine = TesseractEngine()
    settings = Settings() if args.workers is None else Settings(workers=args.workers)
    results: dict[str, Any] = {"machine": machine(), "seed": args.seed, "documents": args.documents,
                               "workers": settings.workers, "conditions": {}}
    with tempfile.TemporaryDirectory(prefix="sohoa-accuracy-") as tmp:
        for condition in [c for c in args.conditions.split(",") if c]:
            results["conditions"][condition] = run_condition(condition, args.seed, args.documents, Path(tmp),
                                                             engine, settings)
            print(condition, json.dumps(results["conditions"][condition]["text"]), flush=True)
        names = {"all": [*TUNING, *HELD_OUT], "none": []}.get(args.variations,
                                                             [n for n in args.variations.split(",") if n])
        if names:
            results["variations"] = run_variations(names, args.seed, args.variation_documents, Path(tmp) / "variations",
                                                   settings, lambda path, dpi: _bare(engine, _read(path), dpi))
    if not args.no_real and args.real.exists():
        only = [o for o in args.only.split(",") if o]
        results["real"] = run_real_front(args.real, settings, _bare_first_page(engine), only)
        rescans = RESCANS if args.rescans == "all" else [c for c in args.rescans.split(",") if c]
        if rescans:
            results["rescans"] = run_rescans(args.real, settings, rescans, args.seed, _bare_first_page(engine), only)
        if args.real_shortcut:
            results["real_shortcut"] = run_real_shortcut(args.real, engine)
    texts = args.real / "tvpl_2025_legal_text" / "docs.jsonl"
    if args.texts not in ("", "0") and texts.exists():  # not labelled real items: runs under --no-real too
        paths = [p for p in args.texts_paths.split(",") if p and p != "all"] or list(TEXT_PATHS)
        results["texts"] = run_texts(texts, settings, None if args.texts == "all" else int(args.texts), args.seed,
                                     paths)
    return results


if __name__ == "__main__":
    main()
