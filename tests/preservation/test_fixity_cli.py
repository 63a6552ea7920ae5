"""`sohoa fixity run|report|history`: exit 0 while intact, 1 while damage stays unrepaired, named in the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings
from tests.preservation._fixity_archive import DOC_CODE, FILE_CODE, build_archive, flip_bit


def test_run_report_history_and_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA", str(data))
    ctx = open_context(Settings(data=data))
    try:
        archive = build_archive(ctx)
        runner = CliRunner()
        first = runner.invoke(app, ["fixity", "run", "--rate", "0", "--json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.output)["ok"] == 5
        assert runner.invoke(app, ["fixity", "report"]).exit_code == 0

        flip_bit(ctx, archive.masters[1][1])
        bad = runner.invoke(app, ["fixity", "run", "--all", "--rate", "0"])
        assert bad.exit_code == 1
        assert archive.masters[1][1] in bad.output and f"document {DOC_CODE}, page 2" in bad.output
        report = runner.invoke(app, ["fixity", "report", "--json"])
        assert report.exit_code == 1
        problems = json.loads(report.output)["problems"]
        assert [(p["sha256"], p["outcome"]) for p in problems] == [(archive.masters[1][1], "mismatch")]
        assert problems[0]["where"] == [f"file {FILE_CODE}, document {DOC_CODE}, page 2 (master)"]
        assert problems[0]["checked_at"].endswith("+07:00")

        shown = runner.invoke(app, ["fixity", "history", archive.masters[1][1], "--json"])
        assert shown.exit_code == 0, shown.output
        assert [c["outcome"] for c in json.loads(shown.output)["checks"]] == ["mismatch", "ok"]
        assert runner.invoke(app, ["fixity", "history", str(archive.masters[1][0])]).exit_code == 0
        assert runner.invoke(app, ["fixity", "history", "999999"]).exit_code == 2
    finally:
        ctx.close()
