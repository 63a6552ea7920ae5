"""`sohoa personal-data find`: the entity index at the command line, purpose required and audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.db.models import Event
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings

from ._personal_world import NAME, build_personal_world


def test_find_prints_the_records_and_is_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path))
    ctx = open_context(Settings(data=tmp_path))
    try:
        world = build_personal_world(ctx)
    finally:
        ctx.close()
    runner = CliRunner()
    refused = runner.invoke(app, ["personal-data", "find", "nguyen van thuan", "--purpose", "xem"])
    assert refused.exit_code != 0
    done = runner.invoke(app, ["personal-data", "find", "nguyen van thuan", "--purpose", "Kiểm tra hồ sơ đất đai",
                               "--unit", "PD.MOI.001"])
    assert done.exit_code == 0, done.output
    assert f"họ tên / personal name: {NAME}" in done.output and "1 giá trị" in done.output
    assert f"#{world.docs['land']} Quyết định 12/QĐ-UBND 12/03/2019 · Xã Thử Cũ" in done.output
    assert f"#{world.docs['secret']} " not in done.output and f"#{world.docs['other']} " not in done.output
    ctx = open_context(Settings(data=tmp_path))
    try:
        with ctx.db.session() as session:
            (event,) = session.execute(select(Event).where(Event.action == "personal.search")).scalars()
            assert event.actor == "system" and (event.payload or {})["purpose"] == "Kiểm tra hồ sơ đất đai"
    finally:
        ctx.close()
