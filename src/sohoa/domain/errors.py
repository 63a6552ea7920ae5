"""Sohoa's own exceptions. Each carries a message in Vietnamese and English."""

from __future__ import annotations

__all__ = ["EngineError", "InputRejected", "NotFound", "PermissionDenied", "SohoaError", "ValidationFailed"]


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


class NotFound(SohoaError):
    code = "not_found"


class PermissionDenied(SohoaError):
    code = "forbidden"
