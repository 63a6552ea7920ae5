"""Personal data on real documents (``../shared/data/real`` when present; never in the repository): how many
spans ``detect`` and the regex baseline find per kind per 100 documents, and how many of them are personal
data by the hand-made judgements in ``bench/personal_real_judgements.jsonl``.

The texts: the 136 published legal and administrative texts of ``tvpl_2025_legal_text`` (field ``text``), the
text ground truth of ``quangngai_ubnd_pdfs`` (``gt_text/*``) and of ``vietadmin_ocr_llm_rag`` (``data/*.txt``).
A judgement is keyed by document, kind and span text (``"*"`` matches any); one marked ``personal`` is also
gold: every occurrence of that text in that document is personal data that should be found, so recall is
counted over occurrences. Spans with no judgement are reported as unjudged, never guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sohoa.domain.personal import PersonalSpan

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "data" / "real"
JUDGEMENTS = HERE / "personal_real_judgements.jsonl"
BEFORE = HERE / "personal_real_before.json"


def real_texts(root: Path = REAL) -> list[tuple[str, str]]:
    """(document id, text) of the real texts, or [] when the shared data is absent."""
    docs: list[tuple[str, str]] = []
    legal = root / "tvpl_2025_legal_text" / "docs.jsonl"
    if legal.exists():
        for line in legal.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            docs.append((f"tvpl:{row['id']}", row["text"]))
    for path in sorted((root / "quangngai_ubnd_pdfs" / "gt_text").glob("*")):
        docs.append((f"quangngai:{path.name}", path.read_text(encoding="utf-8")))
    for path in sorted((root / "vietadmin_ocr_llm_rag" / "data").glob("*.txt")):
        docs.append((f"vietadmin:{path.name}", path.read_text(encoding="utf-8")))
    return docs


def _judgements() -> list[dict[str, Any]]:
    return [json.loads(line) for line in JUDGEMENTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _judge(judgements: list[dict[str, Any]], doc: str, kind: str, text: str) -> bool | None:
    for key in ((doc, kind, text), ("*", kind, text), (doc, kind, "*"), ("*", kind, "*")):
        for j in judgements:
            if (j["doc"], j["kind"], j["text"]) == key:
                return bool(j["personal"])
    return None


def score_real(systems: dict[str, Callable[[str], list[PersonalSpan]]]) -> dict[str, Any] | None:
    """Per system and kind: spans found, per 100 documents, judged personal / not / unjudged, and recall
    over the occurrences of judged personal data; None without the shared data."""
    docs = real_texts()
    if not docs:
        return None
    judgements = _judgements()
    texts = dict(docs)
    gold: Counter[str] = Counter()
    for j in judgements:
        if j["personal"] and j["doc"] in texts:
            gold[j["kind"]] += texts[j["doc"]].count(j["text"])
    out: dict[str, Any] = {"documents": len(docs), "gold": dict(gold), "systems": {}}
    for name, run in systems.items():
        found: Counter[str] = Counter()
        verdicts: dict[str, Counter[str]] = {}
        for doc, text in docs:
            for span in run(text):
                kind = span.kind.value
                found[kind] += 1
                verdict = _judge(judgements, doc, kind, span.text)
                label = "unjudged" if verdict is None else ("personal" if verdict else "not")
                verdicts.setdefault(kind, Counter())[label] += 1
        out["systems"][name] = {kind: _row(found[kind], verdicts[kind], gold[kind], len(docs))
                                for kind in sorted(found)}
    if BEFORE.exists():
        out["before"] = json.loads(BEFORE.read_text(encoding="utf-8"))
    return out


def _row(found: int, verdicts: Counter[str], gold: int, documents: int) -> dict[str, Any]:
    judged = verdicts["personal"] + verdicts["not"]
    return {"found": found, "per_100": round(100 * found / documents, 1), "personal": verdicts["personal"],
            "not": verdicts["not"], "unjudged": verdicts["unjudged"],
            "precision": round(verdicts["personal"] / judged, 3) if judged else None,
            "recall": round(min(verdicts["personal"], gold) / gold, 3) if gold else None}


def markdown_real(real: dict[str, Any] | None) -> list[str]:
    """The docs lines of the real-text section."""
    if real is None:
        return ["", "### Real documents", "", "Not run: `../shared/data/real` was absent."]
    lines = ["", f"### Real documents ({real['documents']} texts: published legal texts, a provincial "
             "committee's document, a photographed letter)", "",
             "Detections per kind on real texts that hold almost no citizens' personal data; every span found "
             "was judged by hand (`bench/personal_real_judgements.jsonl`: personal data or not, with a reason). "
             "Precision = judged personal / judged; recall over the occurrences of the personal data the "
             "judgements list (gold: " + ", ".join(f"{k} {v}" for k, v in sorted(real["gold"].items())) + ").",
             "", "| system | kind | found | per 100 docs | personal / not / unjudged | precision | recall |",
             "|---|---|---|---|---|---|---|"]
    rows = dict(real["systems"])
    if "before" in real:
        rows = {f"Sohoa before ({real['before']['commit']})": real["before"]["kinds"], **rows}
    for system, kinds in rows.items():
        for kind, r in kinds.items():
            precision = "–" if r["precision"] is None else f"{r['precision']:.3f}"
            recall = "–" if r["recall"] is None else f"{r['recall']:.3f}"
            lines.append(f"| {system} | {kind} | {r['found']} | {r['per_100']} | {r['personal']} / {r['not']} / "
                         f"{r['unjudged']} | {precision} | {recall} |")
    return lines
