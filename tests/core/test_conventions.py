"""Conventions guarded by tests: layering, documented settings and commands, module size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sohoa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "sohoa"

# package → packages of ours it must not import
FORBIDDEN = {
    "domain": ("sohoa.pipeline", "sohoa.engines", "sohoa.services", "sohoa.db", "sohoa.web", "sohoa.cli",
               "sohoa.index", "sohoa.storage", "sohoa.api", "sohoa.intelligence", "sohoa.auth"),
    "pipeline": ("sohoa.services", "sohoa.db", "sohoa.web", "sohoa.cli", "sohoa.api"),
    "engines": ("sohoa.services", "sohoa.db", "sohoa.web", "sohoa.cli", "sohoa.pipeline", "sohoa.api"),
    "intelligence": ("sohoa.services", "sohoa.db", "sohoa.web", "sohoa.cli", "sohoa.api"),
    "index": ("sohoa.services", "sohoa.web", "sohoa.cli", "sohoa.api"),
    "storage": ("sohoa.services", "sohoa.db", "sohoa.web", "sohoa.cli", "sohoa.api"),
}
# adapters hold no SQL and no subprocess calls
ADAPTER_FORBIDDEN = ("sqlalchemy", "subprocess")
ADAPTERS = ("cli", "web", "api", "portal")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layering(package: str) -> None:
    bad = []
    for path in (SRC / package).rglob("*.py"):
        for name in _imports(path):
            if name.startswith(FORBIDDEN[package]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


@pytest.mark.parametrize("package", ADAPTERS)
def test_adapters_hold_no_sql_or_subprocess(package: str) -> None:
    bad = []
    for path in (SRC / package).rglob("*.py"):
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
