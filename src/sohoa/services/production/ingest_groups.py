"""The sequences of an ingest: masters whose pages are split into documents together, and how much of a
long sequence can be stored while its later pages are still in OCR."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import DocumentSplitter, PageRole
from sohoa.pipeline.documents import BuiltDocument
from sohoa.pipeline.types import TriageResult
from sohoa.pipeline.work import PageFailure, PageOutcome

__all__ = ["ONE_DOCUMENT", "Group", "OneDocumentSplitter", "closed_documents_end", "group_key"]

R = TypeVar("R")  # what the ingest reports of each master


@dataclass
class Group(Generic[R]):
    """Masters whose pages form one sequence to split into documents (a folder of page images,
    or one multi-page PDF/TIFF). It is stored when closed and every page has come back."""

    key: str
    members: list[tuple[int, R, int]] = field(default_factory=list)  # item id, report, pages
    results: list[PageOutcome | PageFailure] = field(default_factory=list)
    closed: bool = False
    checked_at: int = 0  # members complete at the last attempt to store a finished prefix
    whole_file: bool = False  # one master, one file job: its documents come built (or one failure comes)
    documents: list[BuiltDocument] | None = None

    def ready_prefix(self) -> list[tuple[int, R, int]]:
        """Members, from the first, whose pages have all come back (in sequence order)."""
        counts: dict[int, int] = {}
        for result in self.results:
            counts[result.item_id] = counts.get(result.item_id, 0) + 1
        prefix = []
        for member in self.members:
            if counts.get(member[0], 0) < member[2]:
                break
            prefix.append(member)
        return prefix

    def take(self, members: list[tuple[int, R, int]]) -> Group[R]:
        """Split off ``members`` (a prefix) with their results as a closed group of its own."""
        ids = {m[0] for m in members}
        taken = Group(self.key, list(members), [r for r in self.results if r.item_id in ids], closed=True)
        self.members = [m for m in self.members if m[0] not in ids]
        self.results = [r for r in self.results if r.item_id not in ids]
        self.checked_at = 0
        return taken

    @property
    def expected(self) -> int:
        return sum(n for _, _, n in self.members)

    @property
    def complete(self) -> bool:
        if self.whole_file and any(isinstance(r, PageFailure) for r in self.results):
            return self.closed
        return self.closed and len(self.results) == self.expected


ONE_DOCUMENT = "one-document"  # the key of a sequence the operator said is one document


class OneDocumentSplitter:
    """The splitter of files the operator grouped as one document: every page, in sequence order, is a
    page of that one document (blank pages too: the operator said so); only QR separator sheets, which
    are never part of a document, are left out."""

    def split(self, pages: Sequence[OcrPage], roles: Sequence[PageRole | None] = (), *,
              separator_pages: Collection[int] = ()) -> list[list[int]]:
        kept = [index for index in range(len(pages)) if index not in separator_pages]
        return [kept] if kept else []


def group_key(result: TriageResult, path: Path) -> str:
    return str(path.parent) if len(result.pages) == 1 and result.media_type != "application/pdf" else str(path)


def closed_documents_end(splitter: DocumentSplitter, group: Group[R],
                          prefix: list[tuple[int, R, int]]) -> int:
    """How many prefix members hold only documents that are closed (a later document has begun).

    0 when nothing can be stored yet: a failed page or a separator sheet so far,
    fewer than two documents, or a document start inside a multi-page master.
    """
    ids = {m[0] for m in prefix}
    results = [r for r in group.results if r.item_id in ids]
    if any(isinstance(r, PageFailure) or r.separator_code for r in results):
        return 0  # failures and separator sheets (which name the file of what follows) go the careful way
    order = {m[0]: n for n, m in enumerate(prefix)}
    outcomes = sorted((r for r in results if isinstance(r, PageOutcome)),
                      key=lambda r: (order[r.item_id], r.source_index))
    documents = splitter.split([o.ocr for o in outcomes], [o.role for o in outcomes],
                               separator_pages={i for i, o in enumerate(outcomes) if o.separator_code})
    if len(documents) < 2:
        return 0
    last_start = documents[-1][0]
    starts = [0]
    for _, _, pages in prefix:
        starts.append(starts[-1] + pages)
    return starts.index(last_start) if last_start in starts else 0
