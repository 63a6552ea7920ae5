"""The search values every layer shares: what the index keeps of a document, filters, hits and results."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

__all__ = ["MAX_QUERY_CHARS", "IndexDoc", "SearchFilters", "SearchHit", "SearchResult"]

MAX_QUERY_CHARS = 10_000  # the largest SOHOA_MAX_QUERY_CHARS may be: the transport ceiling of every front door


@dataclass(frozen=True)
class IndexDoc:
    """What the index keeps of one document: the searchable text and the sign(s)."""

    document_id: int
    text: str          # fields and OCR text, any case
    codes: str = ""    # số/ký hiệu, e.g. "155/KH-UBND"


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions applied with the match (unit ids already expanded with predecessors/successors)."""

    unit_ids: Collection[int] | None = None
    year: int | None = None
    type_name: str | None = None
    document_ids: Collection[int] | None = None
    access_levels: Collection[str] | None = None   # visible access levels (the principal's scope)
    scope_unit_ids: Collection[int] | None = None  # non-public documents only from these units
    grant_file_ids: Collection[int] | None = None  # files granted to the principal (beyond its scope)
    exclude_secret: bool = False                   # the shared network never sees độ mật documents
    published_states: Collection[str] | None = None  # public documents outside scope_unit_ids: only these states
    date_from: date | None = None                  # issued_date >= date_from
    date_to: date | None = None                    # issued_date <= date_to
    access_level: str | None = None                # one access level (a facet choice)
    bloc: str | None = None                        # file's bloc, else the unit's
    retention: str | None = None                   # "permanent" or a number of years, e.g. "10"
    signed: bool | None = None                     # True: the master PDF carries a digital signature; False: not


@dataclass(frozen=True)
class SearchHit:
    """One match: ``exact`` is true when the tones match as typed."""

    document_id: int
    score: float
    exact: bool


@dataclass(frozen=True)
class SearchResult:
    """One page of hits and the number of matches (``total_exact`` False: a lower bound)."""

    total: int
    hits: list[SearchHit] = field(default_factory=list)
    total_exact: bool = True  # False: ``total`` is a lower bound (the index bounded its work)
    partial: bool = False     # True: no document holds every word; these hold some of them, best first
    # Facet values (name → (value, count), most frequent first) when the index counted them with the matches it
    # read (a search asked for facets); None: :func:`sohoa.index.facets.facet_counts` computes them.
    facet_counts: dict[str, list[tuple[str, int]]] | None = None
    facet_labels: dict[str, str] | None = None  # with ``facet_counts``: unit id → the unit's name, read with them
