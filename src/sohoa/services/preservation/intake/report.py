"""What one `sohoa ingest-package` did: the report the command prints and the summary the intake keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["IntakeReport"]


@dataclass
class IntakeReport:
    """What one ``ingest-package`` did. ``already``: the same package was taken in before (nothing changed)."""

    package_id: str
    package_type: str
    source_kind: str
    file_code: str | None = None
    already: bool = False
    foreign: bool = False
    documents_created: int = 0
    documents_matched: int = 0
    objects: int = 0
    objects_new: int = 0
    premis_imported: int = 0
    premis_known: int = 0
    audit_imported: int = 0
    audit_known: int = 0
    audit_bad_hashes: tuple[int, ...] = ()
    document_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}
