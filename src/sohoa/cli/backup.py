"""Backup commands: `sohoa backup` (a full or incremental set, or the re-hash of a set) and `sohoa restore` (a set
and its chain into an empty data directory, then proven)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from sohoa.cli.common import app_context, console, err_console, print_json
from sohoa.domain.errors import SohoaError
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.backup_set import verify_set
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings


def backup(full: bool = typer.Option(False, "--full", help="Bộ đầy đủ / a full set"),
           incremental: bool = typer.Option(False, "--incremental",
                                            help="Bộ gia tăng trên bộ mới nhất / incremental on the newest set"),
           to: Path | None = typer.Option(None, "--to", help="Thư mục đích / target folder "
                                          "(default SOHOA_BACKUP_DIR; a second medium for the second set)"),
           verify: Path | None = typer.Option(None, "--verify", help="Chỉ băm lại một bộ / only re-hash this set"),
           as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Sao lưu / Back up the database, objects, keys and audit checkpoints (full or incremental).

    A full set when asked or when the folder holds none yet, else an incremental on the newest set there;
    --verify re-hashes one set. Exit 1 on a problem."""
    if verify is not None:
        problems = verify_set(verify)
        if as_json:
            print_json({"set": str(verify), "ok": not problems, "problems": problems})
        for problem in problems if not as_json else []:
            err_console.print(f"[red]{problem}[/red]", soft_wrap=True)
        if problems:
            raise typer.Exit(1)
        if not as_json:
            console.print(f"Bộ sao lưu toàn vẹn / backup set intact: {verify}")
        return
    if full and incremental:
        err_console.print("[red]--full hoặc / or --incremental[/red]")
        raise typer.Exit(2)
    with app_context() as ctx:
        report = make_backup(ctx, full=full or None, to=to)
    if as_json:
        print_json(asdict(report))
    else:
        kind = "đầy đủ / full" if report.kind == "full" else f"gia tăng / incremental (base {report.base})"
        console.print(f"Bộ sao lưu / backup set {report.path} — {kind}: {report.objects_in_set} đối tượng / objects "
                      f"(of {report.objects_total}), {report.size} bytes", soft_wrap=True)
        console.print("Lưu ý / note: giữ ít nhất hai bộ trên hai phương tiện độc lập / keep at least two sets on "
                      "independent media (sohoa backup --to …)", soft_wrap=True)
    for problem in report.problems:
        err_console.print(f"[red]{problem}[/red]", soft_wrap=True)
    if report.problems:
        raise typer.Exit(1)


def restore(source: Path = typer.Option(..., "--from", help="Bộ sao lưu cần khôi phục / the set to restore"),
            to: Path | None = typer.Option(None, "--to", help="Thư mục dữ liệu trống / empty data directory "
                                           "(default SOHOA_DATA)"),
            as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Khôi phục / Restore a backup set (and its chain) into an empty data directory, then verify it.

    Every object is re-hashed, every table's rows counted against the manifest, the audit chain replayed and
    matched to its signed checkpoints. Exit 1 on a problem."""
    try:
        settings = Settings(data=to) if to is not None else Settings()
        report = restore_backup(settings, source, actor="cli")
    except SohoaError as exc:
        err_console.print(f"[red]Lỗi / Error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(1) from exc
    if as_json:
        print_json(asdict(report) | {"ok": report.ok})
    else:
        console.print(f"Khôi phục / restored {' → '.join(report.chain)} vào / into {report.data_dir}", soft_wrap=True)
        console.print(f"Đối tượng / objects: {report.objects_restored} ghi lại / written, {report.objects_verified} "
                      f"kiểm tra đúng / verified, {len(report.objects_bad)} hỏng / bad")
        console.print(f"Bảng / tables: {report.tables}, lệch số dòng / row counts differing: "
                      f"{len(report.count_mismatches)}")
        console.print(f"Nhật ký / audit chain: {'toàn vẹn / intact' if report.audit_ok else 'HỎNG / BROKEN'} "
                      f"({report.audit_rows} rows, {report.checkpoints} signed checkpoints match)")
        console.print("Tiếp theo / next: sohoa ocfl sync (dựng lại kho OCFL / rebuild the OCFL root), "
                      "sohoa replica sync", soft_wrap=True)
    for problem in [*report.problems, *(f"object {s} missing or damaged" for s in report.objects_bad),
                    *(f"table {t}: {a} rows expected, {b} found" for t, (a, b) in report.count_mismatches.items())]:
        err_console.print(f"[red]{problem}[/red]", soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)
