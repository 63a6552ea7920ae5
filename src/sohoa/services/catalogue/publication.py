"""A document's publication state — draft, published, withdrawn — read from the one access policy.

*Published* means what an anonymous caller may see (:func:`~sohoa.services.identity.policy.scope_allows` with the
anonymous scope: a reviewed, QC-passed, non-secret document at the public level, not merged or superseded): the
portal, public API tokens, OAI-PMH, IIIF, the sitemap and certified-copy requests all ask the same rule.
*Withdrawn* means the audit log shows it public once (a ``document.publish`` to the public, or an ``access.change``
that took it from the public: ``withdrawn`` in its payload) and the policy no longer lets the public see it (its
file was narrowed, it was merged away, superseded by a rescan, marked độ mật, sent back by QC).
Everything else is a *draft*: not yet visible to the public.

:func:`file_publication` says, for each document of a file, what keeps it from the public (:class:`Blocker`): the
arrangement screen lists it next to the file's access level, with the way to fix each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Event, FileUnit, PersonalDatum
from sohoa.domain.codes import AccessLevel
from sohoa.domain.errors import NotFound
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.personal_masking import masks_for_public, public_kinds
from sohoa.services.identity.policy import DocumentScope, document_scope, scope_allows
from sohoa.services.platform.context import AppContext

__all__ = ["Blocker", "DocumentPublication", "PublicState", "blockers_of", "file_publication", "masked_for_public",
           "public_state", "public_states", "public_states_by_id"]

_CHUNK = 500  # ids per IN (…) of the audit query


class PublicState(StrEnum):
    """Where a document stands with the public."""

    DRAFT = "draft"  # not yet visible to the public
    PUBLISHED = "published"  # the public sees it
    WITHDRAWN = "withdrawn"  # it was public and no longer is


def _public_once(action: str, payload: dict[str, object] | None) -> bool:
    """The event shows the document public at the time: published to the public, or withdrawn from it by an
    access change (a record loaded published, say, has no publish event of its own)."""
    data = payload or {}
    if action == "document.publish":
        return data.get("audience", "public") == "public"
    return data.get("withdrawn") is True


def _ever_published(session: Session, ids: list[int]) -> set[int]:
    """Documents among ``ids`` the audit log shows public at some time."""
    found: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        rows = session.execute(select(Event.entity_id, Event.action, Event.payload).where(
            Event.action.in_(("document.publish", "access.change")), Event.entity_type == "document",
            Event.entity_id.in_(chunk)))
        found.update(int(entity) for entity, action, payload in rows
                     if entity is not None and _public_once(action, payload))
    return found


def public_states(session: Session, docs: Iterable[Document]) -> dict[int, PublicState]:
    """The publication state of each document (one audit query per 500 documents)."""
    anonymous: DocumentScope = document_scope(session, None)
    states: dict[int, PublicState] = {}
    hidden: list[int] = []
    for doc in docs:
        if scope_allows(anonymous, doc):
            states[doc.id] = PublicState.PUBLISHED
        else:
            hidden.append(doc.id)
    withdrawn = _ever_published(session, hidden)
    states.update({i: PublicState.WITHDRAWN if i in withdrawn else PublicState.DRAFT for i in hidden})
    return states


def public_states_by_id(ctx: AppContext, ids: Iterable[int]) -> dict[int, PublicState]:
    """The publication state of the documents ``ids`` (unknown ids are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with ctx.db.session() as session:
        docs: list[Document] = []
        for start in range(0, len(wanted), _CHUNK):
            docs.extend(session.execute(select(Document).where(Document.id.in_(wanted[start:start + _CHUNK])))
                        .scalars())
        return public_states(session, docs)


def public_state(ctx: AppContext, doc_id: int) -> PublicState:
    """The publication state of one document."""
    states = public_states_by_id(ctx, [doc_id])
    if doc_id not in states:
        raise NotFound(f"Không có văn bản số {doc_id}", f"No document {doc_id}")
    return states[doc_id]


class Blocker(StrEnum):
    """One reason the public does not see a document (the policy's anonymous rule, spelled out)."""

    SECRET = "secret"  # độ mật or the secret level: never on the portal
    FILE_NOT_PUBLIC = "file_not_public"  # its file is not public: the file's access level publishes it
    STRICTER = "stricter"  # filed in at a stricter level than its public file
    NOT_REVIEWED = "not_reviewed"  # waiting for review, sent back to review, or not filed yet
    QC_PENDING = "qc_pending"  # sampled for quality control, not inspected yet
    RESCAN = "rescan"  # quality control sent it back to scanning
    MERGED = "merged"  # its pages went into another document
    SUPERSEDED = "superseded"  # a rescan replaced it


_STATE_BLOCKERS = {DocumentState.EXTRACTED: Blocker.NOT_REVIEWED, DocumentState.UNSORTED: Blocker.NOT_REVIEWED,
                   DocumentState.REVIEW: Blocker.NOT_REVIEWED, DocumentState.REWORK_REVIEW: Blocker.NOT_REVIEWED,
                   DocumentState.QC: Blocker.QC_PENDING, DocumentState.REWORK_SCAN: Blocker.RESCAN,
                   DocumentState.MERGED: Blocker.MERGED, DocumentState.SUPERSEDED: Blocker.SUPERSEDED}


def blockers_of(doc: Document, file_level: str | None) -> tuple[Blocker, ...]:
    """What keeps ``doc`` from the public, the workflow first (empty: the public sees it)."""
    found: list[Blocker] = []
    state = _STATE_BLOCKERS.get(DocumentState(doc.state))
    if state is not None:
        found.append(state)
    if doc.secrecy or doc.access_level == AccessLevel.SECRET:
        found.append(Blocker.SECRET)
    elif doc.access_level != AccessLevel.PUBLIC:
        found.append(Blocker.STRICTER if file_level == AccessLevel.PUBLIC else Blocker.FILE_NOT_PUBLIC)
    return tuple(found)


@dataclass(frozen=True)
class DocumentPublication:
    """One document of a file as the arrangement screen's publication panel lists it."""

    id: int
    type_name: str
    number: str  # số và ký hiệu ("15/QĐ-UBND"), or ""
    subject: str
    state: str  # the workflow state
    public_state: PublicState
    blockers: tuple[Blocker, ...]
    personal_masked: int = 0  # values of personal data the public will see masked (informative, never a blocker)


def masked_for_public(session: Session, doc: Document) -> int:
    """How many known values of personal data the public sees masked in ``doc`` (the policy of its access level,
    the reviewers' decisions, restrictions: :func:`masks_for_public`, which each row's state on the review screen
    follows too); the rules' safety net may mask more."""
    kinds = public_kinds(session, doc)
    rows = session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == doc.id))
    return sum(1 for row in rows if masks_for_public(row, kinds))


def file_publication(ctx: AppContext, file_id: int) -> list[DocumentPublication]:
    """The file's documents with their publication state and what keeps each from the public."""
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        if file is None:
            raise NotFound(f"Không có hồ sơ số {file_id}", f"No file {file_id}")
        docs = list(session.execute(select(Document).where(Document.file_id == file_id)
                                    .order_by(Document.doc_ordinal, Document.id)).scalars())
        states = public_states(session, docs)
        return [DocumentPublication(
            id=d.id, type_name=d.type_name or "", subject=d.subject or "",
            number="/".join(p for p in (d.code_number, d.code_notation) if p), state=str(d.state),
            public_state=states[d.id], blockers=blockers_of(d, file.access_level),
            personal_masked=masked_for_public(session, d)) for d in docs]
