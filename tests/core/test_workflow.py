"""Typed workflow: every state machine's table, the typed columns, and illegal moves refused by real services."""

from __future__ import annotations

import ast
import itertools
from enum import StrEnum
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from sohoa.db.base import Base
from sohoa.db.models import CopyRequest, Document, Event, Fonds, Page, StoredObject
from sohoa.domain.errors import IllegalTransition, ValidationFailed
from sohoa.domain.workflow import (
    MACHINES,
    AccessionStatus,
    CopyRequestState,
    DocumentState,
    FileUnitState,
    FondsStatus,
    IngestItemState,
    ScanUploadState,
    TaskFailureState,
    TaskFileState,
    WebhookDeliveryState,
    machine_of,
    transition,
)
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement, qc, review
from sohoa.services.sharing import copies

# The strings the database has always held: a change here needs a data migration.
STORED_VALUES: dict[type[StrEnum], set[str]] = {
    DocumentState: {"extracted", "unsorted", "review", "qc", "rework_scan", "rework_review", "accepted", "published",
                    "merged", "superseded"},
    IngestItemState: {"pending", "processing", "done", "quarantined", "failed"},
    ScanUploadState: {"receiving", "queued", "processing", "done", "failed"},
    CopyRequestState: {"pending", "approved", "refused"},
    WebhookDeliveryState: {"pending", "delivered", "failed", "refused", "withheld"},
    FileUnitState: {"registered", "received"},
    FondsStatus: {"open", "closed"},
    AccessionStatus: {"open"},
    TaskFileState: {"queued", "running", "done", "duplicate", "quarantined", "failed"},
    TaskFailureState: {"dead", "retried", "discarded"},
}
# (table, column) → (its enum, the VARCHAR length the migrations created).
STATE_COLUMNS: dict[tuple[str, str], tuple[type[StrEnum], int]] = {
    ("documents", "state"): (DocumentState, 20),
    ("ingest_items", "state"): (IngestItemState, 20),
    ("scan_uploads", "state"): (ScanUploadState, 20),
    ("copy_requests", "state"): (CopyRequestState, 20),
    ("webhook_deliveries", "state"): (WebhookDeliveryState, 20),
    ("file_units", "state"): (FileUnitState, 20),
    ("fonds", "status"): (FondsStatus, 10),
    ("accessions", "status"): (AccessionStatus, 20),
    ("task_batch_files", "state"): (TaskFileState, 20),
    ("task_failures", "state"): (TaskFailureState, 20),
}
ALL_MOVES = [(states, current, target) for states in MACHINES for current in states for target in states]


def test_every_enum_keeps_the_stored_values_and_has_a_machine() -> None:
    assert set(MACHINES) == set(STORED_VALUES)
    for states, values in STORED_VALUES.items():
        assert {s.value for s in states} == values
        assert set(machine_of(states).moves) == set(states)


@pytest.mark.parametrize(("states", "current", "target"), ALL_MOVES, ids=lambda v: str(getattr(v, "__name__", v)))
def test_each_move_passes_exactly_when_the_table_lists_it(states: type[StrEnum], current: StrEnum,
                                                           target: StrEnum) -> None:
    machine = machine_of(states)
    if target in machine.moves[current]:
        assert transition(current.value, target) is target  # a stored string is accepted as the current state
        return
    with pytest.raises(IllegalTransition) as caught:
        transition(current, target)
    error = caught.value
    assert (error.machine, error.current, error.target) == (machine.en, current.value, target.value)
    assert machine.vi in error.vi and f"'{current.value}'" in error.vi and f"'{target.value}'" in error.vi
    assert machine.en in error.en and f"'{current.value}'" in error.en and f"'{target.value}'" in error.en
    assert error.vi != error.en and error.code == "illegal_transition"
    assert isinstance(error, ValidationFailed)  # the web and the API show it as a refused request


@pytest.mark.parametrize("states", list(MACHINES), ids=lambda s: s.__name__)
def test_a_new_row_starts_only_in_an_initial_state(states: type[StrEnum]) -> None:
    machine = machine_of(states)
    assert machine.initial
    for target in states:
        if target in machine.initial:
            assert transition(None, target) is target
        else:
            with pytest.raises(IllegalTransition, match="cannot start"):
                transition(None, target)


