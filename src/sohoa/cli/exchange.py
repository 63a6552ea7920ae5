"""`sohoa export-catalogue`: a file's or a unit's catalogue in the national exchange formats (edXML, TT 02 CSV)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sohoa.cli.common import app_context, console
from sohoa.services.sharing.exchange_export import export_catalogue as export_service


def export_catalogue(
    fmt: str = typer.Option(..., "--format", help="edxml | csv-tt02"),
    file_code: str | None = typer.Option(None, "--file", help="Mã hồ sơ / a file code"),
    unit: str | None = typer.Option(None, "--unit", help="Mã định danh đơn vị / a unit identifier"),
    internal: bool = typer.Option(False, "--internal", help="Cả tài liệu không công khai (trừ độ mật) / "
                                  "also non-public records (never độ mật)"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Tệp ghi ra / output file (default: stdout)"),
) -> None:
    """Xuất mục lục theo chuẩn trao đổi / Export a catalogue (edXML envelopes or TT 02/2019 CSV)."""
    with app_context() as ctx:
        body = export_service(ctx, fmt, file_code=file_code, unit=unit, internal=internal, actor="system")
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(body)
        console.print(f"Đã ghi / written {output} ({len(body)} bytes)")
