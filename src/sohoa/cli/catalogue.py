"""Reading commands: search, show, status (they import the catalogue only, not the pipeline or the engines)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from sohoa.cli.common import app_context, console, print_json
from sohoa.services.catalogue.catalog import search_documents, show_document, status_counts


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
