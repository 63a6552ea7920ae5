"""The resident CLI helper: `sohoa status` and `sohoa search` answered in hundredths of a second without a server.

A reading command in a fresh process spends about 0.7 s importing SQLAlchemy, the models and the settings.
When `sohoa serve` runs, the launcher (:mod:`sohoa.cli.launch`) has it run the command over its control socket;
when nothing answers there, the command runs in its own process exactly as before **and** the launcher starts,
in the background and without waiting, a *resident* for that data directory (the pattern of dmypy or the Gradle
daemon): a process that loads the application once and serves only the control socket, with the same code as
the command (:mod:`sohoa.cli.remote`) — no web port, no hot folders, no background jobs, no page pool (an
ingest sent to it is declined and runs in its own process). Later commands are answered through the socket.

- One per data directory: it listens only while it holds ``run/control.lock``
  (:mod:`sohoa.services.platform.control_owner`); of many started at once one serves, the others exit. The
  kernel drops the lock of a killed process, and the next owner replaces a stale socket file.
- It leaves by itself after ``SOHOA_CLI_RESIDENT_IDLE_SECONDS`` (600) without a command, when its data
  directory, database file or socket file is gone or replaced, when the installed code changes, on SIGTERM,
  and when `sohoa serve` starts on the data directory (the server asks it to stop and takes the socket).
- It never answers with other code or other settings: the launcher sends :func:`fingerprint` (the
  interpreter, and the names, sizes and modification times of the package's Python files, ``sohoa/__init__.py``
  with the version among them) and its ``SOHOA_*`` settings; a resident whose fingerprint differs declines and
  exits, one whose settings differ declines.
- Same account only (the control socket checks the peer); its files are 0600 in the 0700 ``run`` folder,
  its log ``run/resident.log``. ``sohoa resident`` shows it, ``sohoa resident --stop`` stops it.
- ``SOHOA_CLI_RESIDENT=false``: none is started or asked; ``SOHOA_USE_RUNNING_SERVER=false``: nobody is asked.

Standard library only: the launcher imports this module before it decides anything.
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

__all__ = ["LOG", "OTHER_CODE", "READING", "data_dir", "enabled", "fingerprint", "serve", "start"]

READING = ("search", "status")  # the commands that start a resident when nobody answers them
OTHER_CODE = "the client runs other code"  # a resident declines with this, then exits
LOG = "resident.log"
_LOG_MAX = 1 << 20  # a log past this size starts over when the next resident starts
_ENTRY = "from sohoa.cli.resident import serve; serve()"
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the installed sohoa package


def _off(name: str) -> bool:
    return os.environ.get(name, "true").strip().lower() in ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether this client starts and asks a resident (``SOHOA_CLI_RESIDENT``, read here as the settings do)."""
    return not _off("SOHOA_CLI_RESIDENT")


def fingerprint(root: str = _PACKAGE) -> str:
    """The code a process runs: the interpreter and every Python file of the package under ``root`` (name, size,
    modification time; the version is in ``__init__.py``) folded into a checksum; about a millisecond."""
    entries: list[str] = []
    folders = [root]
    while folders:
        with os.scandir(folders.pop()) as found:
            for entry in found:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    entries.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    entries.sort()
    checksum = zlib.crc32("\n".join(entries).encode("utf-8", "surrogateescape"))
    return f"{sys.executable}:{root}:{len(entries)}:{checksum:08x}"


def data_dir() -> Path:
    """The data directory the settings will name (``SOHOA_DATA``, else ``./data``), read without them."""
    return Path(os.environ.get("SOHOA_DATA") or "./data")


def start(data: Path) -> None:
    """Start a resident for ``data`` in its own session and return at once (it runs detached: never waited for,
    its output in ``run/resident.log``). Nothing happens when ``data`` is not a folder or the start fails: the
    command runs in this process either way."""
    if not data.is_dir():
        return
    try:
        run = data / "run"
        run.mkdir(mode=0o700, exist_ok=True)
        log = run / LOG
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW
        if log.exists() and log.stat().st_size > _LOG_MAX:
            flags |= os.O_TRUNC
        fd = os.open(log, flags, 0o600)
        try:
            env = {**os.environ, "SOHOA_DATA": str(data.absolute())}
            # posix_spawn (vfork and exec): no fork of this process's memory, no import of subprocess
            os.posix_spawn(sys.executable, [sys.executable, "-P", "-c", _ENTRY], env, setsid=True,
                           file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                         (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, fd, 2)])
        finally:
            os.close(fd)
    except OSError:
        return


def serve() -> None:
    """The resident process: take the socket's lock with the standard library only (most of the residents
    started at once stop here), then load the application and serve until it is time to leave."""
    from sohoa.services.platform.control import claim_resident  # the lock and socket client only

    owner = claim_resident(data_dir())
    if owner is None:
        return
    from sohoa.cli.resident_server import run  # the settings, SQLAlchemy and the commands

    run(owner)
