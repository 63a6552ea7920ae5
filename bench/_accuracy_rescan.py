"""The labelled real items printed and scanned again under other conditions, through the front door.

The real items are few and are the development subset of their sources; their own words and numbers
must not be tuned to. What can still be measured on them is how much the fields depend on the exact
pixels: every page is rendered as it looks (scan and visible stamps alike), put through one of the
generator's scan conditions (``sohoa.samples`` — skew, photocopy, fax, JPEG, noise and blur) or brought
down to 200 dpi, and written as a scanned PDF (the text layer is gone, as on a paper copy scanned
again). ``extract_file`` reads that PDF as ``sohoa extract`` would; the fields are scored against the
same labels, with bare Tesseract's first page as the baseline. ``rescan`` (the page as it looks, no
condition) separates the loss of the text layer from the condition's.

The conditions are split as the layout variations are: the *tuning* ones may be looked at while
developing; the *held-out* ones must not be (their per-item results are not to be read for rules).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from _accuracy_front import RealScores, images_pdf, labelled_items, score_real
from sohoa.domain.ocr import OcrPage
from sohoa.engines import poppler
from sohoa.pipeline.triage import load_image_frame, triage
from sohoa.samples._conditions import degrade
from sohoa.settings import Settings

TUNING = ("rescan", "skew", "photocopy", "200dpi")
HELD_OUT = ("jpeg", "fax", "noise_blur")
RESCANS = (*TUNING, *HELD_OUT)
_LOW = {"200dpi": 200, "fax": 200}  # scanned at 200 dpi (a fax: 200 × 100, as the generator's); the rest at 300
_A4 = (8.27, 11.69)  # inches: the paper a photo or scan without a resolution is taken to be printed on


def _printed_size(image: Image.Image, dpi: int | None) -> tuple[float, float]:
    """The paper size, in inches, of an image file's page: from its resolution when it states a plausible one,
    else the image fitted to A4 (a photo of a letter: 576 × 960 pixels fill the page)."""
    if dpi is not None and dpi >= 100:
        return image.width / dpi, image.height / dpi
    scale = max(image.width / _A4[0], image.height / _A4[1])
    return image.width / scale, image.height / scale


def _pages(path: Path, dpi: int) -> list[Image.Image]:
    """Every page of ``path`` printed at its paper size and scanned at ``dpi``: a PDF page rendered (its scan
    and visible stamps alike), an image resized to its paper size."""
    found = triage(path, max_pixels=400_000_000)
    out = []
    for page in found.pages:
        if page.kind == "pdf":
            out.append(poppler.render_page(path, page.page_index, dpi).convert("RGB"))
            continue
        image, _ = load_image_frame(str(path), page.page_index, page.dpi)
        with Image.open(path) as raw:
            stated = raw.info.get("dpi")
        width, height = _printed_size(image, round(float(stated[0])) if stated else None)
        out.append(image.convert("RGB").resize((round(width * dpi), round(height * dpi)), Image.LANCZOS))
    return out


def rescanned(path: Path, condition: str, seed: int, out: Path) -> Path:
    """``path`` printed and scanned again under ``condition`` (one of :data:`RESCANS`), as one PDF of images
    (pixels embedded as they are) at ``out``."""
    rng = np.random.default_rng(seed)
    dpi = _LOW.get(condition, 300)
    pages = _pages(path, dpi)
    if condition not in ("rescan", "200dpi", "jpeg"):
        pages = [degrade(image, condition, rng)[0] for image in pages]
    return images_pdf(pages, dpi, out, jpeg=40 if condition == "jpeg" else None)


def run_rescans(root: Path, settings: Settings, conditions: Sequence[str], seed: int,
                bare_first_page: Callable[[Path], OcrPage], only: Collection[str] = ()) -> dict[str, Any]:
    """Every labelled real item rescanned under each condition and read through ``extract_file``; per
    condition the scores (as for the real items) and, pooled, the tuning and the held-out conditions."""
    items = labelled_items(root, only)
    groups = {"tuning": RealScores(), "held_out": RealScores()}
    per: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sohoa-rescan-") as tmp:
        for condition in conditions:
            started = time.perf_counter()
            group = "tuning" if condition in TUNING else "held_out"
            scores, records = RealScores(), []
            for number, (name, path, label) in enumerate(items):
                pdf = rescanned(path, condition, seed + number, Path(tmp) / f"{condition}-{number}.pdf")
                baseline = bare_first_page(pdf)
                record = score_real(pdf, label, settings, [scores, groups[group]], baseline)
                records.append({"file": name, "outcome": record["outcome"], "found": record["found"],
                                "error": record["error"]})
                pdf.unlink()
            result = scores.as_dict()
            per[condition] = {"group": group, "items": len(items), "fields": result["fields"],
                              "overall": result["overall"], "review": result["review"],
                              "printed": result["printed"], "per_item": records,
                              "seconds": round(time.perf_counter() - started, 1)}
            print("rescan", condition, json.dumps(result["overall"]["sohoa"]), flush=True)
    pooled = {g: {k: v for k, v in s.as_dict().items() if k in ("fields", "overall", "review", "printed")}
              for g, s in groups.items()}
    return {"seed": seed, "conditions": per, "groups": pooled,
            "split": {"tuning": [c for c in conditions if c in TUNING],
                      "held_out": [c for c in conditions if c in HELD_OUT]}}


_FIELDS = ("type_name", "organ_name", "issued_date", "so_ky_hieu", "subject")


def _row(name: str, group: str, run: dict[str, Any]) -> str:
    """One table row: right % baseline / Sohoa, flagged, unflagged wrong, where-printed headline fields,
    number + sign and subject."""
    overall, printed, fields = run["overall"], run["printed"]["fields"], run["fields"]["sohoa"]
    heads = " | ".join(str(printed.get(n, fields.get(n, "–"))) if n in printed else str(fields.get(n, "–"))
                       for n in _FIELDS)
    return (f"| {name} | {group} | {overall['baseline']['right_pct']} / **{overall['sohoa']['right_pct']}** "
            f"| {overall['sohoa']['flagged_pct']} | {overall['sohoa']['unflagged_wrong_pct']} | {heads} |")


def rescans_markdown(results: dict[str, Any], when: str = "") -> str:
    """The rescanned real items: the pooled tuning and held-out conditions, then each condition, beside
    the items as they are (``results['real']``, same run) when present."""
    rescans = results["rescans"]
    head = ("| condition | set | fields right %: baseline / **Sohoa** | flagged % | unflagged wrong % "
            "| type_name* | organ_name* | issued_date* | so_ky_hieu | subject |")
    lines = ["### Real items printed and scanned again (conditions tuned on, and held out)", "",
             f"Seed {rescans['seed']}{f', {when}' if when else ''}. Every labelled real item's pages printed at their "
             "paper size (a PDF page as it looks, scan and visible stamps; an image at its stated resolution or "
             "fitted to A4), scanned again at 300 dpi (200 for `200dpi` and `fax`), put through the condition "
             "and written as a scanned PDF (text layer gone), then read by `extract_file` and scored on the "
             "same labels; bare Tesseract on page 1 in the same run. "
             "\\* where printed (`_accuracy_front.not_printed`). Held-out conditions are never looked at "
             "item by item while developing.", "", head, "|---|---|---|---|---|---|---|---|---|---|"]
    if "real" in results:
        lines.append(_row("as published (text layers and all)", "–", results["real"]))
    for group in ("tuning", "held_out"):
        if rescans["split"][group]:
            label = "**tuning, pooled**" if group == "tuning" else "**held out, pooled**"
            lines.append(_row(label, group.replace("_", " "), rescans["groups"][group]))
    for name, run in rescans["conditions"].items():
        lines.append(_row(name, run["group"].replace("_", " "), run))
    return "\n".join(lines)
