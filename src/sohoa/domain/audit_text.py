"""A bounded copy of user-supplied text for the audit log: the first characters, the length and a digest."""

from __future__ import annotations

import hashlib

__all__ = ["AUDIT_TEXT_CHARS", "bounded_text"]

AUDIT_TEXT_CHARS = 200


def bounded_text(name: str, value: str, keep: int = AUDIT_TEXT_CHARS) -> dict[str, object]:
    """``{name: value}`` when short; else the first ``keep`` characters plus ``{name}_chars`` (the length)
    and ``{name}_sha256`` (of the whole, UTF-8), so an auditor can still match a query seen elsewhere.

    The audit log grows by a bounded amount per request, whatever a caller sends.
    """
    if len(value) <= keep:
        return {name: value}
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return {name: value[:keep], f"{name}_chars": len(value), f"{name}_sha256": digest}
