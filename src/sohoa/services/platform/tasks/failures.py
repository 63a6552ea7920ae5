"""Dead letters: tasks given up after their retries (table ``task_failures``), and what staff do with them.

``retry`` sends the task again with its arguments as they were (state ``retried``); ``discard`` closes it
(``discarded``). Both are audited (``task.retry``, ``task.discard``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import TaskFailure
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.workflow import TaskFailureState, transition
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["DEAD", "DISCARDED", "RETRIED", "dead_letters", "discard_failure", "record_dead_letter", "retry_failure",
           "task_failure_count"]

DEAD, RETRIED, DISCARDED = "dead", "retried", "discarded"


def record_dead_letter(ctx: AppContext, *, name: str, task_id: str, args_summary: str, payload: dict[str, Any],
                       error: str, attempts: int, first_failed: datetime) -> int:
    """Add a dead letter; its id."""
    with ctx.db.session() as session:
        row = TaskFailure(task_name=name, task_id=task_id, args_summary=args_summary, payload=payload,
                          error=error[:20000], attempts=attempts, first_failed_at=first_failed,
                          failed_at=datetime.now(UTC), state=DEAD)
        session.add(row)
        session.flush()
        record_event(session, "system", "task.dead", "task_failure", row.id, {"task": name, "error": error[:500]})
        return row.id


def dead_letters(ctx: AppContext, *, limit: int = 200) -> list[TaskFailure]:
    """The latest dead letters (every state), newest first."""
    with ctx.db.session() as session:
        rows = session.execute(select(TaskFailure).order_by(TaskFailure.id.desc()).limit(limit)).scalars().all()
        session.expunge_all()
        return list(rows)


def task_failure_count(ctx: AppContext) -> int:
    """Dead letters waiting for staff (state ``dead``)."""
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(TaskFailure)
                                   .where(TaskFailure.state == DEAD)).scalar_one())


def _open(session: Session, failure_id: int) -> TaskFailure:
    row = session.get(TaskFailure, failure_id)
    if row is None:
        raise NotFound("Không tìm thấy tác vụ lỗi", "No such dead letter")
    if row.state != DEAD:
        raise ValidationFailed("Tác vụ này đã được xử lý", "This dead letter was handled already")
    return row


def retry_failure(ctx: AppContext, failure_id: int, actor: str,
                  send: Callable[[str, list[Any], dict[str, Any]], object]) -> None:
    """Send the dead letter's task again (``send(name, args, kwargs)``) and mark it retried."""
    with ctx.db.session() as session:
        row = _open(session, failure_id)
        payload = dict(row.payload or {})
        send(row.task_name, list(payload.get("args", [])), dict(payload.get("kwargs", {})))
        row.state = transition(row.state, TaskFailureState.RETRIED)
        row.handled_by, row.handled_at = actor, datetime.now(UTC)
        record_event(session, actor, "task.retry", "task_failure", row.id, {"task": row.task_name})


def discard_failure(ctx: AppContext, failure_id: int, actor: str) -> None:
    """Close a dead letter without running it again."""
    with ctx.db.session() as session:
        row = _open(session, failure_id)
        row.state = transition(row.state, TaskFailureState.DISCARDED)
        row.handled_by, row.handled_at = actor, datetime.now(UTC)
        record_event(session, actor, "task.discard", "task_failure", row.id, {"task": row.task_name})
