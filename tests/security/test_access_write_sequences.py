"""Generated sequences of merge, split, reorder, move, review and access changes over a small world: after every
step no document's protection is lower than before (unless an allowed role changed its file's level, audited),
no secret document is visible to anyone on the network, and the policy, its SQL clause and search agree."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sohoa.db.models import Document, Event, FileUnit
from sohoa.domain.errors import IllegalTransition, PermissionDenied
from sohoa.domain.workflow import DocumentState, machine_of
from sohoa.index import make_index
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.search import SearchRequest, search_filters
from sohoa.services.identity.access_changes import change_file_access
from sohoa.services.identity.policy import PUBLISHED_STATES, document_scope, is_secret, scope_allows
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.protection import Protection, may_change_access, protection_of
from sohoa.services.platform.context import AppContext
from sohoa.services.production import review
from sohoa.services.production.filing import move_document

from ._protection_world import SmallWorld, small_world

LEVELS = ("public", "conditional", "internal", "secret")
ROLES = ("admin", "archivist", "coordinator", "unit_officer")
_ANY = st.integers(0, 50)
OPERATIONS = st.one_of(
    st.tuples(st.just("merge"), _ANY, _ANY),
    st.tuples(st.just("split"), _ANY, st.integers(2, 4)),
    st.tuples(st.just("reorder"), _ANY),
    st.tuples(st.just("move"), _ANY, st.integers(0, 3)),
    st.tuples(st.just("access"), st.integers(0, 3), st.sampled_from(LEVELS), st.sampled_from(ROLES)),
    st.tuples(st.just("accept"), _ANY),
)


def _principals(world: SmallWorld) -> dict[str, Principal | None]:
    """Everyone on the network: anonymous, a public token, unit staff of A and B, archive staff (never local)."""
    a, b = world.units["A"], world.units["B"]
    return {
        "anonymous": None,
        "public_token": Principal(user_id=-900_001, username="token:hyp", role="public", unit_id=a),
        "officer_a": Principal(user_id=900_002, username="hyp_officer", role="unit_officer", unit_id=a),
        "clerk_b": Principal(user_id=900_003, username="hyp_clerk", role="unit_clerk", unit_id=b),
        "archivist": Principal(user_id=900_004, username="hyp_archivist", role="archivist"),
        "admin": Principal(user_id=900_005, username="hyp_admin", role="admin"),
    }


def _rows(ctx: AppContext, ids: list[int]) -> dict[int, Document]:
    with ctx.db.session() as session:
        rows = list(session.execute(select(Document).where(Document.id.in_(ids))).scalars())
        session.expunge_all()
    return {d.id: d for d in rows}


def _check_visibility(ctx: AppContext, world: SmallWorld) -> None:
    docs = _rows(ctx, world.docs)
    searchable = {i for i, d in docs.items() if d.page_amount and d.state != "merged"}
    for name, principal in _principals(world).items():
        with ctx.db.session() as session:
            scope = document_scope(session, principal)
            by_policy = {i for i, d in docs.items() if scope_allows(scope, d)}
            by_sql = set(session.execute(select(Document.id).where(Document.id.in_(world.docs),
                                                                   document_clause(scope))).scalars())
            filters = search_filters(session, scope, SearchRequest(world.marker))
            found = {h.document_id for h in make_index(ctx.db.engine).search(session, world.marker, filters,
                                                                              limit=200).hits}
        assert by_policy == by_sql, name
        assert found == by_policy & searchable, name
        assert not any(is_secret(docs[i]) for i in by_policy), name
        if name in ("anonymous", "public_token"):
            assert all(docs[i].access_level == "public" and docs[i].state in PUBLISHED_STATES for i in by_policy)


def _live(ctx: AppContext, world: SmallWorld) -> list[Document]:
    return [d for i, d in sorted(_rows(ctx, world.docs).items()) if d.state != "merged"]


def _apply(ctx: AppContext, world: SmallWorld, op: tuple[Any, ...]) -> set[int]:
    """Run one operation; returns the documents whose protection an allowed access change may have lowered."""
    live = _live(ctx, world)
    kind = op[0]
    if kind == "access":
        file_id, level, role = world.files[op[1]], op[2], op[3]
        with ctx.db.session() as session:
            before = session.execute(select(FileUnit.access_level).where(FileUnit.id == file_id)).scalar_one()
        try:
            change_file_access(ctx, file_id, level, f"hyp_{role}", "thử nghiệm", role=role)
        except PermissionDenied:
            assert not may_change_access(role, before, level)
            return set()
        assert may_change_access(role, before, level)
        return {d.id for d in _live(ctx, world) if d.file_id == file_id}
    doc = live[op[1] % len(live)]
    if kind == "merge":
        other = live[op[2] % len(live)]
        if other.id != doc.id:
            review.merge_documents(ctx, doc.id, other.id, actor="hyp")
            assert protection_of(_rows(ctx, [doc.id])[doc.id]).covers(protection_of(other))
    elif kind == "split" and 1 < op[2] <= doc.page_amount:
        new_id = review.split_document(ctx, doc.id, op[2], actor="hyp")
        world.docs.append(new_id)
        assert protection_of(_rows(ctx, [new_id])[new_id]) == protection_of(doc)
    elif kind == "reorder":
        with ctx.db.session() as session:
            pages = [p for p in session.execute(select(Document).where(Document.id == doc.id)).scalar_one().pages]
            order = [p.id for p in sorted(pages, key=lambda p: -p.page_no)]
        review.reorder_pages(ctx, doc.id, order, actor="hyp")
    elif kind == "move" and doc.file_id != world.files[op[2]]:
        move_document(ctx, doc.id, world.files[op[2]], actor="hyp")
    elif kind == "accept":
        try:
            review.update_fields(ctx, doc.id, {}, actor="hyp", mark_reviewed=True)
        except IllegalTransition:  # only a document waiting for review is approved (not an accepted one again)
            assert not machine_of(DocumentState).allows(doc.state, DocumentState.ACCEPTED)
    return set()


def _check_floors(ctx: AppContext, world: SmallWorld, floors: dict[int, Protection], reset: set[int]) -> None:
    for doc_id, doc in _rows(ctx, world.docs).items():
        now = protection_of(doc)
        if doc_id in floors and doc_id not in reset:
            assert now.covers(floors[doc_id]), (doc_id, floors[doc_id], now)
        floors[doc_id] = now


def _access_events_match(ctx: AppContext, world: SmallWorld, reset: set[int]) -> None:
    """A lowering is only ever the result of an audited access change of the document."""
    with ctx.db.session() as session:
        audited = set(session.execute(select(Event.entity_id).where(
            Event.action == "access.change", Event.entity_type == "document",
            Event.entity_id.in_(sorted(reset) or [-1]))).scalars())
    assert reset <= audited


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=5))
def test_no_sequence_lowers_protection_or_leaks_a_secret(any_ctx: AppContext,
                                                         operations: list[tuple[Any, ...]]) -> None:
    world = small_world(any_ctx)
    floors: dict[int, Protection] = {}
    _check_floors(any_ctx, world, floors, set())
    _check_visibility(any_ctx, world)
    for op in operations:
        reset = _apply(any_ctx, world, op)
        _access_events_match(any_ctx, world, reset)
        _check_floors(any_ctx, world, floors, reset)
        _check_visibility(any_ctx, world)
