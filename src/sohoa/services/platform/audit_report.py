"""Verify the audit log as an auditor would: the hash chain, then every signed checkpoint against it.

The chain alone shows a row changed or removed in the middle. The checkpoints show what the chain alone
cannot: rows removed from the end (every row, even) and a chain rewritten with recomputed hashes. Each
problem names the rows concerned, in Vietnamese and English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sohoa.services.platform.audit import VerifyResult, last_row_id, verify_chain
from sohoa.services.platform.audit_checkpoint import (
    Checkpoint,
    CheckpointLine,
    checkpoint_logs,
    read_checkpoints,
    trusted_checkpoints,
)
from sohoa.services.platform.audit_keys import audit_key_path, key_id, load_private_key, load_public_key
from sohoa.services.platform.context import AppContext

__all__ = ["AuditProblem", "AuditReport", "audit_report"]


@dataclass(frozen=True)
class AuditProblem:
    """One finding: ``kind`` is chain, missing, altered, signature, no_key or no_checkpoint; ids inclusive."""

    kind: str
    vi: str
    en: str
    first_id: int | None = None
    last_id: int | None = None


@dataclass(frozen=True)
class AuditReport:
    """The chain check, the checkpoints that verified, and what is wrong (nothing when ``ok``)."""

    chain: VerifyResult
    checkpoints: int = 0
    latest: Checkpoint | None = None
    unsigned_rows: int = 0
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def _public_key(ctx: AppContext, public_key_file: Path | None) -> Ed25519PublicKey | None:
    if public_key_file is not None:
        return load_public_key(public_key_file)
    if audit_key_path(ctx.settings).exists():
        return load_private_key(ctx.settings, create=False).public_key()
    return None


def _signature_problems(lines: list[CheckpointLine], key: Ed25519PublicKey | None) -> list[AuditProblem]:
    if key is None:
        return [AuditProblem("no_key", "Không có khóa công khai để kiểm tra điểm kiểm tra",
                             "No public key to verify the checkpoints with")] if lines else []
    out = []
    for ln in lines:
        where = f"{ln.source}:{ln.line}"
        if ln.checkpoint is None:
            out.append(AuditProblem("signature", f"Điểm kiểm tra không đọc được ({where})",
                                    f"Unreadable checkpoint ({where}): {ln.error}"))
        elif not ln.checkpoint.signed_by(key):
            cp = ln.checkpoint
            other = "" if cp.key_id == key_id(key) else " (signed by another key)"
            out.append(AuditProblem("signature", f"Chữ ký điểm kiểm tra sai ({where}, id={cp.head_id})",
                                    f"Checkpoint signature does not verify{other} ({where}: {cp.size} rows "
                                    f"up to id={cp.head_id})", cp.head_id, cp.head_id))
    return out


def _ids(first: int, last: int) -> str:
    return f"id={first}" if first == last else f"id={first}..{last}"


def _missing(cp: Checkpoint, chain: VerifyResult, tail_id: int) -> AuditProblem:
    first = tail_id + 1
    count = cp.size - chain.checked if chain.ok else None
    how_many = f"{count} " if count is not None else ""
    return AuditProblem(
        "missing",
        f"Thiếu {how_many}bản ghi {_ids(first, cp.head_id)} (điểm kiểm tra {cp.timestamp} đã ký {cp.size} bản ghi "
        f"đến id={cp.head_id})",
        f"{how_many}row(s) missing: {_ids(first, cp.head_id)} (the checkpoint of {cp.timestamp} signed {cp.size} rows "
        f"up to id={cp.head_id}; the database ends at id={tail_id})",
        first, cp.head_id)


def _altered(cp: Checkpoint, intact_to: int, stored: str | None) -> AuditProblem:
    now = "is gone" if stored is None else f"now has hash {stored[:16]}…"
    return AuditProblem(
        "altered",
        f"Bản ghi id={cp.head_id} khác với điểm kiểm tra {cp.timestamp}; bản ghi bị sửa đầu tiên nằm trong "
        f"{_ids(intact_to + 1, cp.head_id)}",
        f"Row id={cp.head_id} {now}, not the hash {cp.head_hash[:16]}… signed at {cp.timestamp}: the first altered "
        f"row lies in {_ids(intact_to + 1, cp.head_id)} (rows up to id={intact_to} match an earlier checkpoint)",
        intact_to + 1, cp.head_id)


def _checkpoint_problems(ctx: AppContext, trusted: list[Checkpoint], chain: VerifyResult) -> list[AuditProblem]:
    """Compare each checkpoint, oldest first, with the chain; report the first divergence."""
    intact_to = 0
    reached = chain.head_id if not chain.ok else None  # rows past a broken link could not be replayed
    with ctx.db.session() as session:
        tail_id = last_row_id(session)
    for cp in (c for c in trusted if c.size > 0):
        seen = chain.marks.get(cp.head_id)
        if seen is not None and seen == (cp.size, cp.head_hash):
            intact_to = cp.head_id
            continue
        if seen is None and tail_id < cp.head_id:
            return [_missing(trusted[-1], chain, tail_id)]
        if seen is None and reached is not None and cp.head_id > reached:
            return []  # beyond the broken link, which the chain problem names already
        return [_altered(cp, intact_to, seen[1] if seen else None)]
    return []


def _chain_problem(chain: VerifyResult) -> list[AuditProblem]:
    if chain.ok:
        return []
    gap = ""
    if chain.missing:
        gap = f"; rows {_ids(*chain.missing)} are missing"
    return [AuditProblem(
        "chain", f"Chuỗi băm hỏng: bản ghi đầu tiên sai id={chain.first_bad_id}",
        f"hash chain broken: first bad row id={chain.first_bad_id} ({chain.reason}){gap}; "
        f"{chain.checked} rows verified before it",
        chain.missing[0] if chain.missing else chain.first_bad_id, chain.first_bad_id)]


def audit_report(ctx: AppContext, *, checkpoint_files: list[Path] | None = None,
                 public_key_file: Path | None = None, require_checkpoint: bool = False) -> AuditReport:
    """Replay the chain and check it against every checkpoint in ``checkpoint_files`` (default: ours).

    ``public_key_file`` is the key a third party trusts (default: the public half of our signing key).
    """
    key = _public_key(ctx, public_key_file)
    lines = [ln for path in (checkpoint_files or checkpoint_logs(ctx.settings)) for ln in read_checkpoints(path)]
    problems = _signature_problems(lines, key)
    trusted = trusted_checkpoints(lines, key) if key is not None else []
    with ctx.db.session() as session:
        chain = verify_chain(session, marks=[c.head_id for c in trusted])
    problems = _chain_problem(chain) + problems + _checkpoint_problems(ctx, trusted, chain)
    if not trusted and require_checkpoint:
        problems.append(AuditProblem("no_checkpoint", "Không có điểm kiểm tra đã ký nào",
                                     "No signed checkpoint: truncation cannot be detected"))
    latest = trusted[-1] if trusted else None
    unsigned = chain.checked - latest.size if latest and chain.ok and not problems else 0
    return AuditReport(chain, len(trusted), latest, unsigned, problems)
