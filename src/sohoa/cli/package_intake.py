"""`sohoa ingest-package`: take in a SIP or AIP (directory, .zip or BagIt bag) and print what it brought."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console, print_json
from sohoa.services.preservation.intake.service import IntakeReport
from sohoa.services.preservation.intake.service import ingest_package as ingest_service


def _print(report: IntakeReport) -> None:
    if report.already:
        console.print(f"Gói {report.package_id} đã được nhận trước đây: không thay đổi gì / this package was taken "
                      f"in before: nothing changed (hồ sơ / file {report.file_code})", soft_wrap=True)
        return
    table = Table(title=f"Nhận gói / Package taken in: {report.package_id}")
    table.add_column("Mục / Item")
    table.add_column("Số / Count")
    rows = [("Loại gói / Package type", f"{report.package_type} ({report.source_kind})"
             + (" — hệ thống khác / foreign SIP" if report.foreign else "")),
            ("Hồ sơ / File", report.file_code or "-"),
            ("Văn bản mới / Documents created", str(report.documents_created)),
            ("Văn bản đã có / Documents already here", str(report.documents_matched)),
            ("Đối tượng / Objects (mới / new)", f"{report.objects} ({report.objects_new})"),
            ("Sự kiện PREMIS / PREMIS events (đã có / known)", f"{report.premis_imported} ({report.premis_known})"),
            ("Nhật ký kiểm tra / Audit events (đã có / known)", f"{report.audit_imported} ({report.audit_known})")]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]Cảnh báo / Warning:[/yellow] {warning}", soft_wrap=True)


def ingest_package(
    path: Path = typer.Argument(..., help="Thư mục, tệp .zip hoặc túi BagIt / a directory, .zip or BagIt bag"),
    actor: str = typer.Option("system", "--actor", help="Người nhận, ghi vào nhật ký / who takes it in (audit log)"),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON / print the report as JSON"),
) -> None:
    """Nhận gói SIP/AIP / Take in a SIP or AIP package (directory, zip or BagIt; validated first)."""
    with app_context() as ctx:
        report = ingest_service(ctx, path, actor=actor)
    if as_json:
        print_json(report.as_dict())
    else:
        _print(report)
