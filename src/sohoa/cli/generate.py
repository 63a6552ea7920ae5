"""Generating commands: sample pages with their ground truth, QR separator sheets (no archive needed)."""

from __future__ import annotations

from pathlib import Path

import typer

from sohoa.cli.common import console
from sohoa.intelligence.separator import separator_sheets_pdf
from sohoa.samples import generate_corpus


def samples(out: Path, documents: int = typer.Option(10, "--documents"), seed: int = typer.Option(1, "--seed"),
            condition: str | None = typer.Option(None, "--condition", help="clean300 unless the variation says."),
            variation: str = typer.Option("plain", "--variation", help="sohoa.samples.VARIATIONS"),
            personal: bool = typer.Option(False, "--personal",
                                          help="Dữ liệu cá nhân hư cấu / fictitious personal data.")) -> None:
    """Sinh trang mẫu có đáp án / Generate sample pages with ground truth."""

    corpus = generate_corpus(out, documents=documents, seed=seed, condition=condition, variation=variation,
                             personal=personal)
    console.print(f"{len(corpus.pages)} trang / pages, {len(corpus.documents)} văn bản / documents → {out}")


def sheets(codes: list[str] = typer.Argument(..., help="Mã hồ sơ / file codes."),
           out: Path = typer.Option(Path("sheets.pdf"), "-o", "--out", help="Output PDF.")) -> None:
    """In tờ phân cách QR cho từng hồ sơ / Print QR separator sheets, one per file code."""

    separator_sheets_pdf(codes, out)
    console.print(f"{len(codes)} tờ phân cách / separator sheets → {out}")
