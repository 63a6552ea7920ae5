"""The `sohoa` command starts without loading the application: `--help` imports no heavy module, and the
reading commands import the catalogue, not the pipeline, the engines or the web stack.

Each check runs in a fresh interpreter (this process has imported everything already) and looks at
``sys.modules``; no timing is asserted (bench/startup.py measures it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer.main
from typer import _click

from sohoa.cli.commands import COMMANDS, PACKAGE, load
from sohoa.cli.main import app
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

# What `sohoa --help` must not import (each ~0.05–0.4 s): the database, the web stack, images and PDFs,
# the settings model, and every service, pipeline or engine module of Sohoa.
NOT_FOR_HELP = ("sqlalchemy", "alembic", "pydantic", "pydantic_settings", "fastapi", "starlette", "uvicorn", "cv2",
                "numpy", "PIL", "pikepdf", "reportlab", "pyhanko", "tesserocr", "openpyxl", "argon2",
                "sohoa.settings", "sohoa.db", "sohoa.services", "sohoa.pipeline", "sohoa.engines", "sohoa.intelligence",
                "sohoa.index", "sohoa.signing", "sohoa.samples", "sohoa.app", "sohoa.web", "sohoa.api", "sohoa.portal",
                "sohoa.cli.common")
# What `sohoa search`, `show` and `status` must not import: they read the catalogue through SQLAlchemy only.
NOT_FOR_READING = ("fastapi", "starlette", "uvicorn", "cv2", "numpy", "PIL", "pikepdf", "reportlab", "pyhanko",
                   "tesserocr", "openpyxl", "alembic", "sohoa.pipeline", "sohoa.engines", "sohoa.samples",
                   "sohoa.signing", "sohoa.intelligence.separator", "sohoa.intelligence.stamps",
                   "sohoa.services.production", "sohoa.services.sharing", "sohoa.app", "sohoa.web", "sohoa.api",
                   "sohoa.portal", "sohoa.cli.records", "sohoa.cli.server", "sohoa.cli.generate")


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (with a throwaway data directory)."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {"PATH": "/usr/bin:/bin", "SOHOA_DATA": str(tmp_path / "data"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = _modules_after(
        "from sohoa.cli.main import app\n"
        "try:\n    app(['--help'], prog_name='sohoa')\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code",
        tmp_path)
    assert "sohoa.cli.main" in modules  # the check ran
    assert not _loaded(modules, NOT_FOR_HELP)
    assert not _loaded(modules, tuple(f"{PACKAGE}.{e.module}" for e in COMMANDS.values()))


@pytest.mark.parametrize("command", ["search", "status"])
def test_reading_commands_leave_out_the_pipeline_and_the_web_stack(command: str, tmp_path: Path) -> None:
    open_context(Settings(data=tmp_path / "data")).close()  # an archive at head: no migration is due
    args = ["search", "quyết định", "--json"] if command == "search" else ["status", "--json"]
    modules = _modules_after(
        "from sohoa.cli.main import app\n"
        f"try:\n    app({args!r}, prog_name='sohoa')\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code",
        tmp_path)
    assert "sohoa.services.catalogue.catalog" in modules  # the command ran
    assert not _loaded(modules, NOT_FOR_READING)


def test_the_table_gives_each_command_its_own_help() -> None:
    """`sohoa --help` lists the help written in the table: it must be the first paragraph of the help the
    command itself gives (the rest is shown by `sohoa COMMAND --help`)."""
    for name, entry in COMMANDS.items():
        command = load(name, rich_markup_mode="rich")
        assert command.name == name
        assert command.help is not None
        assert command.help.split("\n\n")[0].strip() == entry.help, name


def test_help_lists_every_command_once_in_order() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["--help"], terminal_width=160)
    assert result.exit_code == 0, result.output
    lines = [line.strip("│ ").split(" ", 1)[0] for line in result.output.splitlines()]
    listed = [word for word in lines if word in COMMANDS]
    assert listed == list(COMMANDS)


def test_the_group_runs_the_commands_it_loads() -> None:
    group = typer.main.get_group(app)
    assert list(group.commands) == list(COMMANDS)
    assert group.get_command(_click.Context(group), "nosuch") is None
    assert getattr(group.commands["audit"], "commands", None)  # a group arrives with its subcommands


def test_command_modules_are_named_lazy_in_the_package_map() -> None:
    lazy = tomllib.loads((ROOT / "src" / "sohoa" / "package_map.toml").read_text(encoding="utf-8"))["lazy"]
    missing = sorted({f"{PACKAGE}.{e.module}" for e in COMMANDS.values()} - set(lazy))
    assert not missing, f"add to [lazy] of package_map.toml: {missing}"
