"""The `sohoa` entry point: some commands go to a running server first, everything else to the CLI.

`sohoa status`, `sohoa search` and `sohoa ingest` in a fresh interpreter spend about a second importing
SQLAlchemy, the models and the settings (an ingest then starts its page workers). When `sohoa serve` runs on
the same data directory it runs them through its control socket (:mod:`sohoa.services.platform.control`,
same account only) with the same code (:mod:`sohoa.cli.remote`; an ingest with its warm pool), streaming
the output back; this module imports nothing else before asking, so a status or search costs a few
hundredths of a second. No server, a stale socket, other settings, ``--help``, a usage error,
``--local-pool`` or ``SOHOA_USE_RUNNING_SERVER=false``: the command runs here, as it always did.

When nobody answers a `sohoa status` or `sohoa search`, it also starts a resident CLI helper for the data directory
(:mod:`sohoa.cli.resident`; not with ``SOHOA_CLI_RESIDENT=false``), detached, before running the command here:
the next commands are answered by it the way `sohoa serve` answers them.

An ingest that runs here starts its page workers' forkserver first (:func:`sohoa.services.platform.preload.
start_forkserver`, with this process's private umask), so the forkserver imports the worker modules while
this process imports the application.
"""

from __future__ import annotations

import contextlib
import os
import sys

from sohoa.cli import resident

__all__ = ["main"]

_ANSWERED = ("search", "status", "ingest")
_SENT_ENV = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
             "TTY_INTERACTIVE")
_GONE = ("Lỗi / Error: máy chủ Sohoa đang chạy đã dừng giữa chừng; hãy chạy lại lệnh (công việc tiếp tục từ chỗ "
         "đã dừng) / the running Sohoa server stopped midway; run the command again (the work resumes)\n")


def _off(name: str) -> bool:
    return os.environ.get(name, "true").strip().lower() in ("0", "false", "no", "off")


def _wanted(argv: list[str]) -> bool:
    if not argv or argv[0] not in _ANSWERED or any(a in ("--help", "-h", "--local-pool") for a in argv[1:]):
        return False
    return not _off("SOHOA_USE_RUNNING_SERVER")


def _environment(stdout_tty: bool) -> dict[str, str]:
    """The client's settings (secrets left out: the server compares, and declines when they differ) and
    the terminal variables rich reads."""
    env = {k: v for k, v in os.environ.items()
           if (k.startswith("SOHOA_") and "SECRET" not in k and "PASSWORD" not in k) or k in _SENT_ENV}
    if stdout_tty and "COLUMNS" not in env:
        with contextlib.suppress(OSError):
            env["COLUMNS"] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
    return env


def ask_server(argv: list[str]) -> int | None:
    """Have a running server run the command, printing its output as it comes; the exit code, or None when
    the command must run here (no server, a stale socket, or the server declined before any output)."""
    return _ask(argv)[0]


def _ask(argv: list[str]) -> tuple[int | None, str | None]:
    """:func:`ask_server`'s exit code, and why the server declined (None when it answered or nobody did)."""
    path = resident.data_dir() / "run" / "control.sock"
    if not path.exists():
        return None, None
    from sohoa.services.platform.control import ControlClient, ControlClosed  # the socket client only

    stdout_tty = sys.stdout.isatty()
    payload = {"argv": argv, "env": _environment(stdout_tty), "stdout_tty": stdout_tty,
               "stderr_tty": sys.stderr.isatty(), "cwd": os.getcwd(), "fingerprint": resident.fingerprint(),
               "resident": resident.enabled()}
    printed, code = False, None
    try:
        with ControlClient(path.absolute(), 0).open("cli", payload) as channel:
            for kind, value in channel.items():
                if kind == "declined":
                    return None, str(value)
                if kind in ("out", "err"):
                    stream = sys.stdout if kind == "out" else sys.stderr
                    stream.write(str(value))
                    stream.flush()
                    printed = True
                elif kind == "exit":
                    code = int(value)
    except (ControlClosed, OSError, RuntimeError, EOFError, ValueError, TypeError):
        if not printed:
            return None, None  # no server, a stale socket, or one that does not know the operation
    if code is None:  # the server went away after it began to answer
        sys.stderr.write(_GONE)
        return 1, None
    return code, None


def main() -> None:
    """`sohoa …`"""
    argv = sys.argv[1:]
    if _wanted(argv):
        code, declined = _ask(argv)
        if code is not None:
            raise SystemExit(code)
        # nobody answered, or a resident of other code did (it is leaving): a resident for the next commands
        if argv[0] in resident.READING and declined in (None, resident.OTHER_CODE) and resident.enabled():
            resident.start(resident.data_dir())
    if _starts_workers(argv):
        _early_forkserver()
    from sohoa.cli.main import app  # Typer and the command table

    app(prog_name="sohoa")


def _starts_workers(argv: list[str]) -> bool:
    """An ingest run here, with more than one worker (as far as the environment tells)."""
    return (bool(argv) and argv[0] == "ingest" and len(argv) > 1
            and not any(a in ("--help", "-h") for a in argv[1:])
            and os.environ.get("SOHOA_WORKERS", "").strip() != "1"
            and not os.environ.get("SOHOA_BROKER_URL", "").strip())  # the cluster's workers do the pages


def _early_forkserver() -> None:
    from sohoa.services.platform.preload import start_forkserver  # the standard library only
    from sohoa.storage.private import restrict_umask  # as the CLI sets it: the workers' files stay private

    restrict_umask()
    with contextlib.suppress(OSError, ValueError):  # the ingest starts it again if this one failed
        start_forkserver()
