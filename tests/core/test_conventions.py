"""Conventions guarded by tests: layering, documented settings and commands, module size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sohoa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "sohoa"

# The layering (which package may import which) is the package map's: tests/core/test_package_map.py.

# A module stays readable in one sitting: at most this many lines of code (blank and comment-only lines
# not counted). Split a module by what its parts do before it grows past this.
MAX_MODULE_LINES = 400
# adapters hold no SQL and no subprocess calls
ADAPTER_FORBIDDEN = ("sqlalchemy", "subprocess")
ADAPTERS = ("cli", "web", "api", "portal", "http", "app.py")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _code_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.lstrip().startswith("#"))


def test_modules_stay_small() -> None:
    large = {str(p.relative_to(ROOT)): n for p in SRC.rglob("*.py")
             if "migrations/versions" not in p.as_posix() and (n := _code_lines(p)) > MAX_MODULE_LINES}
    assert not large, f"modules over {MAX_MODULE_LINES} lines of code: {large}"


@pytest.mark.parametrize("package", ADAPTERS)
def test_adapters_hold_no_sql_or_subprocess(package: str) -> None:
    bad = []
    paths = [SRC / package] if package.endswith(".py") else list((SRC / package).rglob("*.py"))
    for path in paths:
        for name in _imports(path):
            if name.split(".")[0] in ADAPTER_FORBIDDEN:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"SOHOA_{n.upper()}" not in doc]
    assert not missing, f"run scripts/docs_config.py; undocumented: {missing}"


def test_every_cli_command_is_documented() -> None:
    import typer.main

    from sohoa.cli.main import app

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    group = typer.main.get_group(app)
    missing = []
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        names = [f"sohoa {name} {sub}" for sub in subcommands] if subcommands else [f"sohoa {name}"]
        missing += [n for n in names if f"`{n}" not in doc]
    assert not missing, missing


def test_every_module_has_a_docstring() -> None:
    missing = [str(p.relative_to(ROOT)) for p in SRC.rglob("*.py")
               if "migrations/versions" not in str(p) and ast.get_docstring(ast.parse(p.read_text())) is None
               and p.stat().st_size > 0]
    assert not missing, missing
