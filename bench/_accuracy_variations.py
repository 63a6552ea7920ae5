"""Generated pages per layout/typography variation through the front door, pooled into the TUNING and
the HELD-OUT variations (``sohoa.samples.TUNING`` / ``HELD_OUT``) and reported next to each other.

The held-out variations are never used while developing extraction rules or review thresholds: their
figures say how the rules generalize to layouts they were not tuned on (issue #12, item 4).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _accuracy_front import FrontScores, score_generated
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.ocr import OcrPage
from sohoa.intelligence import BaselineFieldExtractor
from sohoa.samples import generate_corpus, group_of
from sohoa.settings import Settings

GROUPS = ("tuning", "held_out")


def _summary(scores: FrontScores) -> dict[str, Any]:
    result = scores.as_dict()
    del result["misses"]
    return result


def run_variations(names: Sequence[str], seed: int, documents: int, work: Path, settings: Settings,
                   bare_page: Callable[[Path, int], OcrPage]) -> dict[str, Any]:
    """Each variation's corpus (``documents`` documents, 1–3 pages, its own condition) through
    ``extract_file``; the baseline (``bare_page``: bare Tesseract on each scan, regexes) in the same run."""
    groups = {g: FrontScores() for g in GROUPS}
    per: dict[str, Any] = {}
    for name in names:
        started = time.perf_counter()
        group = group_of(name)
        corpus = generate_corpus(work / name, documents=documents, seed=seed, variation=name, multipage=True)
        own = FrontScores()
        split, _ = score_generated(corpus, work / name, settings, [own, groups[group]])
        pages = {n: bare_page(path, corpus.dpi) for n, path in enumerate(corpus.pages, start=1)}
        for doc in corpus.documents:
            truth = {n: doc.fields.get(n) for n in FIELD_NAMES}
            truth["so_ky_hieu"] = doc.number_sign or None
            found = BaselineFieldExtractor().extract([pages[n] for n in doc.pages])
            own.baseline.score(truth, found)
            groups[group].baseline.score(truth, found)
        per[name] = {"group": group, "condition": corpus.condition, "documents": len(corpus.documents),
                     "pages": len(corpus.pages), **_summary(own), "split": split,
                     "seconds": round(time.perf_counter() - started, 1)}
        print(name, group, per[name]["overall"]["sohoa"], flush=True)
    return {"seed": seed, "documents": documents, "per_variation": per,
            "groups": {g: {"variations": [n for n in names if group_of(n) == g], **_summary(s)}
                       for g, s in groups.items()}}