def test_the_workflow_as_the_issue_describes_it() -> None:
    """A few moves people rely on, spelled out: the table is not just internally consistent."""
    d = DocumentState
    assert transition(d.REVIEW, d.QC) and transition(d.QC, d.REWORK_SCAN) and transition(d.REWORK_SCAN, d.SUPERSEDED)
    assert transition(d.UNSORTED, d.REVIEW) and transition(d.ACCEPTED, d.REVIEW)  # filed; unreviewed pages merged
    for done, again in [(d.ACCEPTED, d.ACCEPTED), (d.PUBLISHED, d.QC), (d.QC, d.QC), (d.MERGED, d.MERGED)]:
        with pytest.raises(IllegalTransition):
            transition(done, again)
    with pytest.raises(IllegalTransition, match="copy request"):
        transition(CopyRequestState.REFUSED, CopyRequestState.APPROVED)
    assert transition(IngestItemState.FAILED, IngestItemState.PENDING)  # an API upload of failed bytes retries
    with pytest.raises(IllegalTransition):
        transition(IngestItemState.DONE, IngestItemState.PROCESSING)
    with pytest.raises(ValueError):
        transition("no-such-state", DocumentState.REVIEW)


def test_state_columns_are_typed_with_their_enums_and_keep_their_schema() -> None:
    for (table, column), (states, length) in STATE_COLUMNS.items():
        kind = Base.metadata.tables[table].c[column].type
        assert isinstance(kind, sa.Enum) and kind.enum_class is states, (table, column)
        assert not kind.native_enum and kind.length == length and not kind.create_constraint, (table, column)


# ------------------------------------------------------------------ through real services, SQLite and PostgreSQL

def _document(ctx: AppContext, state: DocumentState, *, subject: str = "Về việc thử") -> int:
    with ctx.db.session() as session:
        doc = Document(source_name="scan.pdf", state=state, subject=subject, access_level="public")
        session.add(doc)
        session.flush()
        return doc.id


def _snapshot(ctx: AppContext, doc_id: int) -> tuple[str, str | None, int, list[int]]:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        events = session.execute(select(func.count()).select_from(Event)).scalar_one()
        pages = list(session.execute(select(Page.id).where(Page.document_id == doc_id)).scalars())
        return doc.state, doc.subject, events, pages


def test_a_state_is_read_back_as_its_enum_and_an_unknown_one_is_refused(any_ctx: AppContext) -> None:
    doc_id = _document(any_ctx, DocumentState.REVIEW)
    with any_ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.state is DocumentState.REVIEW
    with pytest.raises(StatementError), any_ctx.db.session() as session:
        session.add(Document(source_name="x.pdf", state="approved-ish"))
        session.flush()


def test_approving_an_accepted_document_is_refused_and_saves_nothing(any_ctx: AppContext) -> None:
    doc_id = _document(any_ctx, DocumentState.ACCEPTED)
    before = _snapshot(any_ctx, doc_id)
    with pytest.raises(IllegalTransition) as caught:
        review.update_fields(any_ctx, doc_id, {"subject": "Về việc sửa"}, actor="a", mark_reviewed=True)
    assert "'accepted'" in caught.value.en and "văn bản" in caught.value.vi
    assert _snapshot(any_ctx, doc_id) == before  # neither the edit nor any event was kept
    fresh = _document(any_ctx, DocumentState.REVIEW)
    assert review.update_fields(any_ctx, fresh, {}, actor="a", mark_reviewed=True) == {}
    assert _snapshot(any_ctx, fresh)[0] == DocumentState.ACCEPTED  # no sampling plan: accepted at once


def test_a_qc_decision_is_taken_once(any_ctx: AppContext) -> None:
    doc_id = _document(any_ctx, DocumentState.QC)
    assert qc.inspect(any_ctx, doc_id, "reject", inspector="q", defects=["D08"]) == DocumentState.REWORK_REVIEW
    before = _snapshot(any_ctx, doc_id)
    with pytest.raises(ValidationFailed, match="not awaiting QC"):
        qc.inspect(any_ctx, doc_id, "accept", inspector="q")
    assert _snapshot(any_ctx, doc_id) == before


