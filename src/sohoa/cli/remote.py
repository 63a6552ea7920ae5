"""Reading commands answered by a running server for a `sohoa` client that found its control socket.

`sohoa status` and `sohoa search` spend about a second importing SQLAlchemy, the models and the settings
before they read a row. When `sohoa serve` runs on the same data directory it has all of that loaded
already: the launcher (:mod:`sohoa.cli.launch`) sends it the command line, and the server runs the same
printing code as the command (:func:`sohoa.cli.catalogue.print_search`, ``print_status``) into buffers that
go back to the client. Anything this module does not answer exactly as the local command would (another
command, ``--help``, a usage error, another database) is declined, and the client runs the command itself.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import typer
from rich.console import Console
from typer import _click

from sohoa.cli.catalogue import print_search, print_status
from sohoa.cli.commands import load
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.control import Channel, ControlServer, Handler

__all__ = ["ANSWERED", "CliAnswer", "answer", "cli_handler", "register_cli"]

ANSWERED = ("search", "status")
# The client's environment that changes what these commands read: another database → the client runs it.
_SAME_AS_SERVER = ("SOHOA_DATABASE_URL",)
# The client's environment that shapes how rich prints (width, colour), applied to the server's consoles.
_TERMINAL = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
             "TTY_INTERACTIVE")


@dataclass(frozen=True)
class CliAnswer:
    """What the client prints and its exit code; ``declined`` says why the client must run it itself."""

    stdout: str = ""
    stderr: str = ""
    code: int = 0
    declined: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"stdout": self.stdout, "stderr": self.stderr, "code": self.code, "declined": self.declined}


def _console(buffer: io.StringIO, tty: bool, environ: Mapping[str, str]) -> Console:
    return Console(file=buffer, force_terminal=tty or None, _environ=dict(environ))


def answer(ctx: AppContext, request: Mapping[str, Any], server_env: Mapping[str, str]) -> CliAnswer:
    """Run one reading command for a client. ``request``: ``argv`` (after ``sohoa``), ``env`` (the client's
    ``SOHOA_*`` and terminal variables), ``stdout_tty`` and ``stderr_tty``."""
    argv = [str(a) for a in request.get("argv", [])]
    env = {str(k): str(v) for k, v in dict(request.get("env", {})).items()}
    if not argv or argv[0] not in ANSWERED:
        return CliAnswer(declined="not a reading command")
    for name in _SAME_AS_SERVER:
        if env.get(name) != server_env.get(name):
            return CliAnswer(declined=f"{name} differs from the server's")
    command = load(argv[0], rich_markup_mode="rich")
    try:
        parsed = command.make_context(argv[0], argv[1:])
    except (_click.ClickException, typer.Exit, typer.Abort):
        return CliAnswer(declined="usage")  # help and usage errors: the client prints them itself
    terminal = {k: v for k, v in env.items() if k in _TERMINAL}
    out, err = io.StringIO(), io.StringIO()
    console = _console(out, bool(request.get("stdout_tty")), terminal)
    try:
        if argv[0] == "search":
            print_search(ctx, console, out, **parsed.params)
        else:
            print_status(ctx, console, out, **parsed.params)
    except SohoaError as exc:
        _console(err, bool(request.get("stderr_tty")), terminal).print(f"[red]Lỗi / Error:[/red] {exc}")
        return CliAnswer(out.getvalue(), err.getvalue(), 1)
    return CliAnswer(out.getvalue(), err.getvalue(), 0)


def cli_handler(ctx: AppContext, *, on_answer: Callable[[str], None] | None = None) -> Handler:
    """The control-socket operation that answers reading commands over ``ctx``; ``on_answer`` hears each
    command answered (not those declined)."""

    def handle(payload: object, channel: Channel) -> None:
        request = payload if isinstance(payload, Mapping) else {}
        reply = answer(ctx, request, os.environ)
        channel.send(reply.as_dict())
        if reply.declined is None and on_answer is not None:
            on_answer(str(request["argv"][0]))

    return handle


def register_cli(server: ControlServer, ctx: AppContext, *,
                 on_answer: Callable[[str], None] | None = None) -> None:
    """Offer the reading commands on ``server`` as the `cli` operation."""
    server.register("cli", cli_handler(ctx, on_answer=on_answer))
