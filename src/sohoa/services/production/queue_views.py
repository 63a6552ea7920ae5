"""Saved views of the review and QC queues ("Lưu bộ lọc"): each person's own named filters, plus the
built-in views every reviewer and inspector has ("Độ tin cậy thấp", "Có trường bị gắn cờ")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from sohoa.db.models import QueueView
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.review_flags import LOW_CONFIDENCE
from sohoa.domain.text import nfc
from sohoa.services.platform.context import AppContext
from sohoa.services.production.queues import QUEUE_STATES, QueueFilter

__all__ = ["BUILT_IN", "NAME_MAX", "SavedView", "delete_view", "list_views", "save_view"]

NAME_MAX = 100


@dataclass(frozen=True)
class SavedView:
    """A view of a queue: its name (Vietnamese; the English of a built-in one is in ``name_en``), the query
    string of the queue page, and its id (None for a built-in view)."""

    name: str
    query: str
    id: int | None = None
    name_en: str | None = None


BUILT_IN: tuple[SavedView, ...] = (
    SavedView("Độ tin cậy thấp", f"conf={round(LOW_CONFIDENCE * 100)}&sort=confidence", name_en="Low confidence"),
    SavedView("Có trường bị gắn cờ", "flagged=1&sort=flagged", name_en="Flagged fields"),
)


def _queue(queue: str) -> str:
    if queue not in QUEUE_STATES:
        raise ValidationFailed("Hàng đợi không hợp lệ", "Unknown queue")
    return queue


def list_views(ctx: AppContext, owner_id: int, queue: str) -> list[SavedView]:
    """The built-in views, then ``owner_id``'s own views of ``queue`` by name (nobody else's)."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(QueueView)
            .where(QueueView.owner_id == owner_id, QueueView.queue == _queue(queue))
            .order_by(QueueView.name, QueueView.id)
        ).scalars()
        return [*BUILT_IN, *(SavedView(r.name, r.query, r.id) for r in rows)]


def save_view(ctx: AppContext, owner_id: int, queue: str, name: str, view: QueueFilter) -> int:
    """Keep ``view`` (without its page number) under ``name``; a view of the same name is replaced."""
    clean = " ".join(nfc(name).split())
    if not clean or len(clean) > NAME_MAX:
        raise ValidationFailed(
            f"Tên bộ lọc cần từ 1 đến {NAME_MAX} ký tự", f"A view name needs 1 to {NAME_MAX} characters"
        )
    query = view.query(page=1)
    with ctx.db.session() as session:
        found = session.execute(
            select(QueueView).where(
                QueueView.owner_id == owner_id, QueueView.queue == _queue(queue), QueueView.name == clean
            )
        ).scalar_one_or_none()
        if found is None:
            found = QueueView(owner_id=owner_id, queue=queue, name=clean, query=query)
            session.add(found)
        found.query = query
        session.flush()
        return found.id


def delete_view(ctx: AppContext, owner_id: int, view_id: int) -> str:
    """Delete one of ``owner_id``'s views; returns its name. Another person's view is NotFound, as a
    missing one is."""
    with ctx.db.session() as session:
        found = session.get(QueueView, view_id)
        if found is None or found.owner_id != owner_id:
            raise NotFound("Không tìm thấy bộ lọc đã lưu", "Saved view not found")
        name = found.name
        session.delete(found)
        return name
