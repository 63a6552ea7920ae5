"""Handwritten fill-ins (issue #12 item 5): the number and the day written by hand into a printed form.

    .venv/bin/python bench/handwriting.py [--documents 60] [--seed 41] [--condition clean300] [--real DIR]

Generated one-page documents whose number ('Số: __/QĐ-UBND') and day ('ngày __ tháng') are written
in with the sample generator's pen (``generate_corpus(handwritten=True)``; seeds other than the
recognizer's training seeds), all pages in one PDF read by ``extract_file`` — what ``sohoa extract``
runs. Per field (code_number, issued_date): right (unflagged / flagged), empty and flagged, wrong and
flagged, and wrong without a flag (the target is none), plus the handwritten digits read right. With
``--real`` the same on the first page of each labelled PDF of a folder (development only: not tuned on).
Writes ``bench/results/handwriting.json`` (``--out`` names another file there).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

import img2pdf
import pikepdf

from _accuracy_metrics import outcome as field_outcome
from _common import machine, write_results
from sohoa.samples import generate_corpus
from sohoa.services.production.extract import extract_file
from sohoa.settings import Settings

FIELDS = ("code_number", "issued_date")


def _digits_right(field: str, truth: str, value: str | None) -> tuple[int, int]:
    """(handwritten digits read right, handwritten digits) of the number, or of the day of a date."""
    if field == "issued_date":
        truth, value = truth[8:], value[8:] if value else None
    return (len(truth) if value == truth else 0), len(truth)


def generated(documents: int, seed: int, condition: str, work: Path) -> dict[str, Counter[str]]:
    corpus = generate_corpus(work / "pages", documents=documents, seed=seed, condition=condition,
                             multipage=False, handwritten=True)
    pdf = work / "handwritten.pdf"
    pdf.write_bytes(img2pdf.convert([str(p) for p in corpus.pages]))
    result = extract_file(Settings(), pdf)
    by_page = {d.pages[0]: d for d in result.documents}
    counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    for doc in corpus.documents:
        got = by_page.get(doc.pages[0])
        for f in FIELDS:
            truth = doc.fields[f] or ""
            value = got.fields.get(f) if got else None
            outcome = field_outcome(f, truth, value, got is None or f in got.needs_review)
            counts[f][outcome] += 1
            if outcome.startswith("WRONG"):
                print(f"page {doc.pages[0]}\t{f}\ttruth={truth}\tread={value}\t{outcome}")
            right, total = _digits_right(f, truth, value)
            counts[f]["digits right"] += right
            counts[f]["digits"] += total
    return counts


def real(folder: Path, work: Path, rows: list[dict[str, str | None]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        first = work / Path(label["file"]).name
        with pikepdf.open(folder / label["file"]) as src:
            one = pikepdf.new()
            one.pages.append(src.pages[0])
            one.save(first)
        result = extract_file(Settings(), first)
        doc = result.documents[0] if result.documents else None
        number = (label.get("so_ky_hieu") or "").split("/")[0]
        truths = {"code_number": number, "issued_date": label.get("ngay_ban_hanh") or ""}
        for f in FIELDS:
            value = doc.fields.get(f) if doc else None
            outcome = field_outcome(f, truths[f], value, doc is None or f in doc.needs_review)
            counts[f][outcome] += 1
            rows.append({"file": label["file"], "field": f, "outcome": outcome})  # the labels stay out of the repo
            print(f"{label['file']}\t{f}\ttruth={truths[f]}\tread={value}\t{outcome}\t{label.get('notes', '')}")
    return counts


def _print(title: str, counts: dict[str, Counter[str]]) -> None:
    print(f"\n## {title}")
    for f, c in counts.items():
        n = sum(v for k, v in c.items() if not k.startswith("digits"))
        parts = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if not k.startswith("digits"))
        digits = f"; handwritten digits read right {c['digits right']}/{c['digits']}" if c["digits"] else ""
        print(f"{f}: {n} documents — {parts}{digits}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--condition", default="clean300")
    parser.add_argument("--real", type=Path)
    parser.add_argument("--out", default="handwriting", help="results file name under bench/results/")
    args = parser.parse_args()
    results: dict[str, object] = {"machine": machine(), "documents": args.documents, "seed": args.seed,
                                  "condition": args.condition}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = generated(args.documents, args.seed, args.condition, work)
        _print(f"generated, {args.condition}, seed {args.seed}", counts)
        results["generated"] = {f: dict(c) for f, c in counts.items()}
        if args.real:
            rows: list[dict[str, str | None]] = []
            counts = real(args.real, work, rows)
            _print(f"real: {args.real.name} (first pages)", counts)
            results["real"] = {"folder": args.real.name, "counts": {f: dict(c) for f, c in counts.items()},
                               "documents": rows}
    print(f"wrote {write_results(args.out, results)}")


if __name__ == "__main__":
    main()
