"""Time staff searches with long and misspelled queries, with the query limits and with them lifted.

    .venv/bin/python scripts/bench_bounded_search.py /tmp/bench-data [--documents 3000] [--database-url URL]

Builds (once) an archive of documents of 300 lexicon words, then runs ``search`` as the staff page does.
Numbers are in docs/security.md (§4).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import sohoa.index.query as query_module
import sohoa.index.suggest as suggest_module
from sohoa.db.models import Document, FileUnit, Unit
from sohoa.index import make_index
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.settings import Settings

LEXICON = Path(__file__).resolve().parents[1] / "src" / "sohoa" / "lexicon" / "unigrams.tsv"
ADMIN = Principal(user_id=1, username="admin", role="admin")


def build(ctx: AppContext, words: list[str], documents: int) -> None:
    rng, index = random.Random(7), make_index(ctx.db.engine)
    with ctx.db.session() as session:
        if session.query(Document).count():
            return
        unit = Unit(identifier="B.1", name="Phường B", name_folded="phuong b", unit_type="phường")
        session.add(unit)
        session.flush()
        file = FileUnit(file_code="B.1", title="Hồ sơ", unit_id=unit.id, access_level="internal", bloc="government")
        session.add(file)
        session.flush()
        for _ in range(documents):
            doc = Document(file_id=file.id, unit_id=unit.id, text=" ".join(rng.choices(words, k=300)),
                           source_name="b.pdf", type_name="Quyết định", access_level="internal", page_amount=1,
                           state="published")
            session.add(doc)
            session.flush()
            index.upsert(session, document_index_doc(doc))


def timed(ctx: AppContext, text: str) -> str:
    runs, outcome = [], ""
    for _ in range(3):
        start = time.perf_counter()
        try:
            outcome = f"{search(ctx, ADMIN, SearchRequest(query=text)).total} found"
        except Exception as exc:  # the refusals are what is measured
            outcome = type(exc).__name__
        runs.append(time.perf_counter() - start)
    return f"{statistics.median(runs) * 1000:9.1f} ms  {outcome}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    words = [line.split("\t")[0] for line in LEXICON.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(5)
    misspelled = [w[:-1] + "q" for w in words if len(w) > 3]
    for lifted in (False, True):
        settings = Settings(data=args.data, workers=1, database_url=args.database_url,
                            max_query_chars=10_000 if lifted else 500)
        ctx = open_context(settings)
        build(ctx, words, args.documents)
        if lifted:  # what the code did before the limits
            query_module.MAX_QUERY_WORDS = suggest_module.MAX_PROBED_WORDS = suggest_module.MAX_PROBED_CHARS = 10**6
        for count in (8, 32, 100, 2250):
            text = " ".join(rng.choice(misspelled) for _ in range(count))[:10_000]
            label = "lifted " if lifted else "limited"
            print(f"{label} {count:>5} words {len(text):>6} chars: {timed(ctx, text)}", flush=True)
        ctx.close()


if __name__ == "__main__":
    main()
