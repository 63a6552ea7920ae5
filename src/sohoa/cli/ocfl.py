"""`sohoa ocfl`: the OCFL 1.1 storage root (one object per hồ sơ) — write new versions, show it, check it."""

from __future__ import annotations

import typer

from sohoa.cli.common import app_context, console, print_json
from sohoa.services.preservation.events import iso_vn
from sohoa.services.preservation.ocfl import SyncResult, ocfl_status, sync_exclusive, validate_ocfl

app = typer.Typer(help="Kho OCFL / The OCFL storage root: one OCFL object per hồ sơ (sync, status, validate).",
                  no_args_is_help=True)


@app.command()
def sync(file_codes: list[str] = typer.Option([], "--file", help="Chỉ hồ sơ này / only this file code (repeatable)"),
         as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Ghi phiên bản mới cho hồ sơ đã thay đổi / Write a new OCFL version of each hồ sơ that changed."""
    def show(result: SyncResult) -> None:
        if result.error and not as_json:
            console.print(f"[red]{result.object_id}: {result.error}[/red]", soft_wrap=True)
        elif result.version and not as_json:
            console.print(f"{result.object_id} {result.version}: {result.reason} ({result.files} tệp / files)",
                          soft_wrap=True)

    with app_context() as ctx:
        results = sync_exclusive(ctx, file_codes=file_codes, actor="cli", progress=show)
    written = [r for r in results if r.version]
    failed = [r for r in results if r.error]
    deferred = [r for r in results if r.deferred]
    if as_json:
        print_json({"files": len(results), "written": [
            {"object": r.object_id, "version": r.version, "reason": r.reason, "files": r.files} for r in written],
            "failed": [{"object": r.object_id, "error": r.error} for r in failed],
            "waiting_for_encryption": [r.object_id for r in deferred]})
    else:
        console.print(f"{len(written)} phiên bản mới / new versions; "
                      f"{len(results) - len(written) - len(failed) - len(deferred)} hồ sơ không đổi / files "
                      f"unchanged; {len(deferred)} chờ mã hóa / waiting for encryption; {len(failed)} lỗi / failed")
    if failed:
        raise typer.Exit(1)


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print the status as JSON.")) -> None:
    """Tình trạng kho OCFL / Where the OCFL root is, objects, versions, what is pending."""
    with app_context() as ctx:
        found = ocfl_status(ctx)
    last = iso_vn(found.last_sync) if found.last_sync else None
    if as_json:
        print_json({"root": found.root, "initialized": found.initialized, "objects": found.objects,
                    "versions": found.versions, "pending_files": found.pending_files,
                    "unfiled_documents": found.unfiled_documents, "last_sync": last,
                    "interval_minutes": found.interval_minutes})
        return
    console.print(f"Kho OCFL / OCFL root: {found.root}", soft_wrap=True)
    console.print(f"Đối tượng (hồ sơ) / objects (files): {found.objects}; phiên bản / versions: {found.versions}")
    console.print(f"Hồ sơ chờ ghi / files pending: {found.pending_files}; văn bản chưa vào hồ sơ / documents in no "
                  f"file: {found.unfiled_documents}")
    console.print(f"Lần ghi cuối / last written: {last or '—'}; chu kỳ / every {found.interval_minutes:g} phút / min")


@app.command()
def validate(no_digests: bool = typer.Option(False, "--no-digests",
                                             help="Không băm lại nội dung / do not re-hash the content"),
             as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON.")) -> None:
    """Kiểm tra kho OCFL / Check the OCFL root (structure, inventories, digests); exit 1 on a problem."""
    with app_context() as ctx:
        problems = validate_ocfl(ctx, digests=not no_digests)
    if as_json:
        print_json({"valid": not problems, "problems": [{"path": p.path, "message": p.message} for p in problems]})
    else:
        for problem in problems:
            console.print(f"[red]{problem}[/red]", soft_wrap=True)
        console.print("Hợp lệ / valid" if not problems else f"{len(problems)} lỗi / problems")
    if problems:
        raise typer.Exit(1)
