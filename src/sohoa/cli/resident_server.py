"""The resident CLI helper's serving side, and `sohoa resident` to see or stop it (see :mod:`sohoa.cli.resident`).

The process has taken ``run/control.lock`` before it imports this module. It opens the archive without
migrating it (an archive that is missing or not at head gets no resident: the command run by the client
migrates it), offers the `cli` operation of :mod:`sohoa.cli.remote` with its code fingerprint, plus
``resident.info`` and ``resident.stop``, and watches twice a second for a reason to leave.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from sohoa.cli.common import console, print_json
from sohoa.cli.remote import cli_handler
from sohoa.cli.resident import LOG, OTHER_CODE, fingerprint
from sohoa.services.platform.context import AppContext, database_at_head, open_context, sqlite_path
from sohoa.services.platform.control import STOP_RESIDENT, Channel, ControlClient, ControlServer, Handler, socket_path
from sohoa.services.platform.control_owner import ListenerLock
from sohoa.settings import Settings
from sohoa.storage.private import restrict_umask

__all__ = ["INFO", "Resident", "resident", "run"]

log = logging.getLogger("sohoa.resident")
INFO = "resident.info"  # the control operation that describes a resident
_TICK = 0.5  # seconds between two looks for a reason to leave
_CODE_EVERY = 10.0  # seconds between two looks at the installed code
_DRAIN_SECONDS = 60.0  # how long commands in flight may finish once it stops listening

_FileId = tuple[int, int] | None


def _file_id(path: Path | None) -> _FileId:
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1)  # gone
    return info.st_dev, info.st_ino


class Resident:
    """One resident: what it answered and when, and the reasons it leaves (idle, files gone, code changed, asked)."""

    def __init__(self, ctx: AppContext, control: ControlServer) -> None:
        self.ctx, self.control = ctx, control
        self.code, self.idle_seconds = fingerprint(), ctx.settings.cli_resident_idle_seconds
        self.started, self.answered = time.time(), 0
        self.reason: str | None = None
        self.leaving = threading.Event()
        self._busy, self._last, self._lock = 0, time.monotonic(), threading.Lock()
        self._signalled: str | None = None
        self._files: tuple[_FileId, ...] = ()

    def handlers(self) -> dict[str, Handler]:
        answer = cli_handler(self.ctx, code=self.code, on_answer=self._answered, on_declined=self._declined)
        return {"cli": self._counted(answer), INFO: self._info, STOP_RESIDENT: self._stop}

    def serve(self) -> None:
        """Listen until a reason to leave, then let the commands in flight finish."""
        for op, handler in self.handlers().items():
            self.control.register(op, handler)
        if not self.control.start():
            log.info("a Sohoa server runs on %s: no resident", self.ctx.settings.data)
            return
        self._files = self._watched()
        signal.signal(signal.SIGTERM, self._on_signal)
        log.info("resident pid %d serves %s (leaves after %g s idle)", os.getpid(), self.control.path,
                 self.idle_seconds)
        next_code = time.monotonic() + _CODE_EVERY
        while not self.leaving.wait(_TICK):
            reason = self._signalled or self._why_leave()
            if reason is None and time.monotonic() > next_code:
                next_code = time.monotonic() + _CODE_EVERY
                reason = "the installed code changed" if fingerprint() != self.code else None
            if reason is not None:
                self.leave(reason)
        self.control.stop()
        deadline = time.monotonic() + _DRAIN_SECONDS
        while self._busy and time.monotonic() < deadline:
            time.sleep(0.05)
        log.info("resident pid %d stopped: %s", os.getpid(), self.reason)

    def leave(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        self.leaving.set()

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._signalled = signal.Signals(signum).name  # the loop leaves (no lock taken in a signal handler)

    def _watched(self) -> tuple[_FileId, ...]:
        database = sqlite_path(self.ctx.settings.db_url)
        return (_file_id(self.ctx.settings.data), _file_id(database), _file_id(self.control.path))

    def _why_leave(self) -> str | None:
        with self._lock:
            idle = not self._busy and time.monotonic() - self._last > self.idle_seconds
        if idle:
            return f"no command for {self.idle_seconds:g} s"
        if self._watched() != self._files:
            return "its data directory, database file or socket file is gone or replaced"
        return None

    def _counted(self, handler: Handler) -> Handler:
        def handle(payload: object, channel: Channel) -> None:
            with self._lock:
                self._busy += 1
            try:
                handler(payload, channel)
            finally:
                with self._lock:
                    self._busy -= 1
                    self._last = time.monotonic()

        return handle

    def _answered(self, command: str) -> None:
        with self._lock:
            self.answered += 1
        log.debug("answered %s", command)  # not in the log by default: it would grow with every command

    def _declined(self, reason: str) -> None:
        log.info("declined: %s", reason)
        if reason == OTHER_CODE:  # installed code changed since it started: make way for a resident of the new code
            self.control.stop()
            self.leave(reason)

    def _info(self, _payload: object, channel: Channel) -> None:
        with self._lock:
            idle_for = time.monotonic() - self._last
        channel.send({"pid": os.getpid(), "data": str(self.ctx.settings.data), "code": self.code,
                      "started": datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds"),
                      "answered": self.answered, "idle_seconds": self.idle_seconds, "idle_for": round(idle_for, 1),
                      "log": str(self.control.path.with_name(LOG))})

    def _stop(self, payload: object, channel: Channel) -> None:
        by = payload.get("by") if isinstance(payload, dict) else None
        self.control.stop()  # the socket file is gone and the lock free before the answer ends
        try:
            channel.send({"pid": os.getpid()})  # answered before leaving: the process may end once it leaves
        finally:
            self.leave(f"asked to stop by pid {by}")


def run(owner: ListenerLock) -> None:
    """The resident process, holding ``owner`` (``run/control.lock``)."""
    restrict_umask()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s pid %(process)d %(name)s: %(message)s")
    try:
        settings = Settings()
        if not database_at_head(settings):
            log.info("%s: no database at the latest schema yet; no resident", settings.data)
            owner.release()
            return
        ctx = open_context(settings, migrate_schema=False)
    except Exception:
        log.exception("the resident did not start")
        owner.release()
        return
    try:
        Resident(ctx, ControlServer(settings, owner)).serve()
    finally:
        ctx.close()


def _ask(op: str) -> tuple[int, dict[str, Any] | None] | None:
    """The pid answering on the control socket and its answer to ``op`` (None: not a resident), or None: nobody.
    No one-second ping first (:func:`connect`): on a loaded machine a live resident may take longer to answer."""
    client = ControlClient(socket_path(Settings()), 0)
    try:
        answers = list(client.call(op, {"by": os.getpid()}, timeout=30))
    except RuntimeError:  # `sohoa serve` does not know the resident's operations
        try:
            return int(next(iter(client.call("ping", timeout=30)))["pid"]), None
        except (OSError, RuntimeError, EOFError, StopIteration):
            return None
    except (OSError, EOFError):
        return None
    info = dict(answers[0]) if answers else {}
    return int(info.get("pid", 0)), info


def resident(stop: bool = typer.Option(False, "--stop", help="Dừng nó / Stop it."),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Tiến trình thường trú của CLI / The resident CLI helper: show it, or stop it (--stop).

    It is started by `sohoa status` or `sohoa search` when no server answers them, answers the next ones through
    the control socket, and leaves by itself after SOHOA_CLI_RESIDENT_IDLE_SECONDS without a command.
    """
    found = _ask(STOP_RESIDENT if stop else INFO)
    report: dict[str, Any] = {"resident": None, "server_pid": None, "stopped": None}
    if found is not None:
        pid, info = found
        report["resident" if info is not None else "server_pid"] = info if info is not None else pid
        if stop:
            report["stopped"] = pid if info is not None else None
    _print(report, as_json, stop)
    if stop and report["server_pid"] is not None:
        raise typer.Exit(1)


def _print(report: dict[str, Any], as_json: bool, stop: bool) -> None:
    if as_json:
        print_json(report)
        return
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    if report["server_pid"] is not None:
        say(f"`sohoa serve` (pid {report['server_pid']}) trả lời ở đây, không có tiến trình thường trú / answers here, "
            "no resident" + (": dừng máy chủ theo cách riêng / stop the server itself" if stop else ""))
    elif report["stopped"] is not None:
        say(f"Đã dừng tiến trình thường trú / resident stopped: pid {report['stopped']}")
    elif report["resident"] is None:
        say("Không có tiến trình thường trú / no resident")
    else:
        r = report["resident"]
        say(f"Tiến trình thường trú / resident: pid {r['pid']}, từ / since {r['started']}, "
            f"{r['answered']} lệnh / commands answered, idle {r['idle_for']:g} s of {r['idle_seconds']:g} s; "
            f"log: {r['log']}")
