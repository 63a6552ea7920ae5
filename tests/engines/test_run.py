"""The subprocess chokepoint maps every failure to EngineError."""

from __future__ import annotations

import pytest

from sohoa.domain.errors import EngineError
from sohoa.engines._run import run


def test_returns_stdout_and_passes_stdin_and_env() -> None:
    assert run(["cat"], stdin=b"xin ch\xc3\xa0o") == "xin chào".encode()
    assert run(["sh", "-c", "printf %s \"$SOHOA_X\""], env={"SOHOA_X": "1"}) == b"1"


def test_failure_carries_stderr() -> None:
    with pytest.raises(EngineError) as info:
        run(["sh", "-c", "echo hỏng >&2; exit 3"])
    assert "exit 3" in info.value.en and "hỏng" in info.value.en and "mã 3" in info.value.vi


def test_missing_program() -> None:
    with pytest.raises(EngineError, match="not found"):
        run(["sohoa-no-such-program"])


def test_timeout() -> None:
    with pytest.raises(EngineError, match="longer than"):
        run(["sleep", "5"], timeout=0.2)
