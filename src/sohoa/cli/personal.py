"""`sohoa personal-data`: the personal data found in documents (Luật 91/2025/QH15)."""

from __future__ import annotations

import typer

from sohoa.cli.common import app_context, console
from sohoa.domain.personal import kind_label
from sohoa.services.catalogue.personal_search import search_people
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.production.personal_scan import ScanReport, scan_personal_data
from sohoa.services.registry.units import unit_id_by_identifier

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


@app.command()
def find(query: str = typer.Argument(..., help="Họ tên, số giấy tờ, thửa đất, địa chỉ / name, ID number, parcel, "
                                                "address"),
         purpose: str = typer.Option(..., "--purpose", help="Mục đích tra cứu, ghi nhật ký / why (audited, 10+ chars)"),
         kind: str = typer.Option("", "--kind", help="Loại dữ liệu / read the query as this kind (cccd, name, …)"),
         unit: str = typer.Option("", "--unit", help="Mã đơn vị, gồm tiền thân và kế thừa / a unit identifier "
                                                     "with its lineage"),
         limit: int = typer.Option(20, "--limit", min=1, max=100)) -> None:
    """Tra cứu hồ sơ theo người / Find the records that mention a person, an ID number, a parcel (audited)."""
    with app_context() as ctx:
        unit_id = unit_id_by_identifier(ctx, unit) if unit else None
        found = search_people(ctx, SYSTEM, query, kind=kind or None, unit_id=unit_id, purpose=purpose, limit=limit)
    console.print(f"{found.total} giá trị / values")
    for group in found.groups:
        console.print(f"{kind_label(group.kind)} / {kind_label(group.kind, 'en')}: {group.value}")
        for r in group.records:
            where = " · ".join(p for p in (r.unit_name, r.file_code) if p)
            pages = ", ".join(map(str, r.pages))
            console.print(f"  #{r.document_id} {r.type_name or ''} {r.number or ''} "
                          f"{r.issued_date.strftime('%d/%m/%Y') if r.issued_date else ''} · {where}"
                          + (f" · trang / page {pages}" if pages else "")
                          + "".join(f" · cải chính / corrected: {c}" for c in r.corrections))
