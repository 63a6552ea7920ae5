"""Shared CLI helpers: settings, context, JSON output and error reporting."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import typer
from pydantic import ValidationError
from rich.console import Console

from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """JSON to stdout, UTF-8, Vietnamese kept readable."""
    write_json(sys.stdout, data)


def write_json(out: TextIO, data: Any) -> None:
    """JSON to ``out``, UTF-8, Vietnamese kept readable."""
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def check_settings() -> None:
    """Refuse to start on invalid settings: their messages (ours are bilingual), not a traceback."""
    try:
        Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "SOHOA_" + "_".join(str(part) for part in error["loc"]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            err_console.print(f"[red]Lỗi cấu hình / Configuration error[/red] {name}: {message}", highlight=False)
        raise typer.Exit(2) from exc


@contextmanager
def app_context() -> Iterator[AppContext]:
    """Open the context for one command; Sohoa errors become a clear message and exit code 1."""
    try:
        ctx = open_context(Settings())
    except SohoaError as exc:
        err_console.print(f"[red]Lỗi / Error:[/red] {exc}")
        raise typer.Exit(1) from exc
    try:
        yield ctx
    except SohoaError as exc:
        err_console.print(f"[red]Lỗi / Error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        ctx.close()
