"""Search under the access policy: filters, facets, sorting, highlights and "did you mean", audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, PersonalDatum, Unit
from sohoa.domain.audit_text import bounded_text
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.personal import PersonalKind
from sohoa.domain.ports import SearchIndex
from sohoa.domain.search import SearchFilters, SearchResult
from sohoa.index.columns import SORTS
from sohoa.index.facets import FACET_NAMES, FacetValue, facet_counts
from sohoa.index.large import BOUND
from sohoa.index.query import ParsedQuery, check_query_length, parse_query
from sohoa.index.snippets import make_snippets
from sohoa.index.suggest import RARE, suggest_query
from sohoa.services.catalogue.fields import document_fields
from sohoa.services.catalogue.personal_masking import Masking, holding_personal_data, masking_of_rows, maskings_for
from sohoa.services.catalogue.personal_policy import sees_personal_data
from sohoa.services.identity.policy import DocumentScope, document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.metrics import observe_search
from sohoa.services.registry.units import related_unit_ids

__all__ = ["MAX_OFFSET", "SearchHit", "SearchPage", "SearchRequest", "actor_name", "check_request", "search",
           "search_filters"]

MAX_LIMIT = 200
MAX_OFFSET = 10_000  # deeper pages cost a walk over every earlier match; refine the query instead
Facets = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class SearchRequest:
    """A query and the user's filters; ``unit`` is a unit identifier (or ``unit_id`` the unit's id, as a picker
    names it), widened to its lineage."""

    query: str
    unit: str | None = None
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    type_name: str | None = None
    access_level: str | None = None
    bloc: str | None = None
    retention: str | None = None
    unit_id: int | None = None
    signed: bool | None = None  # digitally signed master PDF (True) or not (False)
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = False

    def params(self) -> dict[str, Any]:
        """JSON-ready filters (saved searches, exports, audit)."""
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(self).items()}
        kept = {k: v for k, v in data.items() if v not in (None, "", False) or (k == "signed" and v is False)}
        return {k: v for k, v in kept.items() if k not in {"limit", "offset"}}


@dataclass(frozen=True)
class SearchHit:
    """One found document: its fields, where it sits, its rank and the snippets around the matches."""

    document_id: int
    source: str
    fields: dict[str, str | None]
    unit_id: int | None
    file_id: int | None
    access_level: str
    pages: int
    score: float
    exact: bool  # the tones match as typed (ranked first)
    snippet: str
    snippet_html: str


@dataclass(frozen=True)
class SearchPage:
    """One page of results with the total, facets and a suggested query."""

    total: int
    results: list[SearchHit]
    facets: Facets = field(default_factory=dict)
    suggestion: str | None = None
    total_exact: bool = True  # False: more than ``total`` documents match (counting was bounded)
    partial: bool = False     # True: no document holds every word; these hold some of them, best first


def actor_name(principal: Principal | None) -> str:
    return principal.username if principal else "anonymous"


def _unit_ids(session: Session, identifier: str | None, unit_id: int | None = None) -> set[int] | None:
    if unit_id is not None:
        return related_unit_ids(session, unit_id)
    if not identifier:
        return None
    found = session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Không tìm thấy đơn vị '{identifier}'", f"Unknown unit '{identifier}'")
    return related_unit_ids(session, int(found))


def search_filters(session: Session, scope: DocumentScope, request: SearchRequest) -> SearchFilters:
    """The request's filters inside the principal's scope."""
    if request.sort not in SORTS:
        raise ValidationFailed(f"Cách sắp xếp không hợp lệ: {request.sort}", f"Unknown sort: {request.sort}")
    return SearchFilters(unit_ids=_unit_ids(session, request.unit, request.unit_id), year=request.year,
                         type_name=request.type_name, date_from=request.date_from, date_to=request.date_to,
                         access_level=request.access_level, bloc=request.bloc, retention=request.retention,
                         signed=request.signed, **scope.filter_args())


def _result(doc: Document, score: float, exact: bool, parsed: ParsedQuery, masking: Masking | None) -> SearchHit:
    """One hit; its text and fields masked for a reader who may not read the document's personal data."""
    text, fields = doc.text, document_fields(doc)
    if masking is not None:
        text, fields = masking.text(text), masking.fields(fields)
    snippet, snippet_html = make_snippets(text, parsed)
    return SearchHit(document_id=doc.id, source=doc.source_name, fields=fields, unit_id=doc.unit_id,
                     file_id=doc.file_id, access_level=doc.access_level, pages=doc.page_amount, score=score,
                     exact=exact, snippet=snippet, snippet_html=snippet_html)


