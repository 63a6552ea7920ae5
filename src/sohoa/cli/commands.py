"""The table of `sohoa` commands and the group that loads each one only when it runs.

Importing every command module at start-up loaded the whole application (SQLAlchemy, the pipeline,
OpenCV, the signing stack) before `sohoa --help` could print a line. Here each command is a row:
its name, the module and attribute that define it, and its short help, so `sohoa --help` lists the
commands from this table and `sohoa search` imports `sohoa.cli.catalogue` and what it needs, nothing else.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click
from typer.core import MarkupMode, TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo


@dataclass(frozen=True)
class Entry:
    """One command: ``attribute`` of ``sohoa.cli.<module>`` is a command function or a Typer group."""

    module: str
    attribute: str
    help: str  # the command's help as the module gives it (tests/core/test_cli_startup.py compares them)


# In the order `sohoa --help` lists them.
COMMANDS: dict[str, Entry] = {
    "init": Entry("records", "init",
                  "Khởi tạo thư mục dữ liệu và cơ sở dữ liệu / Create the data directory and database."),
    "ingest": Entry("records", "ingest", "Số hóa tệp / Digitize files (idempotent and resumable)."),
    "extract": Entry("records", "extract",
                     "Chạy quy trình trên một tệp, không lưu / Run the pipeline on one file without storing it."),
    "search": Entry("catalogue", "search", "Tìm kiếm / Search (không dấu cũng được; exact tones ranked first)."),
    "show": Entry("catalogue", "show", "Xem một văn bản / Show one document."),
    "status": Entry("catalogue", "status", "Thống kê theo trạng thái / Counts by state."),
    "samples": Entry("generate", "samples", "Sinh trang mẫu có đáp án / Generate sample pages with ground truth."),
    "sheets": Entry("generate", "sheets",
                    "In tờ phân cách QR cho từng hồ sơ / Print QR separator sheets, one per file code."),
    "serve": Entry("server", "serve", "Chạy ứng dụng web / Run the web application."),
    "worker": Entry("worker", "worker",
                    "Chạy tiến trình xử lý của cụm / Run a cluster worker (ingest, page and periodic tasks)."),
    "beat": Entry("cluster", "beat",
                  "Chạy lịch công việc định kỳ của cụm / Run the cluster's periodic schedule (one beat at a time)."),
    "ingest-status": Entry("cluster", "ingest_status",
                           "Tình trạng một lô số hóa trong cụm / Status of an ingest batch queued on the cluster."),
    "demo": Entry("server", "demo",
                  "Số hóa một hộp mẫu và tạo người dùng mẫu / Digitize a sample box and create demo users."),
    "resident": Entry("resident_server", "resident",
                      "Tiến trình thường trú của CLI / The resident CLI helper: show it, or stop it (--stop)."),
    "units": Entry("units", "units_app", "Đơn vị / Units (cơ quan, đơn vị and their succession)."),
    "user": Entry("users", "user_app", "Người dùng / Users."),
    "audit": Entry("audit", "app", "Nhật ký kiểm tra / Audit log (append-only, hash-chained)."),
    "token": Entry("tokens", "app", "Mã truy cập API / API tokens for city systems."),
    "webhooks": Entry("webhooks", "app", "Webhook / webhooks to city systems."),
    "export-catalogue": Entry("exchange", "export_catalogue",
                              "Xuất mục lục theo chuẩn trao đổi / Export a catalogue (edXML envelopes or TT 02/2019 "
                              "CSV)."),
    "personal-data": Entry("personal", "app", "Dữ liệu cá nhân / Personal data in documents (Luật 91/2025/QH15)."),
    "package": Entry("package", "app",
                     "Gói thông tin / Information packages (TT 05/2025): SIP, AIP, DIP; folder, zip or BagIt."),
    "ingest-package": Entry("package_intake", "ingest_package",
                            "Nhận gói SIP/AIP / Take in a SIP or AIP package (directory, zip or BagIt; validated "
                            "first)."),
    "formats": Entry("formats", "app", "Định dạng tệp / File formats: PRONOM identification and the migration watch."),
    "keys": Entry("keys", "app", "Khóa mã hóa / Encryption keys at rest: init, status, rotate, retire, encrypt."),
    "ocfl": Entry("ocfl", "app",
                  "Kho OCFL / The OCFL storage root: one OCFL object per hồ sơ (sync, status, validate)."),
    "fixity": Entry("fixity", "app",
                    "Kiểm tra toàn vẹn / Fixity audits: re-hash stored objects, report, history per object."),
    "replica": Entry("replica", "app",
                     "Bản sao thứ hai / The replica: a second copy of every object (SOHOA_REPLICA_URL)."),
    "backup": Entry("backup", "backup",
                    "Sao lưu / Back up the database, objects, keys and audit checkpoints (full or incremental)."),
    "restore": Entry("backup", "restore",
                     "Khôi phục / Restore a backup set (and its chain) into an empty data directory, then verify it."),
    "migrate-to": Entry("migrate", "migrate_to_command",
                        "Chuyển kho sang hồ sơ cụm / Copy this archive into the cluster profile (PostgreSQL + S3), "
                        "then verify it."),
}

PACKAGE = "sohoa.cli"


def load(name: str, *, rich_markup_mode: MarkupMode, pretty_exceptions_short: bool = True) -> _click.Command:
    """Import the module of one command and build its click command, as `app.command()` / `add_typer` would."""
    entry = COMMANDS[name]
    # The command modules are named under [lazy] in package_map.toml (the test of this table checks it).
    target = getattr(importlib.import_module(f"{PACKAGE}.{entry.module}"), entry.attribute)
    if isinstance(target, typer.Typer):
        return get_group_from_info(TyperInfo(target, name=name), pretty_exceptions_short=pretty_exceptions_short,
                                   suggest_commands=True, rich_markup_mode=rich_markup_mode)
    return get_command_from_info(CommandInfo(name=name, callback=target),
                                 pretty_exceptions_short=pretty_exceptions_short, rich_markup_mode=rich_markup_mode)


class LazyCommands(Mapping[str, _click.Command]):
    """The group's commands: the names come from the table; a command is imported the first time it is asked for."""

    def __init__(self, rich_markup_mode: MarkupMode) -> None:
        self._rich_markup_mode = rich_markup_mode
        self._loaded: dict[str, _click.Command] = {}

    def __getitem__(self, name: str) -> _click.Command:
        if name not in COMMANDS:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = load(name, rich_markup_mode=self._rich_markup_mode)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)

    def summary(self, name: str) -> _click.Command | None:
        """A stand-in that carries only the name and help, for the list in `sohoa --help`."""
        entry = COMMANDS.get(name)
        return None if entry is None else TyperCommand(name=name, help=entry.help, short_help=entry.help,
                                                       rich_markup_mode=self._rich_markup_mode)


class LazyGroup(TyperGroup):
    """The top-level `sohoa` group: lists its commands from the table and imports one only to run it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands: LazyCommands = LazyCommands(self.rich_markup_mode)  # type: ignore[assignment]
        self._listing = False

    def add_command(self, cmd: _click.Command, name: str | None = None) -> None:
        raise TypeError("sohoa's commands are listed in sohoa.cli.commands.COMMANDS")

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            # Typer shows the help of a bare `sohoa` only when rich prints it: the plain help is printed here
            _click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(2)  # the exit code of Typer's no-arguments help
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.commands)  # the names only (TyperGroup's own reads every command)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if self._listing:
            return self.commands.summary(cmd_name)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """Plain help, listing each command by its row in the table without importing it.

        Typer's rich help imports rich's markdown, syntax and traceback modules (about 0.11 s here, most of
        the start-up budget of `sohoa --help`); the help of each command stays rich, and so do errors.
        """
        self._listing = True
        try:
            _click.Command.format_help(self, ctx, formatter)
        finally:
            self._listing = False
