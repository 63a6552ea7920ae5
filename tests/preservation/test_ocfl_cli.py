"""`sohoa ocfl sync|status|validate` and the web app's scheduled OCFL pass."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.ocfl import hoso_object_id, ocfl_status, ocfl_task, sync_exclusive
from sohoa.settings import Settings
from sohoa.storage.ocfl import object_path
from tests.preservation._ocfl_helpers import ocfl_validate
from tests.preservation.test_ocfl_sync import FIRST, SECOND, build_archive


def test_cli_sync_status_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, root = tmp_path / "data", tmp_path / "elsewhere" / "ocfl"
    monkeypatch.setenv("SOHOA_DATA", str(data))
    monkeypatch.setenv("SOHOA_OCFL_ROOT", str(root))  # a root outside the data directory
    ctx = open_context(Settings(data=data, workers=1))
    try:
        build_archive(ctx, tmp_path / "in")
    finally:
        ctx.close()
    runner = CliRunner()
    done = runner.invoke(app, ["ocfl", "sync", "--file", FIRST, "--json"])
    assert done.exit_code == 0, done.output
    assert [w["version"] for w in json.loads(done.output)["written"]] == ["v1"]
    shown = runner.invoke(app, ["ocfl", "status", "--json"])
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    assert (status["root"], status["objects"], status["pending_files"]) == (str(root), 1, 1)
    assert status["last_sync"].endswith("+07:00")
    done = runner.invoke(app, ["ocfl", "sync"])
    assert done.exit_code == 0 and "1 phiên bản mới / new versions" in done.output, done.output
    assert runner.invoke(app, ["ocfl", "validate"]).exit_code == 0
    assert (root / object_path(hoso_object_id(SECOND)) / "v1").is_dir()
    assert ocfl_validate(root)[0]
    content = next(p for p in root.rglob("METS.xml") if "/v1/content/" in p.as_posix())
    os.chmod(content, 0o600)
    content.write_bytes(content.read_bytes() + b" ")
    bad = runner.invoke(app, ["ocfl", "validate", "--json"])
    assert bad.exit_code == 1 and not json.loads(bad.output)["valid"]
    unknown = runner.invoke(app, ["ocfl", "sync", "--file", "KHONG.CO"])
    assert unknown.exit_code != 0 and "KHONG.CO" in unknown.output


def test_scheduled_pass(tmp_path: Path) -> None:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1, ocfl_interval_minutes=5))
    try:
        build_archive(ctx, tmp_path / "in")
        task = ocfl_task(ctx)
        assert task is not None and task.interval == 300
        task._action()  # one pass, as the web app's thread runs it (under the 'ocfl' lease)
        assert ocfl_status(ctx).objects == 2
    finally:
        ctx.close()
    off = open_context(Settings(data=tmp_path / "data2", workers=1, ocfl_interval_minutes=0))
    try:
        assert ocfl_task(off) is None
    finally:
        off.close()


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    try:
        build_archive(ctx, tmp_path / "in")
        with single_runner(ctx, "ocfl") as mine:  # the web app's scheduled pass is running
            assert mine
            with pytest.raises(SohoaError, match="Another process"):
                sync_exclusive(ctx)
        assert [r.version for r in sync_exclusive(ctx)] == ["v1", "v1"]
    finally:
        ctx.close()
