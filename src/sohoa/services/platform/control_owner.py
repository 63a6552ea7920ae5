"""Who may listen on a data directory's control socket: two file locks under ``$SOHOA_DATA/run/``.

``control.lock`` is held, for as long as it listens, by the one process that owns ``control.sock``: a
`sohoa serve` or the resident CLI helper (:mod:`sohoa.cli.resident`). Binding, replacing a stale socket file
and removing it at the end all happen while holding it, so there are never two listeners and nobody removes
a socket file another process just bound. ``serve.lock`` is held by a `sohoa serve` for its whole life: a
resident does not start while one is held (a server is running or starting), and a server that finds a
resident on the socket asks it to stop (the ``resident.stop`` operation) and takes the socket once the
resident has let go of ``control.lock``.

The locks are ``flock`` locks on files opened by the holder: the kernel releases them when the holder exits,
``kill -9`` included, so a stale lock never blocks the next process (a stale socket file is replaced by the
next owner). The files are 0600 in the 0700 ``run`` folder. Standard library only: the `sohoa` launcher's
resident starts with this before it imports anything heavy.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

__all__ = ["CONTROL_LOCK", "SERVE_LOCK", "ListenerLock", "held_elsewhere", "run_folder", "try_lock"]

CONTROL_LOCK = "control.lock"
SERVE_LOCK = "serve.lock"


def run_folder(data: Path) -> Path:
    """``data/run``, created 0700 (and tightened to 0700 when it exists)."""
    run = data / "run"
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(run, 0o700)
    return run


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o600)


def try_lock(path: Path) -> int | None:
    """The descriptor of ``path`` locked exclusively by this process, or None when another holds the lock."""
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def held_elsewhere(path: Path) -> bool:
    """Whether another open file holds an exclusive lock on ``path`` (a shared probe, let go at once)."""
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing lets go of the probe's own lock
    return False


class ListenerLock:
    """The locks a listener holds: ``control.lock`` always, ``serve.lock`` for a server."""

    def __init__(self, run: Path, control_fd: int, serve_fd: int | None = None) -> None:
        self.run, self._fds = run, [fd for fd in (control_fd, serve_fd) if fd is not None]

    @property
    def server(self) -> bool:
        return len(self._fds) == 2

    def server_running(self) -> bool:
        """For a resident: whether a `sohoa serve` holds (or is taking) this data directory's socket."""
        return not self.server and held_elsewhere(self.run / SERVE_LOCK)

    def release(self) -> None:
        fds, self._fds = self._fds, []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    @classmethod
    def for_resident(cls, data: Path) -> ListenerLock | None:
        """``control.lock`` for a resident, unless a server runs or another process listens already."""
        run = run_folder(data)
        if held_elsewhere(run / SERVE_LOCK):
            return None
        fd = try_lock(run / CONTROL_LOCK)
        if fd is None:
            return None
        owner = cls(run, fd)
        if owner.server_running():  # a server began between the two looks: it goes first
            owner.release()
            return None
        return owner

    @classmethod
    def server_lock(cls, data: Path) -> int | None:
        """``serve.lock`` for a server (None: another server runs on this data directory)."""
        return try_lock(run_folder(data) / SERVE_LOCK)
