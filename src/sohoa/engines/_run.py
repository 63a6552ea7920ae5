"""The one place Sohoa starts external programs: builds the call, enforces a timeout, maps failures."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

from sohoa.domain.errors import EngineError

__all__ = ["run"]

_STDERR_TAIL = 800


def run(
    args: Sequence[str],
    *,
    stdin: bytes | None = None,
    timeout: float = 300.0,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """Run ``args`` and return its stdout; any failure becomes an :class:`EngineError` (vi + en)."""
    program = args[0]
    full_env = {**os.environ, **env} if env else None
    try:
        done = subprocess.run(
            list(args), input=stdin, capture_output=True, timeout=timeout, env=full_env, check=False
        )
    except FileNotFoundError as exc:
        raise EngineError(
            f"Không tìm thấy chương trình '{program}'. Hãy cài đặt nó.",
            f"Program '{program}' not found. Please install it.",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise EngineError(
            f"Chương trình '{program}' chạy quá {timeout:.0f} giây và đã bị dừng.",
            f"Program '{program}' ran longer than {timeout:.0f} s and was stopped.",
        ) from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
        raise EngineError(
            f"Chương trình '{program}' lỗi (mã {done.returncode}): {tail}",
            f"Program '{program}' failed (exit {done.returncode}): {tail}",
        )
    return done.stdout
