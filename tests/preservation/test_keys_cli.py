"""`sohoa keys init|status|encrypt|rotate|retire` through the command line, and fixity over sealed objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings
from tests.preservation._encryption_world import build_world


def test_keys_commands_and_fixity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA", str(data))
    ctx = open_context(Settings(data=data))
    try:
        build_world(ctx)
    finally:
        ctx.close()
    runner = CliRunner()
    before = runner.invoke(app, ["keys", "status", "--json"])
    assert before.exit_code == 0, before.output
    assert json.loads(before.output)["current_key"] is None and json.loads(before.output)["due"] == 3

    made = runner.invoke(app, ["keys", "init"])
    assert made.exit_code == 0, made.output
    assert "; 3 " in made.output
    assert runner.invoke(app, ["keys", "init"]).exit_code == 1  # a second init is refused
    status = json.loads(runner.invoke(app, ["keys", "status", "--json"]).output)
    first = status["current_key"]
    assert status["encrypted"] == 3 and status["due"] == 0 and Path(status["keys_dir"]) == tmp_path / "data-keys"
    assert runner.invoke(app, ["keys", "encrypt"]).exit_code == 0

    fixity = runner.invoke(app, ["fixity", "run", "--all", "--rate", "0", "--json"])
    assert fixity.exit_code == 0, fixity.output  # sealed objects verify (decrypted and re-hashed)

    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert runner.invoke(app, ["keys", "retire", first]).exit_code == 0
    assert not (tmp_path / "data-keys" / f"{first}.kek").exists()
    after = json.loads(runner.invoke(app, ["keys", "status", "--json"]).output)
    assert after["current_key"] != first and [k["key_id"] for k in after["keys"]] == [after["current_key"]]
    assert runner.invoke(app, ["keys", "retire", after["current_key"]]).exit_code == 1
    assert runner.invoke(app, ["keys", "status"]).exit_code == 0
