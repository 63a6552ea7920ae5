"""Records commands: init, ingest, extract, search, show, status, units, samples."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sohoa.cli.common import app_context, console, print_json
from sohoa.intelligence import separator_sheets_pdf
from sohoa.samples import generate_corpus
from sohoa.services.catalogue.catalog import search_documents, show_document, status_counts
from sohoa.services.production.extract import extract_file
from sohoa.services.production.ingest import IngestReport, ProgressEvent, ingest_paths
from sohoa.services.registry.units import import_hanoi_2025
from sohoa.services.sharing.copies import ensure_dev_certificate
from sohoa.settings import Settings
from sohoa.storage.private import open_to_others, tighten_tree

units_app = typer.Typer(help="Đơn vị / Units (cơ quan, đơn vị and their succession).")


def init() -> None:
    """Khởi tạo thư mục dữ liệu và cơ sở dữ liệu / Create the data directory and database."""

    with app_context() as ctx:
        console.print(f"Sohoa: dữ liệu / data = {ctx.settings.data}  CSDL / database = {ctx.db.url}")
        tightened = tighten_tree(ctx.settings.data)
        if tightened:
            console.print(f"[yellow]{tightened} tệp/thư mục mở cho người khác đã được thu hẹp về chủ sở hữu / "
                          f"files or folders readable by others restricted to their owner[/yellow]")
        for configured in (ctx.settings.signing_key, ctx.settings.audit_key_file):  # the operator's files: not changed
            if configured is not None and open_to_others(configured):
                console.print(f"[yellow]Tệp khóa {configured} mở cho tài khoản khác; hãy chmod 600 / The key file "
                              f"{configured} is readable by other accounts: chmod 600 it[/yellow]", soft_wrap=True)
        key = ensure_dev_certificate(ctx)
        console.print(f"Chứng thư ký bản sao / copy signing certificate: {key.cert}"
                      + (" (phát triển / development)" if key.development else ""))


def _print_report(report: IngestReport) -> None:
    table = Table(title="Kết quả số hóa / Ingest summary")
    for col in ("Tệp / File", "Trạng thái / State", "Trang / Pages", "Văn bản / Documents", "Lý do / Reason"):
        table.add_column(col)
    for item in report.items:
        table.add_row(item.name, item.state, str(item.pages), ",".join(map(str, item.documents)),
                      item.message or "")
    console.print(table)
    console.print(f"{report.count('done')} xong/done, {report.count('duplicate')} trùng/duplicate, "
                  f"{report.count('quarantined')} cách ly/quarantined, {report.count('failed')} lỗi/failed, "
                  f"{report.count('busy')} tiến trình khác đang xử lý/busy elsewhere — "
                  f"{report.pages} trang/pages in {report.seconds:.1f}s ({report.pages_per_second:.2f} pages/s)")


def ingest(paths: list[Path] = typer.Argument(..., exists=False, help="Images, TIFF, PDF or folders."),
           file_code: str | None = typer.Option(None, "--file-code", help="Mã hồ sơ / file code."),
           unit: str | None = typer.Option(None, "--unit", help="Mã đơn vị / unit identifier."),
           as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Số hóa tệp / Digitize files (idempotent and resumable)."""
    with app_context() as ctx, Progress(TextColumn("{task.description}"), BarColumn(),
                                        TextColumn("{task.completed}/{task.total} trang · {task.fields[rate]}"),
                                        TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                                        disable=as_json) as bar:
        task = bar.add_task("Số hóa / Ingest", total=0, rate="")

        def on_progress(event: ProgressEvent) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{event.pages_done / elapsed:.2f} trang/s" if elapsed else ""
            bar.update(task, total=event.pages_total, completed=event.pages_done, rate=rate,
                       description=event.name[:40])

        report = ingest_paths(ctx, paths, unit_identifier=unit, file_code=file_code, actor="cli",
                              progress=on_progress)
    if as_json:
        print_json({"items": [vars(i) for i in report.items], "pages": report.pages,
                    "seconds": round(report.seconds, 2), "pages_per_second": round(report.pages_per_second, 3)})
    else:
        _print_report(report)
    if report.count("failed"):
        raise typer.Exit(2)


def extract(path: Path, as_json: bool = typer.Option(False, "--json")) -> None:
    """Chạy quy trình trên một tệp, không lưu / Run the pipeline on one file without storing it."""

    result = extract_file(Settings(), path)
    if as_json:
        print_json(result.as_json())
    else:
        for doc in result.documents:
            console.print(f"[bold]Trang / pages {doc.pages}[/bold]")
            for name, value in doc.fields.items():
                console.print(f"  {name}: {value}")
    if result.error is not None:
        raise typer.Exit(1)


def search(query: str, as_json: bool = typer.Option(False, "--json"),
           unit: str | None = typer.Option(None, "--unit"), year: int | None = typer.Option(None, "--year"),
           type_name: str | None = typer.Option(None, "--type"), limit: int = typer.Option(20, "--limit")) -> None:
    """Tìm kiếm / Search (không dấu cũng được; exact tones ranked first)."""

    with app_context() as ctx:
        result = search_documents(ctx, query, unit=unit, year=year, type_name=type_name, limit=limit)
    if as_json:
        print_json(asdict(result))
        return
    console.print(f"{result.total} kết quả / results")
    for hit in result.results:
        f = hit.fields
        console.print(f"[bold]#{hit.document_id}[/bold] {f['type_name'] or ''} {f['code_number'] or ''}"
                      f"/{f['code_notation'] or ''} {f['issued_date'] or ''} — {hit.source}")
        console.print(f"   {hit.snippet}")


def show(document_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Xem một văn bản / Show one document."""

    with app_context() as ctx:
        data = show_document(ctx, document_id)
    if as_json:
        print_json(asdict(data))
    else:
        for name, value in data.documents[0].fields.items():
            console.print(f"{name}: {value}")


def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Thống kê theo trạng thái / Counts by state."""

    with app_context() as ctx:
        counts = status_counts(ctx)
    if as_json:
        print_json(counts)
        return
    for group, values in counts.items():
        console.print(f"[bold]{group}[/bold]: " + ", ".join(f"{k}={v}" for k, v in values.items()))


@units_app.command("import-hanoi-2025")
def import_hanoi() -> None:
    """Nạp 126 đơn vị mới và 526 đơn vị cũ của Hà Nội / Load Hanoi's 2025 units with succession links."""

    with app_context() as ctx:
        summary = import_hanoi_2025(ctx, actor="cli")
    console.print(f"Đơn vị mới / new: {summary.new_units}, cũ / old: {summary.old_units}, "
                  f"cấp huyện / districts: {summary.districts}, liên kết / links: {summary.links}")


def samples(out: Path, documents: int = typer.Option(10, "--documents"), seed: int = typer.Option(1, "--seed"),
            condition: str = typer.Option("clean300", "--condition")) -> None:
    """Sinh trang mẫu có đáp án / Generate sample pages with ground truth."""

    corpus = generate_corpus(out, documents=documents, seed=seed, condition=condition)
    console.print(f"{len(corpus.pages)} trang / pages, {len(corpus.documents)} văn bản / documents → {out}")


def sheets(codes: list[str] = typer.Argument(..., help="Mã hồ sơ / file codes."),
           out: Path = typer.Option(Path("sheets.pdf"), "-o", "--out", help="Output PDF.")) -> None:
    """In tờ phân cách QR cho từng hồ sơ / Print QR separator sheets, one per file code."""

    separator_sheets_pdf(codes, out)
    console.print(f"{len(codes)} tờ phân cách / separator sheets → {out}")
