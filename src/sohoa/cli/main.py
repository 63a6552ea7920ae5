"""The `sohoa` command: registers every command group on one Typer app."""

from __future__ import annotations

import typer

from sohoa.cli import audit, records, server, tokens, users, webhooks
from sohoa.cli.common import check_settings
from sohoa.storage.private import restrict_umask

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Sohoa — số hóa tài liệu lưu trữ / digitize archival records.")


@app.callback()
def _private_files() -> None:
    # Before any command: what sohoa writes (database, objects, keys, uploads) is the service user's alone.
    restrict_umask()
    check_settings()  # e.g. a SOHOA_SECRET_KEY under 32 characters: a clear message, exit code 2


app.command()(records.init)
app.command()(records.ingest)
app.command()(records.extract)
app.command()(records.search)
app.command()(records.show)
app.command()(records.status)
app.command()(records.samples)
app.command()(records.sheets)
app.command()(server.serve)
app.command()(server.demo)
app.add_typer(records.units_app, name="units")
app.add_typer(users.user_app, name="user")
app.add_typer(audit.app, name="audit")
app.add_typer(tokens.app, name="token")
app.add_typer(webhooks.app, name="webhooks")


if __name__ == "__main__":
    app()