def _personal_shown(session: Session, principal: Principal | None, results: list[SearchHit]) -> list[int]:
    """The hits shown to a reader of originals whose snippet or fields spell out personal data: a known value not
    decided 'shown' or what the rules find, of any kind whatever the policy (restricted values came masked)."""
    if not results or not sees_personal_data(principal):
        return []
    rows: dict[int, list[PersonalDatum]] = defaultdict(list)
    for row in session.scalars(select(PersonalDatum).where(
            PersonalDatum.document_id.in_(sorted({r.document_id for r in results})))):
        rows[row.document_id].append(row)
    every = frozenset(PersonalKind)
    shown: list[int] = []
    for hit in results:
        probe = masking_of_rows(rows[hit.document_id], every, restricted_only=False)
        texts = [hit.snippet, *(v for v in hit.fields.values() if isinstance(v, str))]
        if any(probe.spans(text) for text in texts if text):
            shown.append(hit.document_id)
    return sorted(set(shown))


def _facets(session: Session, index: SearchIndex, request: SearchRequest, filters: SearchFilters,
            found: SearchResult) -> Facets:
    if found.facet_counts is not None:  # counted by the index with the matches it read
        counts = {name: [FacetValue(v, n) for v, n in found.facet_counts.get(name, [])] for name in FACET_NAMES}
    else:
        sample = None if found.total_exact else BOUND  # the index bounded the search: facets over a sample too
        counts = facet_counts(session, index, request.query, filters, FACET_NAMES, sample=sample)
    names = found.facet_labels  # read by the index with the counts, else here
    if names is None:
        unit_ids = [int(v.value) for v in counts.get("unit", [])]
        rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all() if unit_ids else []
        names = {str(i): str(n) for i, n in rows}
    out: Facets = {}
    for name, values in counts.items():
        out[name] = [{"value": v.value, "count": v.count} for v in values]
        if name == "unit":
            for entry in out[name]:
                entry["label"] = names.get(str(entry["value"]), entry["value"])
    return out


def check_request(ctx: AppContext, request: SearchRequest) -> None:
    """Bounded work: a query within ``max_query_chars`` (and the parser's word limit), a page within reach."""
    check_query_length(request.query, ctx.settings.max_query_chars)
    if request.offset > MAX_OFFSET:
        raise ValidationFailed(f"Chỉ xem được {MAX_OFFSET} kết quả đầu tiên; hãy thu hẹp tìm kiếm",
                               f"Only the first {MAX_OFFSET} results can be paged; narrow the search")


@observe_search
def search(ctx: AppContext, principal: Principal | None, request: SearchRequest, *, audit: bool = True,
           channel: str = "web") -> SearchPage:
    """Search what ``principal`` may see; counts, facets and snippets come from that scope only. Hits that spell
    out personal data to a reader of originals are recorded as one ``personal.view`` (their ids) per search.

    Every front door (CLI, staff page, portal, API, saved searches, exports) comes through here: an
    over-long query is refused before any work, and the audit keeps a bounded copy of it.
    """
    check_request(ctx, request)
    request = replace(request, limit=max(1, min(request.limit, MAX_LIMIT)), offset=max(0, request.offset))
    index = ctx.index
    with ctx.db.session() as session:
        scope = document_scope(session, principal)
        filters = search_filters(session, scope, request)
        found = index.search(session, request.query, filters, limit=request.limit, offset=request.offset,
                             sort=request.sort, facets=request.facets)
        rows = session.execute(select(Document, holding_personal_data()).where(
            Document.id.in_([h.document_id for h in found.hits]))).all()
        docs = {d.id: d for d, _ in rows}
        holding = {d.id for d, held in rows if held}  # the others hold no personal data: nothing to read for them
        parsed = parse_query(request.query)
        maskings = maskings_for(session, docs.values(), principal, holding=holding)
        results = [_result(docs[h.document_id], h.score, h.exact, parsed, maskings[h.document_id])
                   for h in found.hits if h.document_id in docs]
        facets = _facets(session, index, request, filters, found) if request.facets else {}
        suggestion = (suggest_query(session, request.query, SearchFilters(**scope.filter_args()))
                      if found.total <= RARE else None)  # words of the caller's scope only
        if audit:
            record_event(session, actor_name(principal), "search", None, None,
                         {"channel": channel, **request.params(), **bounded_text("query", request.query),
                          "total": found.total})
            if personal := _personal_shown(session, principal, results):  # one event for the page of hits
                record_event(session, actor_name(principal), "personal.view", "search", None,
                             {"channel": channel, "via": "search", "document_ids": personal})
    return SearchPage(total=found.total, results=results, facets=facets, suggestion=suggestion,
                      total_exact=found.total_exact, partial=found.partial)
