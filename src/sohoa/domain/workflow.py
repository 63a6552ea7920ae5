"""Workflow states: one enum per state machine, and the transitions each allows, in one place.

The values are the strings the database has always stored, so typing a column with its enum needs no
data migration. A service changes a state only through :func:`transition`, which answers the new state
or raises :class:`~sohoa.domain.errors.IllegalTransition` (with a message in Vietnamese and English)
when the machine does not allow the move. A new row takes one of its machine's initial states.

The machines:

- documents (văn bản): intake → review → QC → accepted, with rework, merge and supersession;
- ingest items: one master file in the pipeline (CLI, scan uploads and the API share it);
- scan uploads: a browser or hot-folder upload on its way into the pipeline;
- copy requests: a citizen's request for a certified copy and its decision;
- webhook deliveries: one event to one subscriber;
- file units (hồ sơ): registered by the inventory, then physically received;
- fonds (phông): open or closed, either way;
- accessions (đợt giao nộp): open (the only status so far).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from sohoa.domain.errors import IllegalTransition

__all__ = [
    "MACHINES",
    "PUBLISHED_STATES",
    "REVIEW_STATES",
    "AccessionStatus",
    "CopyRequestState",
    "DocumentState",
    "FileUnitState",
    "FondsStatus",
    "IngestItemState",
    "Machine",
    "ScanUploadState",
    "TaskFailureState",
    "TaskFileState",
    "WebhookDeliveryState",
    "machine_of",
    "transition",
]


class DocumentState(StrEnum):
    """Where a document (văn bản) stands in review and quality control."""

    EXTRACTED = "extracted"  # the column's default; ingest always names review or unsorted
    UNSORTED = "unsorted"  # not in a file yet (chưa xếp hồ sơ)
    REVIEW = "review"  # waiting for review (chờ kiểm duyệt)
    QC = "qc"  # sampled for inspection (chờ kiểm tra)
    REWORK_SCAN = "rework_scan"  # QC sent it back to scanning
    REWORK_REVIEW = "rework_review"  # QC sent it back to review
    ACCEPTED = "accepted"  # reviewed (and inspected when sampled): the public may see it
    PUBLISHED = "published"  # reviewed, loaded published (imports, demo data)
    MERGED = "merged"  # its pages went into another document; kept for the audit trail
    SUPERSEDED = "superseded"  # a rescan of its file replaced it


class IngestItemState(StrEnum):
    """One master file in the pipeline: pending → processing → done | quarantined | failed."""

    PENDING = "pending"  # queued by the API, not started
    PROCESSING = "processing"
    DONE = "done"
    QUARANTINED = "quarantined"  # the input is bad (corrupt, encrypted, too large...): never retried
    FAILED = "failed"  # the machinery failed: a later run retries it


class ScanUploadState(StrEnum):
    """A scan upload: receiving chunks → queued → processing → done | failed."""

    RECEIVING = "receiving"
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class CopyRequestState(StrEnum):
    """A citizen's request for a certified copy: pending → approved | refused."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class WebhookDeliveryState(StrEnum):
    """One event to one webhook: pending (retried with backoff) → delivered | failed | refused | withheld."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed
    REFUSED = "refused"  # the target is not allowed: nothing sent, nothing retried
    WITHHELD = "withheld"  # the document is not public any more, or the webhook was switched off


class FileUnitState(StrEnum):
    """A file unit (hồ sơ): registered from the inventory, then received in the reading room."""

    REGISTERED = "registered"
    RECEIVED = "received"


class FondsStatus(StrEnum):
    """A fonds (phông) is open (still growing) or closed."""

    OPEN = "open"
    CLOSED = "closed"


class AccessionStatus(StrEnum):
    """An accession (đợt giao nộp); closing one is not modelled yet, so open is its only status."""

    OPEN = "open"


class TaskFileState(StrEnum):
    """One input file of a cluster ingest batch (``task_batch_files``): queued → running → the item's outcome;
    a file whose task died is failed, and queued again when staff retry the dead letter."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"
    FAILED = "failed"


class TaskFailureState(StrEnum):
    """A dead letter (``task_failures``): dead until staff retry or discard it."""

    DEAD = "dead"
    RETRIED = "retried"
    DISCARDED = "discarded"


