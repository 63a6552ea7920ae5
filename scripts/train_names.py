"""Train the personal-name recognizer and write src/sohoa/intelligence/personal/names_model.json.gz.

    .venv/bin/python scripts/train_names.py [--seed 16] [--passages 1500] [--documents 250] [--epochs 6]

Training data is made here, nothing is downloaded: the 'train' part of the labelled set
(``sohoa.samples.personal.labelled_set``: tuning phrasings, tuning name pool) and the text of generated
documents with personal data, whose signers, officials, streets and places are the negatives. The
'tuning' and 'held_out' parts are scored after training (they are never trained on). Deterministic for a
seed: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sohoa.domain.personal import PersonalKind
from sohoa.intelligence.personal.names import MODEL_FILE, NameTagger, detect_names, train_tagger
from sohoa.samples.personal import labelled_set, official_documents, personal_documents

DEFAULTS = {"seed": 16, "passages": 1500, "documents": 250, "epochs": 6}
OUT = Path(__file__).resolve().parents[1] / "src" / "sohoa" / "intelligence" / "personal" / MODEL_FILE


def examples(seed: int, passages: int, documents: int) -> list[tuple[str, list[tuple[int, int]]]]:
    texts = (labelled_set("train", passages, seed) + personal_documents(documents, seed)
             + official_documents(documents, seed))
    return [(t.text, [(s.start, s.end) for s in t.spans if s.kind is PersonalKind.NAME]) for t in texts]


def build(seed: int, passages: int, documents: int, epochs: int) -> NameTagger:
    """The tagger the shipped file holds, for these arguments."""
    return train_tagger(examples(seed, passages, documents), epochs, seed)


def score(part: str, tagger: NameTagger, seed: int, count: int = 600) -> str:
    gold = found = right = 0
    for text in labelled_set(part, count, seed):
        truth = {(s.start, s.end) for s in text.spans if s.kind is PersonalKind.NAME}
        guess = {(s.start, s.end) for s in detect_names(text.text, tagger)}
        gold, found, right = gold + len(truth), found + len(guess), right + len(truth & guess)
    return f"{part}: precision {right / max(found, 1):.3f} recall {right / max(gold, 1):.3f} ({gold} names)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, value in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    args = parser.parse_args()
    tagger = build(args.seed, args.passages, args.documents, args.epochs)
    tagger.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(tagger.weights)} features)")
    for part in ("tuning", "held_out"):
        print(score(part, tagger, args.seed))


if __name__ == "__main__":
    main()
