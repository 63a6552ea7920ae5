"""Signed checkpoints of the audit chain's head, in the manner of RFC 6962's signed tree heads.

A checkpoint states "the log held ``size`` rows, the last one id ``head_id`` with hash ``head_hash``, at
``timestamp``", signed with an Ed25519 key kept outside the database. Checkpoints are appended to a
JSON-lines file in ``data/audit/`` (and to a copy in ``SOHOA_AUDIT_CHECKPOINT_DIR``), never to the
database, so truncating or rewriting the chain no longer goes unnoticed: the rows a checkpoint signed
must still be there, with the hash it signed.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sohoa.domain.errors import EngineError, SohoaError, ValidationFailed
from sohoa.services.platform.audit import GENESIS, row_hash, verify_chain
from sohoa.services.platform.audit_keys import audit_key_path, key_id, load_private_key, public_key_pem, signature_valid
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.settings import Settings

__all__ = ["FORMAT", "ChainTampered", "Checkpoint", "CheckpointLine", "checkpoint_logs", "checkpoint_pass",
           "checkpoint_task", "export_checkpoints", "read_checkpoints", "trusted_checkpoints", "write_checkpoint"]

log = logging.getLogger(__name__)

FORMAT = "sohoa-audit-checkpoint/1"
LOG_NAME = "checkpoints.jsonl"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement of the chain's head; ``signature`` covers every other field."""

    size: int
    head_id: int
    head_hash: str
    timestamp: str
    key_id: str
    signature: str = ""
    format: str = FORMAT

    def signed_bytes(self) -> bytes:
        body = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def to_line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False) + "\n"

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        """The signature verifies under ``key`` (and names that key)."""
        try:
            raw = base64.b64decode(self.signature, validate=True)
        except ValueError:
            return False
        return self.key_id == key_id(key) and signature_valid(key, raw, self.signed_bytes())


@dataclass(frozen=True)
class CheckpointLine:
    """A line of a checkpoint file: the checkpoint, or why it could not be read."""

    source: str
    line: int
    checkpoint: Checkpoint | None
    error: str | None = None


class ChainTampered(SohoaError):
    """The chain does not extend the last checkpoint: nothing is signed over it."""

    code = "audit_tampered"


def checkpoint_logs(settings: Settings) -> list[Path]:
    """The checkpoint files: the one in the data directory, then the copy on other media if configured."""
    paths = [settings.data / "audit" / LOG_NAME]
    if settings.audit_checkpoint_dir is not None:
        paths.append(settings.audit_checkpoint_dir / LOG_NAME)
    return paths


def _parse(raw: str) -> Checkpoint:
    data: Any = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a Sohoa audit checkpoint")
    cp = Checkpoint(size=int(data["size"]), head_id=int(data["head_id"]), head_hash=str(data["head_hash"]),
                    timestamp=str(data["timestamp"]), key_id=str(data["key_id"]), signature=str(data["signature"]))
    datetime.fromisoformat(cp.timestamp)
    return cp


def read_checkpoints(path: Path) -> list[CheckpointLine]:
    """Every line of a checkpoint file, parsed; a missing file reads as empty."""
    if not path.exists():
        return []
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            out.append(CheckpointLine(str(path), number, _parse(raw)))
        except (ValueError, KeyError, TypeError) as exc:
            out.append(CheckpointLine(str(path), number, None, f"unreadable: {exc}"))
    return out


def trusted_checkpoints(lines: list[CheckpointLine], key: Ed25519PublicKey) -> list[Checkpoint]:
    """The distinct checkpoints whose signature verifies under ``key``, smallest head first."""
    unique = {ln.checkpoint.signature: ln.checkpoint for ln in lines
              if ln.checkpoint is not None and ln.checkpoint.signed_by(key)}
    return sorted(unique.values(), key=lambda c: (c.head_id, c.size, c.timestamp))


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(line)  # one write of one line: appends from several processes do not interleave
        out.flush()
        os.fsync(out.fileno())