def test_a_merged_document_cannot_be_merged_again(any_ctx: AppContext) -> None:
    gone, third = (_document(any_ctx, DocumentState.REVIEW) for _ in range(2))
    with any_ctx.db.session() as session:
        master = StoredObject(sha256="ab" * 32, size=1, media_type="image/png", kind="master")
        session.add(master)
        session.flush()
        session.add(Page(document_id=third, master_object_id=master.id, source_index=0, width=10, height=10, dpi=300))
    with any_ctx.db.session() as session:  # merged earlier into some other document
        merged = session.get(Document, gone)
        assert merged is not None
        merged.state = transition(merged.state, DocumentState.MERGED)
    before = _snapshot(any_ctx, third)
    with pytest.raises(IllegalTransition, match="'merged'"):
        review.merge_documents(any_ctx, third, gone, actor="a")
    assert _snapshot(any_ctx, third) == before and _snapshot(any_ctx, gone)[0] == DocumentState.MERGED


def test_a_refused_copy_request_cannot_be_approved(any_ctx: AppContext) -> None:
    doc_id = _document(any_ctx, DocumentState.ACCEPTED)
    with any_ctx.db.session() as session:
        row = CopyRequest(code="c-1", document_id=doc_id, requester_name="Nguyễn Văn A", id_number="001099000001")
        session.add(row)
        session.flush()
        request_id = row.id
    assert copies.refuse_copy(any_ctx, request_id, "archivist", "Thiếu giấy tờ").state == CopyRequestState.REFUSED
    with pytest.raises(ValidationFailed, match="already been decided"):
        copies.approve_copy(any_ctx, request_id, "archivist")
    with any_ctx.db.session() as session:
        row = session.get(CopyRequest, request_id)
        assert row is not None and row.state is CopyRequestState.REFUSED and row.copy_object_id is None


def test_fonds_status_goes_either_way_and_stays_typed(any_ctx: AppContext) -> None:
    fonds_id = arrangement.create_fonds(any_ctx, "P01", "Phông thử", None, actor="a")
    for status in ("closed", "closed", "open"):
        arrangement.set_fonds_status(any_ctx, fonds_id, status, actor="a")
    with any_ctx.db.session() as session:
        fonds = session.get(Fonds, fonds_id)
        assert fonds is not None and fonds.status is FondsStatus.OPEN
    with pytest.raises(ValidationFailed):
        arrangement.set_fonds_status(any_ctx, fonds_id, "archived", actor="a")


def test_every_pair_of_distinct_machines_has_distinct_names() -> None:
    names = [(m.vi, m.en) for m in MACHINES.values()]
    assert all(a[0] != b[0] and a[1] != b[1] for a, b in itertools.combinations(names, 2))


# ------------------------------------------------------------------ every state change in the services is checked

_ROWS = {"doc", "other", "item", "row", "delivery", "fonds", "file", "upload", "request", "acc"}


def _unchecked(tree: ast.AST) -> list[int]:
    """Lines that set a row's ``state``/``status`` (assignment or ``update().values``) other than via transition()."""
    def checked(value: ast.expr) -> bool:
        return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "transition"

    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts, strict=False)
                         if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                         else [(target, node.value)])
                bad += [node.lineno for t, v in pairs
                        if isinstance(t, ast.Attribute) and t.attr in {"state", "status"}
                        and isinstance(t.value, ast.Name) and t.value.id in _ROWS and not checked(v)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values":
            bad += [node.lineno for k in node.keywords if k.arg in {"state", "status"} and not checked(k.value)]
    return bad


def test_services_change_states_only_through_transition() -> None:
    root = Path(__file__).parents[2] / "src" / "sohoa" / "services"
    found = {str(p.relative_to(root)): _unchecked(ast.parse(p.read_text(encoding="utf-8")))
             for p in sorted(root.rglob("*.py"))}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_service_scan_finds_an_unchecked_change() -> None:
    sample = "doc.state = 'accepted'\nrow.state, row.reason = 'refused', r\nupdate(T).values(state='x')\n"
    assert _unchecked(ast.parse(sample)) == [1, 2, 3]
    assert _unchecked(ast.parse("doc.state = transition(doc.state, S.QC)\nrep.state = 'done'\n")) == []
