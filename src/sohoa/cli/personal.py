"""`sohoa personal-data`: the personal data found in documents (Luật 91/2025/QH15)."""

from __future__ import annotations

import typer

from sohoa.cli.common import app_context, console
from sohoa.domain.personal import kind_label
from sohoa.services.production.personal_scan import ScanReport, scan_personal_data

app = typer.Typer(help="Dữ liệu cá nhân / Personal data in documents (Luật 91/2025/QH15).", no_args_is_help=True)


@app.command()
def scan(document: list[int] = typer.Option([], "--document", help="Mã số văn bản / a document id (repeatable)"),
         all_documents: bool = typer.Option(False, "--all", help="Mọi văn bản / every document"),
         after: int = typer.Option(0, "--after", min=0,
                                   help="Tiếp tục sau văn bản số / resume after this id (with --all)")) -> None:
    """Tìm dữ liệu cá nhân trong văn bản đã số hóa / Find personal data in stored documents, and reindex them."""
    if bool(document) == all_documents:
        console.print("Chọn --document ID hoặc --all / choose --document ID or --all")
        raise typer.Exit(2)

    def progress(report: ScanReport) -> None:
        console.print(f"… {report.documents} văn bản / documents, đến số / up to id {report.last_id}")

    with app_context() as ctx:
        report = scan_personal_data(ctx, document or None, after=after, progress=progress)
    console.print(f"Đã quét / scanned {report.documents} văn bản / documents")
    for kind, count in sorted(report.by_kind.items()):
        console.print(f"  {kind_label(kind)} / {kind_label(kind, 'en')}: {count}")
