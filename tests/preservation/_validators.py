"""Where the independent validators of the preservation tests live, and how to run them.

They are installed in their own virtualenv `.venv-validators/` by `scripts/bootstrap.sh validators` (part of
`make test`): ocfl-py's `ocfl-validate.py`, `eark-validator` and `bagit.py`. `require(name)` returns a tool's
path; when it is missing the test fails under CI=true and is skipped otherwise.

eark-validator offline: version 1.1.3 downloads four DILCIS vocabularies (`https://earkcsip.dilcis.eu/schema/
CSIPVocabulary….xml`) with `urlopen` at import time, although it ships the same files in
`eark_validator/ipxml/resources/vocabs/`; it has no option or environment variable for it. `eark_command(...)`
therefore runs it through `tests/preservation/_eark_offline.py`, which answers those addresses from the shipped
copies and refuses any other URL. Use `eark_command`/`run_eark`, never the bare `eark-validator` script.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv-validators" / "bin"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
EARK_OFFLINE = Path(__file__).with_name("_eark_offline.py")

TOOLS = {
    "ocfl-validate.py": VENV_BIN / "ocfl-validate.py",
    "eark-validator": VENV_BIN / "eark-validator",
    "bagit.py": VENV_BIN / "bagit.py",
    "python": VENV_BIN / "python",
}


def tool_path(name: str) -> Path | None:
    """The path of a validator, or None when it is not installed."""
    path = TOOLS[name]
    return path if path.exists() and os.access(path, os.X_OK) else None


def require(name: str) -> Path:
    """The path of a validator; fail under CI, skip otherwise, when it is missing."""
    path = tool_path(name)
    if path is None:
        message = f"{name} is missing from .venv-validators (run scripts/bootstrap.sh validators)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def validator_command(name: str, *args: str | Path) -> list[str]:
    """The command line running a validator script with the validators' own interpreter."""
    return [str(require("python")), str(require(name)), *map(str, args)]


def eark_command(*args: str | Path) -> list[str]:
    """The offline eark-validator command line (see the module docstring)."""
    require("eark-validator")
    return [str(require("python")), str(EARK_OFFLINE), *map(str, args)]


@dataclass(frozen=True)
class EarkResult:
    """One package's eark-validator verdict: the exit code, its JSON report, and the ERROR messages."""

    returncode: int
    report: dict[str, Any]
    errors: list[str]
    output: str

    @property
    def structure_status(self) -> str:
        return str(self.report.get("structure", {}).get("status", ""))


def run_eark(package: Path, *extra: str, timeout: float = 300) -> EarkResult:
    """Validate one package (directory or archive) with eark-validator, offline; parse its report."""
    proc = subprocess.run(eark_command(*extra, package), capture_output=True, text=True, timeout=timeout, check=False)
    report: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    errors = [
        f"{m.get('rule_id')}: {m.get('message')} @ {m.get('location')}"
        for section in ("structure", "metadata")
        for m in _messages(report.get(section))
        if str(m.get("severity", "")).lower() == "error"
    ]
    return EarkResult(proc.returncode, report, errors, proc.stdout + proc.stderr)


def _messages(section: Any) -> list[dict[str, Any]]:
    if not isinstance(section, dict):
        return []
    found: list[dict[str, Any]] = list(section.get("messages") or [])
    for value in section.values():
        if isinstance(value, dict):
            found.extend(_messages(value))
        elif isinstance(value, list):
            found.extend(v for item in value if isinstance(item, dict) for v in _messages(item))
    return found
