"""Reading commands: search, show, status (they import the catalogue only, not the pipeline or the engines)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import TextIO

import typer
from rich.console import Console

from sohoa.cli.common import app_context, console, print_json, write_json
from sohoa.services.catalogue.catalog import search_documents, show_document, status_counts
from sohoa.services.platform.context import AppContext


def search(query: str, as_json: bool = typer.Option(False, "--json"),
           unit: str | None = typer.Option(None, "--unit"), year: int | None = typer.Option(None, "--year"),
           type_name: str | None = typer.Option(None, "--type"), limit: int = typer.Option(20, "--limit")) -> None:
    """Tìm kiếm / Search (không dấu cũng được; exact tones ranked first)."""

    with app_context() as ctx:
        print_search(ctx, console, sys.stdout, query=query, as_json=as_json, unit=unit, year=year,
                     type_name=type_name, limit=limit)


def print_search(ctx: AppContext, out: Console, raw: TextIO, *, query: str, as_json: bool = False,
                 unit: str | None = None, year: int | None = None, type_name: str | None = None,
                 limit: int = 20) -> None:
    """What `sohoa search` prints: here, or in a running server answering the command for a client."""
    result = search_documents(ctx, query, unit=unit, year=year, type_name=type_name, limit=limit)
    if as_json:
        write_json(raw, asdict(result))
        return
    out.print(f"{result.total} kết quả / results")
    for hit in result.results:
        f = hit.fields
        out.print(f"[bold]#{hit.document_id}[/bold] {f['type_name'] or ''} {f['code_number'] or ''}"
                  f"/{f['code_notation'] or ''} {f['issued_date'] or ''} — {hit.source}")
        out.print(f"   {hit.snippet}")


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
        print_status(ctx, console, sys.stdout, as_json=as_json)


def print_status(ctx: AppContext, out: Console, raw: TextIO, *, as_json: bool = False) -> None:
    """What `sohoa status` prints: here, or in a running server answering the command for a client."""
    counts = status_counts(ctx)
    if as_json:
        write_json(raw, counts)
        return
    for group, values in counts.items():
        out.print(f"[bold]{group}[/bold]: " + ", ".join(f"{k}={v}" for k, v in values.items()))
