"""The cluster profile's task bookkeeping: dead letters of Celery tasks and the files of a queued ingest batch.

A ``task_failures`` row is a task that failed on a transient error (database, object store or broker
unreachable) after its last retry: what it was, why and how often it was tried; staff retry or discard
it on /staff/tasks (``dead`` → ``retried`` | ``discarded``). A ``task_batch_files`` row is one input file of
a batch queued by `sohoa ingest` or an upload: where its bytes are staged in the object store, its digest,
the ingest task that takes it and, once taken, what the ingest reported for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, state_type, utcnow
from sohoa.domain.workflow import TaskFailureState, TaskFileState


class TaskFailure(Base):
    """A dead letter: a task given up after its retries; ``payload`` re-sends it as it was."""

    __tablename__ = "task_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(String(120), index=True)
    task_id: Mapped[str] = mapped_column(String(155))
    args_summary: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {"args": [...], "kwargs": {...}}
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    state: Mapped[TaskFailureState] = mapped_column(state_type(TaskFailureState, 20), default=TaskFailureState.DEAD,
                                                    index=True)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TaskBatchFile(Base):
    """One staged input file of a queued ingest batch (``batch``: a random id shown to the operator)."""

    __tablename__ = "task_batch_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(40), index=True)
    group_no: Mapped[int] = mapped_column(Integer)  # files of one group go to one task (a folder's page images)
    position: Mapped[int] = mapped_column(Integer)  # order in the batch
    name: Mapped[str] = mapped_column(String(500))
    staged_key: Mapped[str] = mapped_column(String(600))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # unit, file_code, actor, one_document
    state: Mapped[TaskFileState] = mapped_column(state_type(TaskFileState, 20), default=TaskFileState.QUEUED,
                                                 index=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
