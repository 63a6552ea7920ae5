"""Sohoa's own exceptions. Each carries a message in Vietnamese and English."""

from __future__ import annotations

__all__ = ["Conflict", "EngineError", "InputRejected", "NotFound", "PermissionDenied", "SohoaError", "ValidationFailed"]


class SohoaError(Exception):
    """Base class; ``vi`` and ``en`` are the user-facing messages."""

    code = "error"

    def __init__(self, vi: str, en: str | None = None) -> None:
        super().__init__(en or vi)
        self.vi = vi
        self.en = en or vi

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}" if self.vi != self.en else self.vi


class InputRejected(SohoaError):
    """An input file cannot be processed (corrupt, encrypted, too large, unsupported...)."""

    def __init__(self, reason: str, vi: str, en: str) -> None:
        super().__init__(vi, en)
        self.code = reason


class EngineError(SohoaError):
    """An external engine (Tesseract, PDF writer...) failed."""

    code = "engine_error"


class ValidationFailed(SohoaError):
    """A value does not satisfy the standard."""

    code = "invalid"


class IllegalTransition(ValidationFailed):
    """A workflow state change its state machine does not allow (see :mod:`sohoa.domain.workflow`).

    ``machine`` is the machine's English name; ``current`` is None for a row not stored yet.
    """

    code = "illegal_transition"

    def __init__(self, machine_vi: str, machine_en: str, current: str | None, target: str) -> None:
        if current is None:
            super().__init__(f"Không thể tạo {machine_vi} ở trạng thái '{target}'",
                             f"A new {machine_en} cannot start in state '{target}'")
        else:
            super().__init__(f"Không thể chuyển {machine_vi} từ trạng thái '{current}' sang '{target}'",
                             f"A {machine_en} cannot go from state '{current}' to '{target}'")
        self.machine, self.current, self.target = machine_en, current, target


class NotFound(SohoaError):
    code = "not_found"


class PermissionDenied(SohoaError):
    code = "forbidden"


class Conflict(SohoaError):
    """The request does not fit the current state (e.g. a chunk at the wrong offset): retry from the state."""

    code = "conflict"
