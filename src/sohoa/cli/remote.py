"""Commands answered by a running server for a `sohoa` client that found its control socket.

`sohoa status`, `sohoa search` and `sohoa ingest` spend about a second importing SQLAlchemy, the models,
the settings (and for ingest the pipeline) before they do anything, and an ingest then starts its page
workers. When `sohoa serve` runs on the same data directory it has all of that loaded and its warm pool
running: the launcher (:mod:`sohoa.cli.launch`) sends it the command line, and the server runs the same
code as the command (:func:`sohoa.cli.catalogue.print_search`, ``print_status``,
:func:`sohoa.cli.records.run_ingest`) with consoles whose output streams back to the client as it is
printed (an ingest's progress bar included). Anything this module does not answer exactly as the local
command would (another command, ``--help``, a usage error, other settings, ``--local-pool``) is declined
before any output, and the client runs the command itself.

The same handler serves the resident CLI helper (:mod:`sohoa.cli.resident`), which is the caller's own helper and
so stricter: it declines a client whose code fingerprint differs from its own (an upgrade since it started: it
then exits), one whose settings differ in anything but the serving ones (for every command), and one that opted
out (``SOHOA_CLI_RESIDENT=false``); an ingest, having no warm pool to run it with.

The ``cli`` operation answers ``("declined", reason)``, or ``("out", text)`` / ``("err", text)`` items
followed by ``("exit", code)``.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer import _click

from sohoa.cli.catalogue import print_search, print_status
from sohoa.cli.commands import load
from sohoa.cli.records import run_ingest
from sohoa.cli.resident import OTHER_CODE
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.control import Channel, ControlServer, Handler
from sohoa.services.platform.pool import SharedPool
from sohoa.settings import Settings

__all__ = ["ANSWERED", "cli_handler", "declined", "register_cli"]

ANSWERED = ("search", "status", "ingest")
# Settings that only shape the server itself; every other setting's SOHOA_* variable must be the same on both
# sides for an ingest (the server's settings decide how the pages are read, recognised and stored).
_SERVING_ONLY = frozenset({"SOHOA_HOST", "SOHOA_PORT", "SOHOA_WORKERS", "SOHOA_USE_RUNNING_POOL",
                           "SOHOA_USE_RUNNING_SERVER", "SOHOA_FORWARDED_ALLOW_IPS", "SOHOA_COOKIE_SECURE",
                           "SOHOA_HOT_FOLDER_INTERVAL", "SOHOA_HOT_FOLDER_SETTLE_SECONDS",
                           "SOHOA_API_RATE_PER_MINUTE", "SOHOA_CLI_RESIDENT", "SOHOA_CLI_RESIDENT_IDLE_SECONDS"})
_SETTINGS = frozenset(f"SOHOA_{name.upper()}" for name in Settings.model_fields)  # other SOHOA_* are not ours
# The client's environment that shapes how rich prints (width, colour), applied to the server's consoles.
_TERMINAL = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
             "TTY_INTERACTIVE")


def _private(name: str) -> bool:
    """Secrets are never sent by the client, so they are not compared either."""
    return "SECRET" in name or "PASSWORD" in name


def _settings_differ(command: str, client: Mapping[str, str], server: Mapping[str, str], *,
                     every: bool = False) -> str | None:
    """The first setting that would make the server's answer differ from the client's own, or None; ``every``:
    every setting but the serving ones, whatever the command (a resident)."""
    if command != "ingest" and not every:
        names = {"SOHOA_DATABASE_URL"}  # the reading commands read the database and nothing else
    else:
        names = {k for k in _SETTINGS if k not in _SERVING_ONLY and k != "SOHOA_DATA" and not _private(k)}
    for name in sorted(names):
        if client.get(name) != server.get(name):
            return name
    return None


class _Stream(io.StringIO):
    """A text stream whose writes go to the client as ``(kind, text)`` items; a client gone away stops the
    stream, not the work (an ingest finishes, and can be read back with `sohoa status`)."""

    def __init__(self, channel: Channel, kind: str, lock: threading.Lock) -> None:
        self._channel, self._kind, self._lock = channel, kind, lock
        self.gone = False

    def write(self, text: str) -> int:
        if text and not self.gone:
            with self._lock:  # rich's live display writes from its own thread
                try:
                    self._channel.send((self._kind, text))
                except OSError:
                    self.gone = True
        return len(text)


def _relative_database(env: Mapping[str, str]) -> bool:
    """A SQLite file named relative to the folder the command runs in (``sqlite:///data/x.db``)."""
    scheme, _, rest = env.get("SOHOA_DATABASE_URL", "").partition("://")
    name = rest[1:].split("?", 1)[0]
    return scheme.startswith("sqlite") and rest.startswith("/") and not name.startswith("/") and \
        name not in ("", ":memory:")


def declined(ctx: AppContext, request: Mapping[str, Any], server_env: Mapping[str, str],
             pool: SharedPool | None, *, code: str | None = None) -> tuple[str | None, _click.Context | None]:
    """Why the server will not run this command line (None when it will), and the parsed command; ``code``: the
    fingerprint of a resident's code (None for `sohoa serve`)."""
    argv = [str(a) for a in request.get("argv", [])]
    env = {str(k): str(v) for k, v in dict(request.get("env", {})).items()}
    if not argv or argv[0] not in ANSWERED:
        return "not a command the server answers", None
    if code is not None and request.get("resident") is False:
        return "the client opted out of the resident (SOHOA_CLI_RESIDENT=false)", None
    if code is not None and request.get("fingerprint") != code:
        return OTHER_CODE, None
    differs = _settings_differ(argv[0], env, server_env, every=code is not None)
    if differs:
        return f"{differs} differs from the server's", None
    if _relative_database(env) and str(request.get("cwd")) != os.getcwd():
        return "a relative SOHOA_DATABASE_URL from another folder", None
    try:
        parsed = load(argv[0], rich_markup_mode="rich").make_context(argv[0], argv[1:])
    except (_click.ClickException, typer.Exit, typer.Abort):
        return "usage", None  # help and usage errors: the client prints them itself
    if argv[0] == "ingest":
        opted_out = env.get("SOHOA_USE_RUNNING_POOL", "true").strip().lower() in ("0", "false", "no", "off")
        if parsed.params.get("local_pool") or opted_out:
            return "the client asked for a pool of its own", None
        if pool is None:
            return "the server has no warm pool", None
    return None, parsed


def _run(ctx: AppContext, command: str, params: dict[str, Any], out: Console, raw: io.StringIO,
         pool: SharedPool | None, cwd: Path) -> int:
    if command == "search":
        print_search(ctx, out, raw, **params)
        return 0
    if command == "status":
        print_status(ctx, out, raw, **params)
        return 0
    assert pool is not None
    return run_ingest(ctx, out, raw, paths=[cwd / p for p in params["paths"]], file_code=params["file_code"],
                      unit=params["unit"], as_json=params["as_json"], pool=pool, pool_label="running")


def cli_handler(ctx: AppContext, *, pool: Callable[[], SharedPool | None] = lambda: None,
                on_answer: Callable[[str], None] | None = None, code: str | None = None,
                on_declined: Callable[[str], None] | None = None) -> Handler:
    """The control-socket operation that answers commands over ``ctx``; ``pool`` gives the server's warm pool
    (None: ingests are declined); ``on_answer`` hears each command answered, ``on_declined`` each reason to
    decline; ``code``: a resident's code fingerprint (see :func:`declined`)."""

    def handle(payload: object, channel: Channel) -> None:
        request: Mapping[str, Any] = payload if isinstance(payload, Mapping) else {}
        warm = pool()
        reason, parsed = declined(ctx, request, os.environ, warm, code=code)
        if reason is not None or parsed is None:
            channel.send(("declined", reason))
            if on_declined is not None and reason is not None:
                on_declined(reason)
            return
        env = {str(k): str(v) for k, v in dict(request.get("env", {})).items() if k in _TERMINAL}
        lock = threading.Lock()
        out, err = _Stream(channel, "out", lock), _Stream(channel, "err", lock)
        console = Console(file=out, force_terminal=bool(request.get("stdout_tty")) or None, _environ=env)
        command = str(request["argv"][0])
        try:
            exit_code = _run(ctx, command, dict(parsed.params), console, out, warm, Path(str(request.get("cwd", "/"))))
        except SohoaError as exc:
            Console(file=err, force_terminal=bool(request.get("stderr_tty")) or None,
                    _environ=env).print(f"[red]Lỗi / Error:[/red] {exc}")
            exit_code = 1
        if not out.gone:
            channel.send(("exit", exit_code))
        if on_answer is not None:
            on_answer(command)

    return handle


def register_cli(server: ControlServer, ctx: AppContext, *, pool: Callable[[], SharedPool | None] = lambda: None,
                 on_answer: Callable[[str], None] | None = None) -> None:
    """Offer the commands on ``server`` as the `cli` operation."""
    server.register("cli", cli_handler(ctx, pool=pool, on_answer=on_answer))
