"""Choose the review thresholds (``sohoa.intelligence.review.REVIEW_BELOW``) on held-apart generated pages.

Generates corpora of calibration seeds (never the seed the accuracy benchmark reports, never the real
items), reads each as one scanned PDF through ``extract_file`` (what ``sohoa extract`` runs), collects per
field the (confidence, right) of every value the rules return unflagged, and picks per field the lowest
threshold that leaves at most ``--target`` of its values wrong and unflagged
(:func:`sohoa.intelligence.review.choose_threshold`). Prints the table to put in ``review.py`` and writes
``bench/results/accuracy-calibration.json``.

    .venv/bin/python bench/calibrate_review.py --seeds 9001,9002 --documents 6 --conditions clean300,noise_blur
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _accuracy_front import run_generated_front
from _common import machine, write_results
from sohoa.domain.fields import FIELD_NAMES
from sohoa.intelligence.review import CALIBRATION_TARGET, REVIEW_BELOW, choose_threshold
from sohoa.samples import CONDITIONS, HELD_OUT_CONDITIONS, generate_corpus
from sohoa.settings import Settings


def calibrate(samples: dict[str, list[tuple[float, bool]]], totals: dict[str, int],
              target: float) -> dict[str, dict[str, Any]]:
    """Per field: the chosen threshold, the values, the wrong ones the rules left unflagged, and the share
    of values the threshold flags on the calibration pages."""
    out: dict[str, dict[str, Any]] = {}
    for name in FIELD_NAMES:
        pairs = samples.get(name, [])
        total = totals.get(name, 0)
        threshold = choose_threshold(pairs, total=total, target=target) if total else 0.0
        out[name] = {"threshold": threshold, "values": total, "returned_unflagged": len(pairs),
                     "wrong_unflagged_by_rules": sum(1 for _, right in pairs if not right),
                     "flagged_by_threshold": sum(1 for c, _ in pairs if c < threshold),
                     "wrong_left": sum(1 for c, right in pairs if not right and c >= threshold)}
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seeds", default="9001,9002")
    parser.add_argument("--documents", type=int, default=6)
    parser.add_argument("--conditions", default=",".join(c for c in CONDITIONS if c not in HELD_OUT_CONDITIONS))
    parser.add_argument("--target", type=float, default=CALIBRATION_TARGET)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    held = [c for c in args.conditions.split(",") if c in HELD_OUT_CONDITIONS]
    if held:  # calibrating on them would make the held-out figures of bench/accuracy.py meaningless
        raise SystemExit(f"held-out conditions cannot be used for calibration: {', '.join(held)}")
    settings = Settings() if args.workers is None else Settings(workers=args.workers)
    samples: dict[str, list[tuple[float, bool]]] = {}
    totals: dict[str, int] = {}
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sohoa-calibrate-") as tmp:
        for seed in [int(s) for s in args.seeds.split(",") if s]:
            for condition in [c for c in args.conditions.split(",") if c]:
                work = Path(tmp) / f"{seed}-{condition}"
                corpus = generate_corpus(work, documents=args.documents, seed=seed, condition=condition,
                                         multipage=True, separators=True)
                front = run_generated_front(corpus, work, settings)
                for name, pairs in front.pop("samples").items():
                    samples.setdefault(name, []).extend(pairs)
                for name, review in front["review"]["sohoa_rule_flags_only"].items():
                    totals[name] = totals.get(name, 0) + int(review["values"])
                runs[f"{seed}/{condition}"] = {"overall": front["overall"], "seconds": front["seconds"]}
                print(seed, condition, json.dumps(front["overall"]), flush=True)
    chosen = calibrate(samples, totals, args.target)
    results = {"machine": machine(), "seeds": args.seeds, "documents": args.documents,
               "conditions": args.conditions, "target": args.target, "fields": chosen, "runs": runs,
               "current": dict(REVIEW_BELOW)}
    path = write_results("accuracy-calibration", results)
    print("REVIEW_BELOW: Mapping[str, float] = {")
    for name, c in chosen.items():
        print(f'    "{name}": {c["threshold"]},  # {c["values"]} values, {c["wrong_unflagged_by_rules"]} wrong '
              f'unflagged by the rules, {c["flagged_by_threshold"]} flagged here')
    print(f"}}\nwritten {path}")


if __name__ == "__main__":
    main()
