"""Accuracy benchmark: bare Tesseract + baseline regexes vs Sohoa (preprocessing, post-correction, rules).

Runs (a) a generated corpus in each scan condition (``sohoa.samples.generate_corpus``) and (b) the
labelled real documents in ``../shared/data/real`` when present. Reports CER/WER after NFC, the share
of character errors that are diacritics only, per-field exact-match accuracy and document-split
precision/recall, for both systems in the same run. Writes ``bench/results/accuracy.json``.

    .venv/bin/python bench/accuracy.py --seed 7 --documents 6 [--conditions clean300,skew] [--no-real]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _accuracy_metrics import FieldScore, TextScore, field_equal, sign_of, split_scores
from _common import ROOT, machine, write_results
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.ocr import OcrPage
from sohoa.engines.tesseract import TesseractEngine
from sohoa.intelligence import (
    BaselineFieldExtractor,
    RuleFieldExtractor,
    correct_page,
    find_separator,
    split_documents,
)
from sohoa.pipeline.ocr import ocr_page
from sohoa.pipeline.preprocess import measure_quality, prepare_for_ocr
from sohoa.samples import CONDITIONS, generate_corpus

REAL = ROOT.parent / "shared" / "data" / "real"
_BASELINE_START = re.compile(r"S[ốô]\s*:\s*\d+\s*/")
# Real labels → field names; organ and signer labels are compared case-insensitively.
_REAL_FIELDS = {
    "so_ky_hieu": "so_ky_hieu",
    "ngay_ban_hanh": "issued_date",
    "loai_van_ban": "type_name",
    "trich_yeu": "subject",
    "co_quan_ban_hanh": "organ_name",
    "nguoi_ky": "signer_full_name",
}


def _values(fields: Any) -> dict[str, str | None]:
    values: dict[str, str | None] = fields.as_fields()
    values["so_ky_hieu"] = sign_of(values)
    return values


def _score(score: FieldScore, truth: dict[str, str | None], found: dict[str, str | None]) -> None:
    for name, expected in truth.items():
        score.add(name, field_equal(name, expected, found.get(name)))


def _baseline_split(pages: Sequence[OcrPage]) -> list[list[int]]:
    """What a regex-only pipeline does: a page with a 'Số: n/' line starts a document."""
    docs: list[list[int]] = []
    for index, page in enumerate(pages):
        if not docs or _BASELINE_START.search(page.text):
            docs.append([index])
        else:
            docs[-1].append(index)
    return docs


def _recognize(engine: TesseractEngine, image: np.ndarray, dpi: int) -> OcrPage:
    """OCR one page; tesserocr raises on a page without any text (a blank sheet), which is an empty page."""
    try:
        return engine.recognize(image, dpi)
    except RuntimeError:
        return OcrPage(image.shape[1], image.shape[0], dpi)


def _read(path: Path) -> np.ndarray:
    """The page as RGB (what a scanner delivers)."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"cannot read {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _bare(engine: TesseractEngine, rgb: np.ndarray, dpi: int) -> OcrPage:
    """Baseline OCR input: the scan converted to grey, nothing else."""
    return _recognize(engine, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dpi)


def _sohoa(engine: TesseractEngine, rgb: np.ndarray, dpi: int) -> OcrPage:
    """Sohoa's pipeline: quality measures, preprocessing (red seal, deskew …), OCR, post-correction."""
    prepared = prepare_for_ocr(rgb, dpi, measure_quality(rgb, dpi))
    try:
        page = ocr_page(prepared, engine)
    except RuntimeError:
        page = OcrPage(rgb.shape[1], rgb.shape[0], dpi)
    return correct_page(page)


def run_condition(
    condition: str, seed: int, documents: int, work: Path, engine: TesseractEngine
) -> dict[str, Any]:
    started = time.perf_counter()
    corpus = generate_corpus(
        work / condition, documents=documents, seed=seed, condition=condition, separators=True
    )
    images = [_read(p) for p in corpus.pages]
    pages = [_bare(engine, image, corpus.dpi) for image in images]
    fixed = [_sohoa(engine, image, corpus.dpi) for image in images]
    text = {"tesseract": TextScore(), "sohoa": TextScore()}
    fields = {"baseline": FieldScore(), "sohoa": FieldScore()}
    for doc in corpus.documents:
        index = [n - 1 for n in doc.pages]
        for i, truth, boxes in zip(index, doc.page_texts, doc.line_boxes, strict=True):
            text["tesseract"].add_lines(truth, pages[i].words, boxes)
            text["sohoa"].add_lines(truth, fixed[i].words, boxes)
        truth_fields = {n: doc.fields.get(n) for n in FIELD_NAMES}
        truth_fields["so_ky_hieu"] = doc.number_sign or None
        _score(
            fields["baseline"],
            truth_fields,
            _values(BaselineFieldExtractor().extract([pages[i] for i in index])),
        )
        _score(
            fields["sohoa"], truth_fields, _values(RuleFieldExtractor().extract([fixed[i] for i in index]))
        )
    truth_split = [[n - 1 for n in d.pages] for d in corpus.documents]
    separators = {i for i, image in enumerate(images) if find_separator(image)}
    return {
        "pages": len(pages),
        "documents": len(corpus.documents),
        "text": {k: v.as_dict() for k, v in text.items()},
        "fields": {k: v.as_dict() for k, v in fields.items()},
        "split": {
            "baseline": split_scores(truth_split, _baseline_split(pages)),
            "sohoa": split_scores(truth_split, split_documents(fixed, separator_pages=separators)),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def _real_image(folder: Path, file: str, work: Path) -> Path | None:
    path = folder / file
    if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
        return path if path.exists() else None
    if path.suffix.lower() != ".pdf" or not path.exists():
        return None
    stem = work / f"{folder.name}_{path.stem}"
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", str(path), str(stem)],
        check=True,
        capture_output=True,
    )
    return stem.with_suffix(".png")


def run_real(root: Path, work: Path, engine: TesseractEngine) -> dict[str, Any]:
    """First page of every labelled real item (last-page items test the negatives)."""
    fields = {"baseline": FieldScore(), "sohoa": FieldScore()}
    text = {"tesseract": TextScore(), "sohoa": TextScore()}
    items = 0
    for labels in sorted(root.glob("*/labels.jsonl")):
        for line in labels.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            image_path = _real_image(labels.parent, label["file"], work)
            if image_path is None:
                continue
            items += 1
            rgb = _read(image_path)
            page, fixed = _bare(engine, rgb, 300), _sohoa(engine, rgb, 300)
            truth = {n: label.get(k) for k, n in _REAL_FIELDS.items() if k in label}
            _score(fields["baseline"], truth, _values(BaselineFieldExtractor().extract([page])))
            _score(fields["sohoa"], truth, _values(RuleFieldExtractor().extract([fixed])))
            gt = label.get("gt_text")
            if gt and image_path.suffix.lower() != ".png" and (labels.parent / gt).exists():
                reference = (labels.parent / gt).read_text(encoding="utf-8")
                text["tesseract"].add(reference, page.text)
                text["sohoa"].add(reference, fixed.text)
    return {
        "items": items,
        "fields": {k: v.as_dict() for k, v in fields.items()},
        "text": {k: v.as_dict() for k, v in text.items() if v.chars},
    }


def _mean(values: dict[str, float]) -> float:
    return round(sum(values.values()) / len(values), 1) if values else 0.0


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "| condition | pages | CER Tesseract % | CER Sohoa % | diacritic-only share of Tesseract errors % "
        "| fields baseline % | fields Sohoa % | split P/R baseline | split P/R Sohoa |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results["conditions"].items():
        sb, ss = r["split"]["baseline"], r["split"]["sohoa"]
        lines.append(
            f"| {name} | {r['pages']} | {r['text']['tesseract']['cer_pct']} | {r['text']['sohoa']['cer_pct']} "
            f"| {r['text']['tesseract']['diacritic_only_error_share_pct']} | {_mean(r['fields']['baseline'])} "
            f"| {_mean(r['fields']['sohoa'])} | {sb['precision_pct']}/{sb['recall_pct']} "
            f"| {ss['precision_pct']}/{ss['recall_pct']} |"
        )
    names = sorted({f for r in results["conditions"].values() for f in r["fields"]["sohoa"]})
    lines += [
        "",
        "| field | baseline % (all conditions) | Sohoa % (all conditions) | baseline % real | Sohoa % real |",
        "|---|---|---|---|---|",
    ]
    real = results.get("real", {}).get("fields", {})
    for n in names:
        per = [r["fields"] for r in results["conditions"].values()]
        base = round(sum(p["baseline"].get(n, 0) for p in per) / max(1, len(per)), 1)
        ours = round(sum(p["sohoa"].get(n, 0) for p in per) / max(1, len(per)), 1)
        lines.append(
            f"| {n} | {base} | {ours} | {real.get('baseline', {}).get(n, '–')} "
            f"| {real.get('sohoa', {}).get(n, '–')} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--documents", type=int, default=6)
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--no-real", action="store_true")
    args = parser.parse_args(argv)
    engine = TesseractEngine()
    results: dict[str, Any] = {
        "machine": machine(),
        "seed": args.seed,
        "documents": args.documents,
        "conditions": {},
    }
    with tempfile.TemporaryDirectory(prefix="sohoa-accuracy-") as tmp:
        for condition in [c for c in args.conditions.split(",") if c]:
            results["conditions"][condition] = run_condition(
                condition, args.seed, args.documents, Path(tmp), engine
            )
            print(condition, json.dumps(results["conditions"][condition]["text"]), flush=True)
        if not args.no_real and args.real.exists():
            results["real"] = run_real(args.real, Path(tmp), engine)
    path = write_results("accuracy", results)
    print(markdown(results))
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
