"""`sohoa migrate-to`: the archive the settings name now copied into another profile (PostgreSQL + S3), then
proven there (rows, objects, audit chain, search index)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from sohoa.cli.common import console, err_console, print_json
from sohoa.domain.errors import SohoaError
from sohoa.services.preservation.migrate import MigrateReport, migrate_to
from sohoa.settings import Settings


def _confirm(settings: Settings, database_url: str, storage_url: str) -> None:
    err_console.print(f"Nguồn / source: {settings.db_url}, {settings.storage_url or settings.objects_dir}",
                      soft_wrap=True, highlight=False)
    err_console.print(f"Đích / destination: {database_url.split('@')[-1]}, {storage_url}", soft_wrap=True,
                      highlight=False)
    if not typer.confirm("Chuyển kho lưu trữ sang đích này? / Copy the archive there?", err=True):
        raise typer.Exit(1)


def _print(report: MigrateReport) -> None:
    mb = report.bytes / 1e6
    rate = mb / report.seconds if report.seconds else 0.0
    console.print(f"Đích / destination: {report.destination}, {report.storage}", soft_wrap=True, highlight=False)
    console.print(f"Bảng / tables: {report.tables}, dòng / rows: {report.rows} ({report.rows_copied} chép lần này / "
                  f"copied by this run), lệch / differing: {len(report.count_mismatches)}")
    console.print(f"Đối tượng / objects: {report.objects} ({report.objects_copied} chép / copied, "
                  f"{report.objects_present} đã có / already there), {report.bytes} bytes, lệch / differing: "
                  f"{len(report.object_mismatches)}")
    console.print(f"Chỉ mục / search index: {report.index_rows} văn bản / documents ({report.indexed} mới / new); "
                  f"sequences: {report.sequences}")
    console.print(f"Nhật ký / audit chain: {'toàn vẹn / intact' if report.audit_ok else 'HỎNG / BROKEN'} "
                  f"({report.audit_rows} rows)")
    console.print(f"Thời gian / time: {report.seconds:.1f} s, {rate:.1f} MB/s; lệch / mismatches: {report.mismatches}")


def migrate_to_command(
        database_url: str = typer.Option(..., "--database-url", help="Cơ sở dữ liệu đích / destination database "
                                         "(postgresql+psycopg://…)"),
        storage_url: str = typer.Option(..., "--storage-url", help="Kho đối tượng đích / destination object store "
                                        "(s3://bucket\\[/prefix] or a folder)"),
        s3_endpoint: str | None = typer.Option(None, "--s3-endpoint", help="Điểm cuối S3 của đích / the "
                                               "destination's S3 endpoint (default SOHOA_S3_ENDPOINT)"),
        resume: bool = typer.Option(False, "--resume", help="Tiếp tục lần chuyển bị ngắt / go on with an "
                                    "interrupted migration (the destination holds part of this archive)"),
        yes: bool = typer.Option(False, "--yes", help="Không hỏi lại / do not ask for confirmation"),
        as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Chuyển kho sang hồ sơ cụm / Copy this archive into the cluster profile (PostgreSQL + S3), then verify it.

    The source (SOHOA_DATA, SOHOA_DATABASE_URL, SOHOA_STORAGE_URL) is only read; the destination must be empty
    unless --resume. Rows of every table, every object's SHA-256 and size, the audit chain and the search index
    are checked at the destination; progress on stderr, exit 1 on any mismatch."""
    try:
        settings = Settings()
        if not yes:
            _confirm(settings, database_url, storage_url)
        report = migrate_to(settings, database_url, storage_url, s3_endpoint=s3_endpoint, resume=resume,
                            progress=lambda line: err_console.print(line, highlight=False, soft_wrap=True))
    except SohoaError as exc:
        err_console.print(f"[red]Lỗi / Error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(1) from exc
    if as_json:
        print_json(asdict(report) | {"ok": report.ok, "mismatches": report.mismatches})
    else:
        _print(report)
    for problem in [*report.problems, *(f"object {s}: {p}" for s, p in report.object_mismatches.items()),
                    *(f"table {t}: {a} rows at the source, {b} at the destination"
                      for t, (a, b) in report.count_mismatches.items())]:
        err_console.print(f"[red]{problem}[/red]", soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)