S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Machine(Generic[S]):
    """One state machine: its enum, its name in both languages, its initial states and its moves."""

    states: type[S]
    vi: str
    en: str
    initial: frozenset[S]
    moves: Mapping[S, frozenset[S]]

    def __post_init__(self) -> None:
        if set(self.moves) != set(self.states):
            raise ValueError(f"{self.en}: the table must list every state (even one with no move)")

    def allows(self, current: S | None, target: S) -> bool:
        """Whether a row in ``current`` (None: a new row) may go to ``target``."""
        return target in (self.initial if current is None else self.moves[current])

    def check(self, current: str | None, target: S) -> S:
        """``target`` when the move is allowed; :class:`IllegalTransition` otherwise."""
        state = None if current is None else self.states(current)
        if not self.allows(state, target):
            raise IllegalTransition(self.vi, self.en, None if state is None else state.value, target.value)
        return target


def _moves(table: Mapping[S, tuple[S, ...]]) -> dict[S, frozenset[S]]:
    return {state: frozenset(targets) for state, targets in table.items()}


_D = DocumentState
_REVIEWED = (_D.QC, _D.ACCEPTED, _D.MERGED)  # from a state awaiting review: approved (QC when sampled) or merged
DOCUMENTS: Machine[DocumentState] = Machine(
    DocumentState, "văn bản", "document",
    frozenset({_D.EXTRACTED, _D.UNSORTED, _D.REVIEW}),
    _moves({
        _D.EXTRACTED: _REVIEWED,
        _D.UNSORTED: (_D.REVIEW, *_REVIEWED),  # filed: reviewed in its file
        _D.REVIEW: _REVIEWED,
        _D.REWORK_REVIEW: _REVIEWED,
        _D.QC: (_D.ACCEPTED, _D.REWORK_SCAN, _D.REWORK_REVIEW, _D.MERGED),  # the inspector's decision
        # A rescan replaces it; sent on to review when its defects are not the scan's (QC's "redo" there).
        _D.REWORK_SCAN: (_D.SUPERSEDED, _D.MERGED, _D.REWORK_REVIEW),
        _D.ACCEPTED: (_D.REVIEW, _D.MERGED),  # unreviewed pages merged into it: reviewed again
        _D.PUBLISHED: (_D.REVIEW, _D.MERGED),
        _D.MERGED: (),
        _D.SUPERSEDED: (),
    }),
)

_I = IngestItemState
INGEST_ITEMS: Machine[IngestItemState] = Machine(
    IngestItemState, "tệp nhập", "ingest item",
    frozenset({_I.PENDING, _I.PROCESSING, _I.QUARANTINED}),
    _moves({
        _I.PENDING: (_I.PROCESSING, _I.QUARANTINED, _I.FAILED),
        _I.PROCESSING: (_I.PROCESSING, _I.DONE, _I.QUARANTINED, _I.FAILED),  # processing again: a rerun resumes
        _I.FAILED: (_I.PENDING, _I.PROCESSING, _I.QUARANTINED),  # retried (API upload or ingest run)
        _I.DONE: (),
        _I.QUARANTINED: (),
    }),
)

_U = ScanUploadState
SCAN_UPLOADS: Machine[ScanUploadState] = Machine(
    ScanUploadState, "lượt tải lên", "scan upload",
    frozenset({_U.RECEIVING, _U.QUEUED}),  # a hot-folder file is queued at once
    _moves({
        _U.RECEIVING: (_U.QUEUED,),
        _U.QUEUED: (_U.PROCESSING,),
        _U.PROCESSING: (_U.PROCESSING, _U.DONE, _U.FAILED),  # processing again: resumed after a restart
        _U.DONE: (),
        _U.FAILED: (),
    }),
)

_C = CopyRequestState
COPY_REQUESTS: Machine[CopyRequestState] = Machine(
    CopyRequestState, "yêu cầu sao", "copy request",
    frozenset({_C.PENDING}),
    _moves({_C.PENDING: (_C.APPROVED, _C.REFUSED), _C.APPROVED: (), _C.REFUSED: ()}),
)

