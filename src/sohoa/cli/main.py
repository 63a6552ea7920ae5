"""The `sohoa` command: one Typer app whose commands load lazily from the table in `sohoa.cli.commands`.

Nothing heavy is imported here: `sohoa --help` lists the commands from that table, and running a command
imports its own module (which imports the services it uses) and nothing of the other commands.
"""

from __future__ import annotations

import typer

from sohoa.cli.commands import LazyGroup
from sohoa.storage.private import restrict_umask

app = typer.Typer(cls=LazyGroup, no_args_is_help=True, add_completion=False,
                  help="Sohoa — số hóa tài liệu lưu trữ / digitize archival records.")


@app.callback()
def _private_files() -> None:
    # Runs after the command's module is imported (click resolves the command first), before the command.
    from sohoa.cli.common import check_settings  # pydantic and the settings: not needed by `sohoa --help`

    # Before any command: what sohoa writes (database, objects, keys, uploads) is the service user's alone.
    restrict_umask()
    check_settings()  # e.g. a SOHOA_SECRET_KEY under 32 characters: a clear message, exit code 2


if __name__ == "__main__":
    app()
