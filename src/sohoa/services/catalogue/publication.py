"""A document's publication state — draft, published, withdrawn — read from the one access policy.

*Published* means what an anonymous caller may see (:func:`~sohoa.services.identity.policy.scope_allows` with the
anonymous scope: a reviewed, QC-passed, non-secret document at the public level, not merged or superseded): the
portal, public API tokens, OAI-PMH, IIIF, the sitemap and certified-copy requests all ask the same rule.
*Withdrawn* means the audit log shows it public once (a ``document.publish`` to the public, or an ``access.change``
that took it from the public: ``withdrawn`` in its payload) and the policy no longer lets the public see it (its
file was narrowed, it was merged away, superseded by a rescan, marked độ mật, sent back by QC).
Everything else is a *draft*: not yet visible to the public.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Event
from sohoa.domain.errors import NotFound
from sohoa.services.identity.policy import DocumentScope, document_scope, scope_allows
from sohoa.services.platform.context import AppContext

__all__ = ["PublicState", "public_state", "public_states", "public_states_by_id"]

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