_W = WebhookDeliveryState
_OUTCOMES = (_W.DELIVERED, _W.FAILED, _W.REFUSED)
WEBHOOK_DELIVERIES: Machine[WebhookDeliveryState] = Machine(
    WebhookDeliveryState, "lần gửi webhook", "webhook delivery",
    frozenset({_W.PENDING}),
    _moves({
        _W.PENDING: (*_OUTCOMES, _W.WITHHELD),
        # An attempt already in flight when another deliverer withheld the delivery records its outcome.
        _W.WITHHELD: _OUTCOMES,
        _W.DELIVERED: (),
        _W.FAILED: (),
        _W.REFUSED: (),
    }),
)

FILE_UNITS: Machine[FileUnitState] = Machine(
    FileUnitState, "hồ sơ", "file unit",
    frozenset({FileUnitState.REGISTERED}),
    _moves({FileUnitState.REGISTERED: (FileUnitState.RECEIVED,), FileUnitState.RECEIVED: ()}),
)

_F = FondsStatus
FONDS: Machine[FondsStatus] = Machine(
    FondsStatus, "phông", "fonds",
    frozenset({_F.OPEN, _F.CLOSED}),
    _moves({_F.OPEN: (_F.OPEN, _F.CLOSED), _F.CLOSED: (_F.OPEN, _F.CLOSED)}),  # setting the same status is a no-op
)

ACCESSIONS: Machine[AccessionStatus] = Machine(
    AccessionStatus, "đợt giao nộp", "accession",
    frozenset({AccessionStatus.OPEN}),
    _moves({AccessionStatus.OPEN: ()}),
)

_T = TaskFileState
_ENDS = (_T.DONE, _T.DUPLICATE, _T.QUARANTINED, _T.FAILED)
TASK_FILES: Machine[TaskFileState] = Machine(
    TaskFileState, "tệp của lô nhập trên cụm", "cluster batch file",
    frozenset({_T.QUEUED, _T.FAILED}),  # failed at once: a file that could not be staged
    _moves({
        _T.QUEUED: (_T.RUNNING, *_ENDS),
        _T.RUNNING: (_T.RUNNING, *_ENDS),  # running again: the task came back after its worker died
        _T.DONE: (), _T.DUPLICATE: (), _T.QUARANTINED: (),
        _T.FAILED: (_T.QUEUED,),  # its dead letter retried by staff
    }),
)

TASK_FAILURES: Machine[TaskFailureState] = Machine(
    TaskFailureState, "tác vụ lỗi", "dead letter",
    frozenset({TaskFailureState.DEAD}),
    _moves({TaskFailureState.DEAD: (TaskFailureState.RETRIED, TaskFailureState.DISCARDED),
            TaskFailureState.RETRIED: (), TaskFailureState.DISCARDED: ()}),
)

MACHINES: Mapping[type[StrEnum], Machine[StrEnum]] = {
    machine.states: machine  # type: ignore[misc]
    for machine in (DOCUMENTS, INGEST_ITEMS, SCAN_UPLOADS, COPY_REQUESTS, WEBHOOK_DELIVERIES, FILE_UNITS, FONDS,
                    ACCESSIONS, TASK_FILES, TASK_FAILURES)
}

PUBLISHED_STATES: frozenset[DocumentState] = frozenset({_D.ACCEPTED, _D.PUBLISHED})
"""Reviewed (and QC-passed where a plan sampled them): the only states the portal and public tokens see
(when the access level is public too)."""

REVIEW_STATES: tuple[DocumentState, ...] = (_D.REVIEW, _D.REWORK_REVIEW, _D.UNSORTED)
"""Documents waiting in the review queue."""


def machine_of(states: type[S]) -> Machine[S]:
    """The state machine of an enum of this module."""
    return MACHINES[states]  # type: ignore[return-value]


def transition(current: str | None, target: S) -> S:
    """``target`` when a row in ``current`` (None: a row not stored yet) may move to it, in the machine of
    ``target``'s enum; raises :class:`IllegalTransition` otherwise. Use as ``row.state = transition(row.state,
    DocumentState.QC)``."""
    return machine_of(type(target)).check(current, target)
