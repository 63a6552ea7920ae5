"""`sohoa formats`: identify every stored object by the PRONOM registry (siegfried) and report formats at risk."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console, print_json
from sohoa.services.preservation.format_report import FormatReport, format_report
from sohoa.services.preservation.formats import identify_objects, policy_of

app = typer.Typer(help="Định dạng tệp / File formats: PRONOM identification and the migration watch.",
                  no_args_is_help=True)


@app.command()
def identify(redo_all: bool = typer.Option(False, "--all",
                                           help="Nhận dạng lại mọi đối tượng / identify every object again"),
             limit: int | None = typer.Option(None, "--limit", min=1, help="Nhiều nhất / at most this many objects"),
             as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Nhận dạng định dạng các đối tượng / Identify the formats of stored objects (new ones; resumable)."""
    with app_context() as ctx:
        # asked for: objects unreadable last time are tried again at once (a pass of `sohoa serve` waits an hour)
        report = identify_objects(ctx, redo_all=redo_all, limit=limit, actor="cli", retry_unreadable_after=timedelta(0))
    if as_json:
        print_json({"identified": report.identified, "at_risk": report.at_risk, "missing": report.missing,
                    "seconds": round(report.seconds, 3), "tool": report.tool, "signature": report.signature})
        return
    console.print(f"{report.identified} đối tượng đã nhận dạng / objects identified "
                  f"({report.per_second:.0f}/s, {report.tool}, {report.signature}); "
                  f"{report.at_risk} có rủi ro / at risk; {report.missing} không đọc được / not readable")


def _print(report: FormatReport) -> None:
    table = Table(title=f"Định dạng / Formats — {report.policy}")
    for col in ("PUID", "Định dạng / Format", "Số / Count", "Mức / Level", "Lý do / Reason"):
        table.add_column(col)
    for row in report.formats:
        name = " ".join(p for p in (row.name, row.version) if p) + (f" [{row.flags}]" if row.flags else "")
        level = f"[red]{row.level}[/red]" if row.at_risk else row.level
        table.add_row(row.puid, name, str(row.count), level, row.reason)
    console.print(table)
    console.print(f"Chưa nhận dạng / not identified yet: {report.pending}")
    console.print(f"Có rủi ro / at risk: {report.at_risk_total}")
    for obj in report.at_risk:
        where = "; ".join(
            f"văn bản / document #{p.document_id}" + (f" ({p.doc_code})" if p.doc_code else "")
            + (f" hồ sơ / file {p.file_code}" if p.file_code else "")
            + (f" trang / page {p.page_no}" if p.page_no is not None else "") + f" [{p.role}]"
            for p in obj.placements) or "chưa dùng / not used by any document"
        console.print(f"  #{obj.object_id} {obj.kind} {obj.original_name or ''} {obj.sha256[:12]} {obj.puid} "
                      f"{obj.name} {obj.version} — {obj.reason} — {where}", soft_wrap=True)


@app.command()
def report(as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
           limit: int = typer.Option(1000, "--limit", min=1,
                                     help="Liệt kê nhiều nhất / list at most this many objects at risk")) -> None:
    """Báo cáo định dạng và đối tượng có rủi ro / Formats with counts, and the objects at risk."""
    with app_context() as ctx, ctx.db.session() as session:
        found = format_report(session, policy_of(ctx), limit=limit)
    if as_json:
        print_json(found.as_json())
    else:
        _print(found)
