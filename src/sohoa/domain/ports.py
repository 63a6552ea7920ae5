"""The ports of Sohoa: what the services and stages need from the outside world, as protocols.

The object store, the search index, the OCR engine (and the factory that builds one per worker), the
field extractor and the document splitter. Implementations live in ``sohoa.storage``, ``sohoa.index``,
``sohoa.engines`` and ``sohoa.intelligence``; the application context holds one of each.

The object store speaks in digests, streams and byte ranges, never in file paths: an S3-compatible
store (ranged GETs, multipart puts) fits behind the same protocol without touching a caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypeAlias

from sohoa.domain.errors import NotFound, SohoaError
from sohoa.domain.fields import DocumentFields
from sohoa.domain.ocr import OcrPage
from sohoa.domain.search import IndexDoc, SearchFilters, SearchResult

if TYPE_CHECKING:  # the protocols name these types; the domain itself never loads them
    import numpy as np
    from numpy.typing import NDArray
    from PIL import Image
    from sqlalchemy.orm import Session

__all__ = [
    "CHUNK",
    "DigestMismatch",
    "DocumentSplitter",
    "FieldExtractor",
    "ObjectMissing",
    "ObjectStore",
    "OcrEngine",
    "OcrEngineFactory",
    "OcrImage",
    "PageRole",
    "PutResult",
    "SearchIndex",
    "check_digest",
    "sha256_file",
    "sha256_stream",
]

CHUNK = 1024 * 1024  # streamed reads and writes of objects go by this many bytes
_DIGEST = re.compile(r"[0-9a-f]{64}")

# What an OCR engine accepts: a grey (H×W) or RGB (H×W×3) uint8 array, or a PIL image.
OcrImage: TypeAlias = "NDArray[np.uint8] | Image.Image"


# ---------------------------------------------------------------- object store

class ObjectMissing(NotFound):
    """The store holds no object of this digest."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"Kho lưu trữ không có đối tượng {sha256}", f"The object store has no object {sha256}")


class DigestMismatch(SohoaError):
    """Bytes put into the store did not hash to the digest the caller announced."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"Mã băm không khớp: cần {expected}, nhận được {actual}",
                         f"Digest mismatch: expected {expected}, got {actual}")
        self.expected, self.actual = expected, actual


def check_digest(sha256: str) -> str:
    """``sha256`` when it is a lower-case hex SHA-256 digest (an object's name), else SohoaError."""
    if not _DIGEST.fullmatch(sha256):
        raise SohoaError("Mã băm không hợp lệ", f"Invalid digest: {sha256!r}")
    return sha256


def sha256_stream(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 and length of what is left in a binary stream, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    with path.open("rb") as handle:
        return sha256_stream(handle)[0]


@dataclass(frozen=True)
class PutResult:
    """An object's digest and size, and whether this call created it."""

    sha256: str
    size: int
    created: bool


class ObjectStore(Protocol):
    """Immutable blobs addressed by SHA-256: write-once, read whole, as a stream or by byte range.

    Every ``put_*`` takes the digest the caller expects, when it knows one: the store checks the bytes
    against it and raises :class:`DigestMismatch` (storing nothing) when they differ. Reads of an absent
    object raise :class:`ObjectMissing`.
    """

    def put_bytes(self, data: bytes, *, expected_sha256: str | None = None) -> PutResult:
        """Store bytes unless an identical object exists."""
        ...

    def put_stream(self, stream: BinaryIO, *, expected_sha256: str | None = None) -> PutResult:
        """Store what is left in a stream (read in chunks, hashed as it is written)."""
        ...

    def put_file(self, path: Path, *, expected_sha256: str | None = None) -> PutResult:
        """Store a copy of a file of the caller (the file itself is never kept or moved)."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int:
        """The object's length in bytes."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream over the object, read from its start (close it, or use ``with``)."""
        ...

    def read(self, sha256: str) -> bytes:
        """The whole object."""
        ...

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        """Bytes ``start`` up to, not including, ``end`` (clipped to the object's length)."""
        ...

    def verify(self, sha256: str) -> bool:
        """Fixity: the object exists and its bytes still hash to its name."""
        ...

    def iter_digests(self) -> Iterator[str]:
        """The digest of every stored object (fixity sweeps)."""
        ...

    def open_stored(self, sha256: str) -> BinaryIO:
        """The bytes exactly as kept (an envelope's ciphertext for an encrypted object, else what ``open``
        gives): what replicas, OCFL and backups copy."""
        ...

    def is_encrypted(self, sha256: str) -> bool:
        """Whether the object is kept as an encryption envelope."""
        ...

    def restore_stored(self, sha256: str, stream: BinaryIO) -> PutResult:
        """Put back a missing or damaged object from stored bytes taken from a good copy (replica, backup).

        The bytes must really be that object (checked before an atomic replace); an intact object is never
        replaced (:class:`SohoaError`)."""
        ...


# ---------------------------------------------------------------- search index

class SearchIndex(Protocol):
    """Index documents and answer Vietnamese queries (tone-insensitive, exact tones first)."""

    def upsert(self, session: Session, doc: IndexDoc) -> None: ...
    def delete(self, session: Session, document_id: int) -> None: ...
    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0, sort: str = "relevance", facets: bool = False) -> SearchResult:
        """One page of hits; ``facets``: the caller will want facet counts (an index may count them with the
        matches it reads and return them in ``SearchResult.facet_counts``)."""
        ...
    def base_sql(self, query: str, filters: SearchFilters | None, params: dict[str, object]) -> str | None:
        """``FROM … WHERE …`` over matching documents (alias ``d``), or None for an empty query."""
        ...


# ---------------------------------------------------------------- reading pages and documents

class OcrEngine(Protocol):
    """Anything that turns a page image into words with boxes in that image's pixels."""

    @property
    def name(self) -> str: ...

    def recognize(self, image: OcrImage, dpi: int) -> OcrPage: ...


class OcrEngineFactory(Protocol):
    """Builds one OCR engine; called once in each worker process (so it must be picklable)."""

    def __call__(self) -> OcrEngine: ...


class FieldExtractor(Protocol):
    """Anything that turns a document's OCR pages into fields."""

    @property
    def name(self) -> str: ...

    def extract(self, pages: Sequence[OcrPage]) -> DocumentFields: ...


@dataclass(frozen=True)
class PageRole:
    """What one page looks like: blank, a document's first page, or a continuation/appendix."""

    blank: bool
    first_page_score: int
    page_number_on_top: bool
    appendix: bool

    @property
    def starts_document(self) -> bool:
        continuation = self.appendix or self.page_number_on_top
        return not self.blank and not continuation and self.first_page_score >= 2


class DocumentSplitter(Protocol):
    """Anything that groups a file's pages (0-based indexes) into documents.

    ``roles`` may hold each page's role computed earlier (the page workers do it); ``separator_pages``
    (QR separator sheets) always cut and belong to no document.
    """

    def split(self, pages: Sequence[OcrPage], roles: Sequence[PageRole | None] = (), *,
              separator_pages: Collection[int] = ()) -> list[list[int]]: ...
