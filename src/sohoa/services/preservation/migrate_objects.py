"""The objects part of ``sohoa migrate-to``: every stored object copied as stored (an envelope stays an envelope,
with its key record) from the archive's object store into the destination store, then compared by the SHA-256
and size of the stored bytes.

An object the destination already holds with the same stored bytes is skipped (a resumed run), one it holds with
other bytes is replaced through ``restore_stored``/``adopt_envelope`` (which check the bytes before swapping them
in). An object damaged or missing at the source is not copied: it is reported, and the migration fails.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectMissing, ObjectStore, sha256_stream
from sohoa.storage.sealed import SealingStore

__all__ = ["ObjectOutcome", "copy_objects", "stored_facts"]

COPIERS = 8  # objects copied at once (mostly waiting on the network or fsync)


@dataclass(frozen=True)
class ObjectOutcome:
    """One object: whether it was copied now, its stored size, and the problem (English) or None."""

    sha256: str
    copied: bool
    size: int
    problem: str | None = None


def stored_facts(store: ObjectStore, sha256: str) -> tuple[str, int] | None:
    """SHA-256 and size of the bytes as kept (an envelope's, for an encrypted object); None when missing."""
    try:
        with store.open_stored(sha256) as handle:
            return sha256_stream(handle)
    except ObjectMissing:
        return None


def _source_problem(source: ObjectStore, sha256: str, facts: tuple[str, int] | None) -> str | None:
    if facts is None:
        return "missing at the source: not copied"
    if source.is_encrypted(sha256):
        return None if source.verify(sha256) else "envelope damaged at the source: not copied"
    return None if facts[0] == sha256 else f"damaged at the source (its bytes hash to {facts[0]}): not copied"


def _put(source: ObjectStore, dest: ObjectStore, sha256: str, present: bool) -> None:
    sealed = source.is_encrypted(sha256)
    record = source.key_record(sha256) if sealed and isinstance(source, SealingStore) else None
    with source.open_stored(sha256) as stream:
        if record is not None and isinstance(dest, SealingStore):
            dest.adopt_envelope(sha256, stream, record)  # the envelope and its key record, checked together
        elif present or sealed:
            dest.restore_stored(sha256, stream)
        else:
            dest.put_stream(stream, expected_sha256=sha256)


def copy_one(source: ObjectStore, dest: ObjectStore, sha256: str) -> ObjectOutcome:
    """Copy one object as stored unless the destination holds the same stored bytes; then compare them."""
    facts = stored_facts(source, sha256)
    problem = _source_problem(source, sha256, facts)
    if problem is not None or facts is None:
        return ObjectOutcome(sha256, False, facts[1] if facts else 0, problem)
    there = stored_facts(dest, sha256)
    copied = there != facts
    try:
        if copied:
            _put(source, dest, sha256, there is not None)
            there = stored_facts(dest, sha256)
    except (SohoaError, OSError) as exc:
        return ObjectOutcome(sha256, copied, facts[1], f"not copied: {exc}")
    if there != facts:
        found = f"{there[0]}, {there[1]} bytes" if there else "nothing"
        return ObjectOutcome(sha256, copied, facts[1],
                             f"differs at the destination: {facts[0]}, {facts[1]} bytes expected, {found} found")
    if facts[0] != sha256 and not dest.verify(sha256):  # an envelope: checked against its key record too
        return ObjectOutcome(sha256, copied, facts[1], "does not verify at the destination")
    return ObjectOutcome(sha256, copied, facts[1])


def copy_objects(source: ObjectStore, dest: ObjectStore, digests: list[str],
                 progress: Callable[[int, int, int], None] | None = None) -> list[ObjectOutcome]:
    """Every object of ``digests`` copied and compared, a few at once; ``progress(done, total, bytes)`` now and
    then. The outcomes come back in the order of ``digests``."""
    outcomes: list[ObjectOutcome] = []
    done_bytes = 0
    step = max(1, len(digests) // 20)
    with ThreadPoolExecutor(COPIERS, thread_name_prefix="sohoa-migrate") as pool:
        for outcome in pool.map(lambda sha: copy_one(source, dest, sha), digests):
            outcomes.append(outcome)
            done_bytes += outcome.size
            if progress is not None and (len(outcomes) % step == 0 or len(outcomes) == len(digests)):
                progress(len(outcomes), len(digests), done_bytes)
    return outcomes
