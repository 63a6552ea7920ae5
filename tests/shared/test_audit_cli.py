"""Audit through the `sohoa` command: an intact chain verifies; changing one row names that row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings


def test_tamper_is_detected_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA", str(data))
    runner = CliRunner()
    created = runner.invoke(app, ["token", "create", "--name", "city", "--scope", "read:public"])
    assert created.exit_code == 0, created.output
    assert created.output.strip().splitlines()[-1].startswith("sohoa_")
    ctx = open_context(Settings(data=data))
    try:
        for word in ("hòa giải", "quyết định", "155/KH-UBND", "đất đai"):
            search(ctx, None, SearchRequest(word))
        ok = runner.invoke(app, ["audit", "verify"])
        assert ok.exit_code == 0, ok.output
        assert "5" in ok.output  # the token creation and four searches
        with ctx.db.engine.begin() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM events ORDER BY id"))]
            victim = ids[2]
            conn.execute(text("UPDATE events SET actor = 'mallory' WHERE id = :id"), {"id": victim})
    finally:
        ctx.close()
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"id={victim}" in bad.output
    exported = runner.invoke(app, ["audit", "export", str(tmp_path / "log.csv"), "--action", "search"])
    assert exported.exit_code == 0, exported.output
    lines = (tmp_path / "log.csv").read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == 5 and lines[2].split(",")[:3] == [str(victim), lines[2].split(",")[1], "mallory"]


def test_deleted_row_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA", str(data))
    ctx = open_context(Settings(data=data))
    try:
        for word in ("một", "hai", "ba"):
            search(ctx, None, SearchRequest(word))
        with ctx.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM events WHERE id = 2"))
    finally:
        ctx.close()
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "id=3" in result.output
