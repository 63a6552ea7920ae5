"""Helpers for ingest tests: CER, tiny pages, bad inputs of every class."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFont

from sohoa.domain.metrics import cer
from sohoa.domain.text import nfc

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def line_bag_cer(reference: str, hypothesis: str) -> float:
    """CER with lines sorted on both sides: reading-order differences between columns do not count."""
    def bag(text: str) -> str:
        return "\n".join(sorted(line.strip() for line in nfc(text).splitlines() if line.strip()))
    return cer(bag(reference), bag(hypothesis))


def text_page(path: Path, lines: list[str], dpi: int = 300) -> Path:
    """A small white page with Vietnamese lines (for fast tests)."""
    image = Image.new("RGB", (1200, 600), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for n, line in enumerate(lines):
        draw.text((60, 60 + n * 70), line, fill="black", font=font)
    image.save(path, dpi=(dpi, dpi))
    return path


def png_bomb(path: Path) -> Path:
    """A PNG whose header claims 100000 × 100000 pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def encrypted_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return path


def bad_inputs(folder: Path, good: Path) -> dict[str, Path]:
    """One file per bad-input class; ``good`` is a valid PNG to truncate."""
    folder.mkdir(parents=True, exist_ok=True)
    data = good.read_bytes()
    (folder / "empty.png").write_bytes(b"")
    (folder / "truncated.png").write_bytes(data[: len(data) // 2])
    (folder / "random.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 8)
    (folder / "notes.txt").write_text("không phải ảnh", encoding="utf-8")
    zipped = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    (folder / "report.docx").write_bytes(zipped.getvalue())
    return {
        "empty": folder / "empty.png",
        "truncated": folder / "truncated.png",
        "corrupt": folder / "random.jpg",
        "unsupported_text": folder / "notes.txt",
        "unsupported_docx": folder / "report.docx",
        "too_large": png_bomb(folder / "bomb.png"),
        "encrypted": encrypted_pdf(folder / "locked.pdf"),
    }
