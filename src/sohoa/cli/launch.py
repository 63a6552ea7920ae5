"""The `sohoa` entry point: reading commands go to a running server first, everything else to the CLI.

`sohoa status` and `sohoa search` in a fresh interpreter spend about a second importing SQLAlchemy, the
models and the settings. When `sohoa serve` runs on the same data directory it answers them through its
control socket (:mod:`sohoa.services.platform.control`, same account only) with the same printing code
(:mod:`sohoa.cli.remote`); this module imports nothing else before asking, so such a call costs a few
hundredths of a second. No server, a stale socket, another database, ``--help``, a usage error, or
``SOHOA_USE_RUNNING_SERVER=false``: the command runs here, as it always did, and prints the same.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__all__ = ["main"]

_READING = ("search", "status")
_SENT_ENV = ("SOHOA_DATABASE_URL", "COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR",
             "TTY_COMPATIBLE", "TTY_INTERACTIVE")
_ANSWER_SECONDS = 60.0  # a search the server has not answered by then is not waited for


def _wanted(argv: list[str]) -> bool:
    if not argv or argv[0] not in _READING or any(a in ("--help", "-h") for a in argv[1:]):
        return False
    return os.environ.get("SOHOA_USE_RUNNING_SERVER", "true").strip().lower() not in ("0", "false", "no", "off")


def _environment(stdout_tty: bool) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SENT_ENV if k in os.environ}
    if stdout_tty and "COLUMNS" not in env:
        with contextlib.suppress(OSError):
            env["COLUMNS"] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
    return env


def ask_server(argv: list[str]) -> dict[str, object] | None:
    """The server's answer to a reading command, or None when the command must run here."""
    path = Path(os.environ.get("SOHOA_DATA") or "./data") / "run" / "control.sock"
    if not path.exists():
        return None
    from sohoa.services.platform.control import ControlClient, ControlClosed  # the socket client only

    stdout_tty = sys.stdout.isatty()
    payload = {"argv": argv, "env": _environment(stdout_tty), "stdout_tty": stdout_tty,
               "stderr_tty": sys.stderr.isatty()}
    try:
        answers = list(ControlClient(path.absolute(), 0).call("cli", payload, timeout=_ANSWER_SECONDS))
    except (ControlClosed, OSError, RuntimeError, EOFError, ValueError):
        return None  # no server, a stale socket, or one that does not know the operation
    answer = answers[0] if len(answers) == 1 and isinstance(answers[0], dict) else None
    if answer is None or answer.get("declined"):
        return None
    return answer


def main() -> None:
    """`sohoa …`"""
    argv = sys.argv[1:]
    answer = ask_server(argv) if _wanted(argv) else None
    if answer is not None:
        sys.stdout.write(str(answer.get("stdout", "")))
        sys.stderr.write(str(answer.get("stderr", "")))
        sys.stdout.flush()
        raise SystemExit(int(str(answer.get("code", 0))))
    from sohoa.cli.main import app  # Typer and the command table

    app(prog_name="sohoa")
