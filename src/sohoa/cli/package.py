"""`sohoa package sip|aip|dip`: write an information package (TT 05/2025: E-ARK CSIP, METS, EAD, PREMIS; BagIt)."""

from __future__ import annotations

from pathlib import Path

import typer

from sohoa.cli.common import app_context, console, print_json
from sohoa.domain.errors import SohoaError
from sohoa.services.preservation.packages.export import PackageReport, documents_for_query, export_package, validate_at
from sohoa.services.preservation.packages.model import PackageKind

app = typer.Typer(help="Gói thông tin / Information packages (TT 05/2025): SIP, AIP, DIP; folder, zip or BagIt.",
                  no_args_is_help=True)

FILE_OPT = typer.Option(None, "--file", help="Mã hồ sơ / file code (a _hoso package; or its documents)")
DOCS_OPT = typer.Option("", "--documents", help="Mã số văn bản / document ids, comma separated (a _tailieu package)")
OUT_OPT = typer.Option(..., "--out", help="Thư mục hoặc tệp .zip mới, hoặc s3://bucket/prefix trống / a new folder, "
                       "a new .zip with --zip, or an empty s3://bucket/prefix")
QUERY_OPT = typer.Option(None, "--query", help="Các văn bản một truy vấn tìm thấy / the documents a search finds")
ZIP_OPT = typer.Option(False, "--zip", help="Ghi thành tệp .zip / write a .zip")
BAG_OPT = typer.Option(False, "--bagit", help="Đóng túi BagIt 1.0 để chuyển giao / wrap in a BagIt 1.0 bag")
JSON_OPT = typer.Option(False, "--json", help="Print the summary as JSON.")


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError as exc:
        raise SohoaError(f"--documents cần các số cách nhau bởi dấu phẩy: {text!r}",
                         f"--documents takes numbers separated by commas: {text!r}") from exc


def _run(kind: PackageKind, file_code: str | None, documents: str, query: str | None, out: str, as_zip: bool,
         bagit: bool, staff: bool, as_json: bool) -> None:
    fmt = ("bagit-zip" if as_zip else "bagit") if bagit else ("zip" if as_zip else "dir")
    with app_context() as ctx:
        ids = _ids(documents)
        if query:
            if ids or file_code:
                raise SohoaError("--query không đi cùng --file hoặc --documents",
                                 "--query does not go with --file or --documents")
            ids = documents_for_query(ctx, query, public=kind is PackageKind.DIP and not staff)
        target: Path | str = out if out.startswith("s3://") else Path(out)
        report = export_package(ctx, kind, target, file_code=file_code, document_ids=ids, fmt=fmt, staff=staff,
                                actor="cli")
    _show(report, as_json)
    if not report.valid:
        raise typer.Exit(1)


def _show(report: PackageReport, as_json: bool) -> None:
    written = report.written
    if as_json:
        print_json({"kind": report.kind, "package_id": report.package_id, "path": written.location,
                    "format": written.fmt, "files": written.files, "bytes": written.bytes,
                    "sha256": written.sha256, "sha256_of": written.sha256_of, "documents": report.documents,
                    "objects": report.objects, "valid": report.valid,
                    "problems": [{"path": p.path, "vi": p.message_vi, "en": p.message_en} for p in report.problems]})
        return
    console.print(f"{report.kind} {report.package_id} → {written.location} ({written.fmt})", soft_wrap=True)
    console.print(f"{report.documents} văn bản / documents, {report.objects} đối tượng lưu / stored objects; "
                  f"{written.files} tệp / files, {written.bytes} bytes")
    console.print(f"SHA-256 ({written.sha256_of}): {written.sha256}")
    for problem in report.problems:
        console.print(f"[red]{problem.path}: {problem.message_vi} / {problem.message_en}[/red]", soft_wrap=True)
    console.print("Kiểm tra: hợp lệ / validation: valid" if report.valid else
                  f"Kiểm tra: {len(report.problems)} lỗi / validation: {len(report.problems)} problems")


@app.command()
def sip(file_code: str | None = FILE_OPT, documents: str = DOCS_OPT, query: str | None = QUERY_OPT,
        out: str = OUT_OPT, as_zip: bool = ZIP_OPT, bagit: bool = BAG_OPT, as_json: bool = JSON_OPT) -> None:
    """Gói nộp lưu SIP_hoso (--file) hoặc SIP_tailieu (--documents, --query) / Write a submission package."""
    _run(PackageKind.SIP_HOSO if file_code else PackageKind.SIP_TAILIEU, file_code, documents, query, out, as_zip,
         bagit, False, as_json)


@app.command()
def aip(file_code: str | None = FILE_OPT, documents: str = DOCS_OPT, query: str | None = QUERY_OPT,
        out: str = OUT_OPT, as_zip: bool = ZIP_OPT, bagit: bool = BAG_OPT, as_json: bool = JSON_OPT) -> None:
    """Gói lưu trữ AIP_hoso (--file) hoặc AIP_tailieu (--documents, --query) / Write an archival package."""
    _run(PackageKind.AIP_HOSO if file_code else PackageKind.AIP_TAILIEU, file_code, documents, query, out, as_zip,
         bagit, False, as_json)


@app.command()
def dip(file_code: str | None = FILE_OPT, documents: str = DOCS_OPT, query: str | None = QUERY_OPT,
        out: str = OUT_OPT, as_zip: bool = ZIP_OPT, bagit: bool = BAG_OPT,
        staff: bool = typer.Option(False, "--staff", help="Gói cho cán bộ (mọi mức tiếp cận, không che) / for staff"),
        as_json: bool = JSON_OPT) -> None:
    """Gói khai thác DIP / Write a dissemination package (public material, masked; --staff: as staff see it)."""
    _run(PackageKind.DIP, file_code, documents, query, out, as_zip, bagit, staff, as_json)


@app.command()
def validate(path: str = typer.Argument(..., help="Thư mục, .zip, túi BagIt hoặc s3://… / folder, zip, bag or s3://…"),
             as_json: bool = JSON_OPT) -> None:
    """Kiểm tra một gói / Check a package: schemas, every checksum, unlisted files, a bag's manifests; exit 1."""
    with app_context() as ctx:
        problems = validate_at(ctx, path)
    if as_json:
        print_json({"valid": not problems,
                    "problems": [{"path": p.path, "vi": p.message_vi, "en": p.message_en} for p in problems]})
    else:
        for problem in problems:
            console.print(f"[red]{problem.path}: {problem.message_vi} / {problem.message_en}[/red]", soft_wrap=True)
        console.print("Hợp lệ / valid" if not problems else f"{len(problems)} lỗi / problems")
    if problems:
        raise typer.Exit(1)
