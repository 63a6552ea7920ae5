"""A PDF/A that says what it derives from (``dc:source``), for derivatives of digitally signed originals."""

from __future__ import annotations

import io

import pikepdf

from sohoa.domain.errors import EngineError
from sohoa.engines.pdfa import save_pdfa
from sohoa.engines.pdfa_xmp import with_dc_source

__all__ = ["note_source"]


def note_source(pdf: bytes, source: str) -> bytes:
    """``pdf`` (a PDF/A Sohoa wrote) with ``source`` as the XMP's dc:source; everything else as it was."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            metadata = document.Root.get("/Metadata")
            if metadata is None:
                raise EngineError("PDF/A không có XMP", "The PDF/A has no XMP metadata")
            document.Root.Metadata = document.make_stream(
                with_dc_source(metadata.read_bytes(), source), Type=pikepdf.Name.Metadata,
                Subtype=pikepdf.Name.XML)
            out = io.BytesIO()
            save_pdfa(document, out)
            return out.getvalue()
    except pikepdf.PdfError as exc:
        raise EngineError(f"Không đọc được PDF/A: {exc}", f"Cannot read the PDF/A: {exc}") from exc
