"""Reading choice benchmark (issue #12 item 3): bare Tesseract, the old fixed preparation and the per-page
choice between the prepared and the light reading (``sohoa.pipeline.reading_choice``), per scan condition.

Generates pages with ``sohoa.samples.generate_corpus`` (fixed seed) for each condition, plus ``heavy200``: the
clean 200-dpi pages with noise, blur, skew and JPEG together (made here with a fixed seed). Reports the
order-free word error, CER in reading order, fields right (rule extractor on Sohoa's pages, the baseline
regexes on bare Tesseract's, as ``bench/accuracy.py`` does), how many pages took a second reading and kept
the light one, and the extra OCR time. Writes ``bench/results/reading_choice.json`` and, with ``--docs``,
its section of ``docs/benchmarks.md``.

    .venv/bin/python bench/reading_choice.py --seed 4242 --documents 4 [--conditions heavy200,clean300] [--docs]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _accuracy_metrics import FieldScore, TextScore, normal
from _common import RESULTS, machine, update_docs
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.ocr import OcrPage
from sohoa.engines.tesseract import TesseractEngine
from sohoa.intelligence import BaselineFieldExtractor, RuleFieldExtractor, correct_page
from sohoa.intelligence.stamps import read_stamps
from sohoa.pipeline.layout import reading_order
from sohoa.pipeline.ocr import ocr_page
from sohoa.pipeline.preprocess import measure_quality, prepare_for_ocr
from sohoa.pipeline.reading_choice import LIGHT, read_page, score_reading, worth_second_reading
from sohoa.samples import CONDITIONS, generate_corpus

HEAVY = "heavy200"


def image_key(image: Any, dpi: int) -> str:
    array = np.ascontiguousarray(image)
    return hashlib.sha1(array.tobytes() + f"{array.shape}{dpi}".encode()).hexdigest()


@dataclass
class CachingEngine:
    """The engine with its readings kept by image: the new pipeline's first reading is the old one's."""

    engine: TesseractEngine
    cache: dict[str, OcrPage] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.engine.name

    def recognize(self, image: Any, dpi: int) -> OcrPage:
        key = image_key(image, dpi)
        if key not in self.cache:
            started = time.process_time()
            self.cache[key] = self.engine.recognize(image, dpi)
            self.seconds[key] = time.process_time() - started
        return self.cache[key]


def _heavy(path: Path, rng: np.random.Generator) -> Path:
    """A clean 200-dpi page scanned badly: blur, noise, 0.3–3° skew and JPEG quality 40 together."""
    rgb = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    pixels = cv2.GaussianBlur(rgb, (0, 0), rng.uniform(0.9, 1.4))
    noise = rng.standard_normal(pixels.shape[:2]).astype(np.float32) * rng.uniform(7.0, 11.0)
    pixels = (pixels.astype(np.int16) + noise.astype(np.int16)[..., None]).clip(0, 255).astype(np.uint8)
    angle = float(rng.uniform(0.3, 3.0) * (1 if rng.random() < 0.5 else -1))
    height, width = pixels.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    pixels = cv2.warpAffine(pixels, matrix, (width, height), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
    out = path.with_suffix(".jpg")
    cv2.imwrite(str(out), cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 40])
    return out


def _bag_errors(truth: str, text: str) -> tuple[int, int]:
    """Order-free word errors (words of either side without a partner in the other) and truth words."""
    ref, hyp = Counter(normal(truth).split()), Counter(normal(text).split())
    common = sum((ref & hyp).values())
    return max(sum(ref.values()), sum(hyp.values())) - common, sum(ref.values())


def _finish(page: OcrPage, quality: Any, rgb: np.ndarray, dpi: int, engine: Any) -> OcrPage:
    if "red_ink" in quality.warnings:
        page = read_stamps(rgb, dpi, page, engine)
    return correct_page(reading_order(page))


def _read_page(rgb: np.ndarray, dpi: int, engine: CachingEngine, bare: TesseractEngine) -> dict[str, Any]:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    quality = measure_quality(rgb, dpi)
    prepared = prepare_for_ocr(rgb, dpi, quality)
    first = ocr_page(prepared, engine)
    old = _finish(first, quality, rgb, dpi, engine)
    light_prepared = prepare_for_ocr(rgb, dpi, quality, options=LIGHT)
    light = ocr_page(light_prepared, engine)  # read on every page here, to see what the cheap test skips
    chosen, new_quality = read_page(rgb, dpi, quality, engine)
    new = _finish(chosen, new_quality, rgb, dpi, engine)
    seconds = engine.seconds
    light_key = image_key(light_prepared.ocr_image, light_prepared.ocr_dpi)
    first_key = image_key(prepared.ocr_image, prepared.ocr_dpi)
    return {
        "bare": bare.recognize(grey, dpi), "old": old, "new": new,
        "second": worth_second_reading(prepared, score_reading(first)),
        "light_kept": any(w.startswith("reading_light") for w in new_quality.warnings),
        "first_score": score_reading(first), "light_score": score_reading(light),
        "light_fixed": _finish(light, quality, rgb, dpi, engine),
        "first_seconds": seconds.get(first_key, 0.0), "light_seconds": seconds.get(light_key, 0.0),
    }


def run_condition(condition: str, seed: int, documents: int, work: Path, engine: TesseractEngine) -> dict[str, Any]:
    base = "clean200" if condition == HEAVY else condition
    corpus = generate_corpus(work / condition, documents=documents, seed=seed, condition=base,
                             multipage=True, separators=False)
    rng = np.random.default_rng([seed, 7])
    paths = [_heavy(p, rng) if condition == HEAVY else p for p in corpus.pages]
    caching, bare = CachingEngine(engine), replace(engine, variables=())
    reads = [_read_page(cv2.cvtColor(cv2.imread(str(p), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB), corpus.dpi,
                        caching, bare) for p in paths]
    systems = ("bare", "old", "new", "light_fixed")
    text = {s: TextScore() for s in systems}
    bag = {s: [0, 0] for s in systems}
    fields = {s: FieldScore() for s in systems}
    per_page = []
    for doc in corpus.documents:
        index = [n - 1 for n in doc.pages]
        for i, truth in zip(index, doc.page_texts, strict=True):
            row: dict[str, Any] = {"page": i + 1}
            for s in systems:
                text[s].add_raw(truth, reads[i][s].text)
                errors, words = _bag_errors(truth, reads[i][s].text)
                bag[s][0] += errors
                bag[s][1] += words
                row[s] = round(100 * errors / max(words, 1), 1)
            row.update(first=reads[i]["first_score"].per_word, light=reads[i]["light_score"].per_word,
                       first_score=reads[i]["first_score"].score, light_score=reads[i]["light_score"].score,
                       second=reads[i]["second"], light_kept=reads[i]["light_kept"])
            per_page.append(row)
        truth_fields = {n: doc.fields.get(n) for n in FIELD_NAMES}
        truth_fields["so_ky_hieu"] = doc.number_sign or None
        for s in systems:
            extractor = BaselineFieldExtractor() if s == "bare" else RuleFieldExtractor()
            fields[s].score(truth_fields, extractor.extract([reads[i][s] for i in index]))
    return {
        "pages": len(reads),
        "bag_wer_pct": {s: round(100 * e / max(w, 1), 2) for s, (e, w) in bag.items()},
        "cer_in_order_pct": {s: text[s].as_dict()["cer_in_order_pct"] for s in systems},
        "fields_pct": {s: _mean(fields[s]) for s in systems},
        "second_readings": sum(r["second"] for r in reads),
        "light_kept": sum(r["light_kept"] for r in reads),
        "ocr_seconds": round(sum(r["first_seconds"] for r in reads), 1),
        "extra_seconds": round(sum(r["light_seconds"] for r in reads if r["second"]), 1),
        "per_page": per_page,
    }


def _mean(score: FieldScore) -> float:
    total = sum(score.total.values())
    return round(100 * sum(score.hits.values()) / total, 1) if total else 0.0


def render(results: dict[str, Any]) -> str:
    lines = [
        "## Reading choice (`python bench/reading_choice.py`)", "",
        f"Issue #12 item 3. Generated pages (seed {results['seed']}, {results['documents']} documents per condition, "
        "`sohoa.samples`); `heavy200`: the clean 200-dpi pages with blur, noise, 0.3–3° skew and JPEG q40 together. "
        "Bare: Tesseract's defaults on the grey scan (baseline regexes for fields); old: the fixed preparation, "
        "post-correction and rules; new: the same with the per-page choice (`sohoa.pipeline.reading_choice`). "
        "Word error is order-free (bags of words); extra OCR is the CPU of the second readings against the "
        "first readings'.", "",
        f"    .venv/bin/python bench/reading_choice.py --seed {results['seed']} "
        f"--documents {results['documents']} --docs",
        "",
        "| condition | pages | word error % bare / old / new | CER in order % bare / old / new "
        "| fields % bare / old / new | second readings (light kept) | extra OCR CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results["conditions"].items():
        def three(d: dict[str, float]) -> str:
            return f"{d['bare']} / {d['old']} / {d['new']}"
        extra = 100 * r["extra_seconds"] / r["ocr_seconds"] if r["ocr_seconds"] else 0.0
        lines.append(f"| {name} | {r['pages']} | {three(r['bag_wer_pct'])} | {three(r['cer_in_order_pct'])} "
                     f"| {three(r['fields_pct'])} | {r['second_readings']} ({r['light_kept']}) | +{extra:.0f} % |")
    lines += ["", f"Machine: {results['machine'].get('cpu', '?')}; {results['seconds']} s in all."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--documents", type=int, default=4)
    parser.add_argument("--conditions", default=",".join((HEAVY, *CONDITIONS)))
    parser.add_argument("--docs", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "reading_choice.json")
    args = parser.parse_args()
    started = time.perf_counter()
    engine = TesseractEngine()
    results: dict[str, Any] = {"seed": args.seed, "documents": args.documents, "machine": machine(),
                               "conditions": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for condition in [c for c in args.conditions.split(",") if c]:
            results["conditions"][condition] = run_condition(condition, args.seed, args.documents, Path(tmp), engine)
            summary = {k: v for k, v in results["conditions"][condition].items() if k != "per_page"}
            print(condition, json.dumps(summary), flush=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.docs:
        update_docs("reading-choice", render(results))
    print(render(results))


if __name__ == "__main__":
    main()