def _extend(ctx: AppContext, last: Checkpoint | None) -> tuple[int, int, str]:
    """(size, head id, head hash) now, checked to extend ``last``; ChainTampered if it does not."""
    start = (last.head_id, last.size, last.head_hash) if last else (0, 0, GENESIS)
    with ctx.db.session() as session:
        result = verify_chain(session, start=start)
    if not result.ok:
        raise ChainTampered(f"Chuỗi nhật ký hỏng tại bản ghi id={result.first_bad_id}; không ký điểm kiểm tra",
                            f"Audit chain broken at row id={result.first_bad_id} ({result.reason}); "
                            "no checkpoint signed")
    return result.checked, result.head_id, result.head_hash


def _head_unchanged(ctx: AppContext, last: Checkpoint) -> bool:
    """The row the last checkpoint signed is still there, unchanged (an empty replay does not show it)."""
    if last.size == 0:
        return True
    with ctx.db.session() as session:
        return row_hash(session, last.head_id) == last.head_hash


def write_checkpoint(ctx: AppContext, *, only_if_changed: bool = False) -> Checkpoint | None:
    """Sign the chain's head and append it to every checkpoint file; None when unchanged and so asked.

    The chain is first replayed from the last trusted checkpoint: a log that was truncated or rewritten
    since is refused (ChainTampered) rather than signed.
    """
    private = load_private_key(ctx.settings)
    public = private.public_key()
    lines = [ln for path in checkpoint_logs(ctx.settings) for ln in read_checkpoints(path)]
    known = trusted_checkpoints(lines, public)
    last = known[-1] if known else None
    if last is not None and not _head_unchanged(ctx, last):
        raise ChainTampered(f"Bản ghi id={last.head_id} đã mất hoặc khác với điểm kiểm tra đã ký; không ký tiếp",
                            f"Row id={last.head_id} is gone or differs from the signed checkpoint; "
                            "no checkpoint signed (run sohoa audit verify)")
    size, head_id, head_hash = _extend(ctx, last)
    if only_if_changed and last is not None and (last.size, last.head_hash) == (size, head_hash):
        return None
    unsigned = Checkpoint(size, head_id, head_hash, datetime.now(VN_TZ).isoformat(timespec="seconds"),
                          key_id(public))
    checkpoint = replace(unsigned, signature=base64.b64encode(private.sign(unsigned.signed_bytes())).decode())
    paths = checkpoint_logs(ctx.settings)
    _append(paths[0], checkpoint.to_line())
    for path in paths[1:]:
        try:
            _append(path, checkpoint.to_line())
        except OSError as exc:
            raise EngineError(f"Không ghi được bản sao điểm kiểm tra vào {path}",
                              f"Cannot write the checkpoint copy to {path}: {exc}") from exc
    return checkpoint


def export_checkpoints(ctx: AppContext, out: Path, public_out: Path) -> tuple[int, str]:
    """Write every signed checkpoint (JSON lines) and the public key (PEM) for another system to verify.

    Returns (number of checkpoints, key id).
    """
    path = audit_key_path(ctx.settings)
    if not path.exists():
        raise ValidationFailed("Chưa có điểm kiểm tra nào (chưa có khóa ký)", "No checkpoint yet (no signing key)")
    public = load_private_key(ctx.settings, create=False).public_key()
    lines = [ln for p in checkpoint_logs(ctx.settings) for ln in read_checkpoints(p)]
    checkpoints = trusted_checkpoints(lines, public)
    out.write_text("".join(c.to_line() for c in checkpoints), encoding="utf-8")
    public_out.write_bytes(public_key_pem(public))
    return len(checkpoints), key_id(public)


def checkpoint_pass(ctx: AppContext) -> None:
    """One scheduled checkpoint; a refusal is logged loudly, never raised into the web app."""
    try:
        written = write_checkpoint(ctx, only_if_changed=True)
    except ChainTampered as exc:
        log.error("audit checkpoint refused: %s", exc.en)
        return
    except (SohoaError, OSError):
        log.exception("audit checkpoint failed")
        return
    if written is not None:
        log.info("audit checkpoint: %d rows up to id %d", written.size, written.head_id)


def checkpoint_task(ctx: AppContext) -> PeriodicTask | None:
    """The web app's checkpoints every ``audit_checkpoint_minutes`` (the first at start), None when 0."""
    minutes = ctx.settings.audit_checkpoint_minutes
    if minutes <= 0:
        return None
    return PeriodicTask("audit-checkpoint", lambda: checkpoint_pass(ctx), minutes * 60.0)
