"""`sohoa user create` creates a user who can sign in; a bad unit or role is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.services.identity.accounts import authenticate
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings


def test_user_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path))
    runner = CliRunner()
    done = runner.invoke(app, ["user", "create", "--username", "lan", "--password", "Mat-khau-1234",
                               "--role", "qc_inspector"])
    assert done.exit_code == 0, done.output
    ctx = open_context(Settings(data=tmp_path))
    try:
        principal = authenticate(ctx, "lan", "Mat-khau-1234", "127.0.0.1")
        assert principal is not None and principal.role == "qc_inspector"
        assert authenticate(ctx, "lan", "wrong-password", "127.0.0.1") is None
    finally:
        ctx.close()
    bad_unit = runner.invoke(app, ["user", "create", "--username", "x", "--password", "Mat-khau-1234",
                                   "--role", "unit_clerk", "--unit", "NOPE"])
    assert bad_unit.exit_code == 1 and "Unknown unit" in bad_unit.output
    bad_role = runner.invoke(app, ["user", "create", "--username", "y", "--password", "p", "--role", "king"])
    assert bad_role.exit_code != 0
