"""Ingest read-ahead: the next masters are hashed, copied into the batch's work folder and triaged on
reader threads while earlier files are stored (nothing here writes the catalogue)."""

from __future__ import annotations

import collections
import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import IngestItem
from sohoa.domain.errors import InputRejected
from sohoa.domain.ports import CHUNK
from sohoa.domain.workflow import IngestItemState
from sohoa.pipeline.triage import triage
from sohoa.pipeline.types import TriageResult
from sohoa.services.platform.context import AppContext
from sohoa.storage import objects as stored_objects
from sohoa.storage.private import open_private

__all__ = ["Prepared", "Readahead", "prepare", "triage_copy", "work_copy"]


def _finished(session: Session, sha256: str) -> bool:
    state = session.execute(select(IngestItem.state).where(IngestItem.sha256 == sha256)).scalar_one_or_none()
    return state in (IngestItemState.DONE, IngestItemState.QUARANTINED)


@dataclass
class Prepared:
    """What a reader thread did for a master ahead of its turn: its digest and, unless the catalogue
    already holds it finished, its private work copy (with the copy's digest) and triage."""

    sha: str
    copy: Path | None = None
    copied: str | None = None
    result: TriageResult | None = None
    rejected: InputRejected | None = None


def triage_copy(ctx: AppContext, copy: Path, sha: str) -> TriageResult:
    return triage(copy, max_pixels=ctx.settings.max_image_pixels,
                  min_text_chars=ctx.settings.min_text_chars_per_page,
                  render_dpi=ctx.settings.pdf_render_dpi, sha256=sha)


def prepare(ctx: AppContext, path: Path, work: Path) -> Prepared | None:
    """Hash, copy and triage a master (no write to the catalogue: claims and rows stay in order)."""
    if not path.is_file():
        return None
    sha = stored_objects.sha256_file(path)
    with ctx.db.session() as session:
        if _finished(session, sha):
            return Prepared(sha)  # a duplicate: nothing to copy
    copy, copied = work_copy(path, work)
    if copied != sha:
        return Prepared(sha, copy, copied)
    try:
        return Prepared(sha, copy, copied, triage_copy(ctx, copy, sha))
    except InputRejected as exc:
        return Prepared(sha, copy, copied, rejected=exc)


class Readahead:
    """Masters prepared on reader threads a few files ahead, so that copying and triage (pdftotext,
    pikepdf) overlap the storing of earlier files; yields each path with its preparation, in order."""

    def __init__(self, ctx: AppContext, paths: Iterable[Path], work: Path, ahead: int = 2) -> None:
        self.ctx, self.paths, self.work, self.ahead = ctx, paths, work, ahead
        self.threads = ThreadPoolExecutor(max_workers=max(1, ahead), thread_name_prefix="sohoa-readahead")

    def __iter__(self) -> Iterator[tuple[Path, Future[Prepared | None]]]:
        pending: collections.deque[tuple[Path, Future[Prepared | None]]] = collections.deque()
        for path in self.paths:
            pending.append((path, self.threads.submit(prepare, self.ctx, path, self.work)))
            if len(pending) > self.ahead:
                yield pending.popleft()
        while pending:
            yield pending.popleft()

    def __enter__(self) -> Readahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.threads.shutdown(wait=True, cancel_futures=True)  # nothing writes the work folder after this


def work_copy(path: Path, work: Path) -> tuple[Path, str]:
    """A private copy of the caller's file in the batch's work folder, and the SHA-256 of what was copied:
    the pages are read from this copy, which nobody else writes, and never from the caller's file."""
    copy = Path(tempfile.mkstemp(dir=work, prefix="master-")[1])
    digest = hashlib.sha256()
    with path.open("rb") as src, open_private(copy) as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return copy, digest.hexdigest()
