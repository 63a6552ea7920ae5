"""Format identification by the PRONOM registry: siegfried (through pygfried, its signature file embedded) names
what a file is — ``fmt/477`` is PDF/A-2b, ``fmt/353`` TIFF — from its bytes first (magic numbers, container
signatures) and from its name only where the bytes say nothing; a PDF is also opened (pikepdf) to flag what
PRONOM does not tell: encryption, JavaScript, embedded files.

Siegfried also uses the name's extension: it confirms a byte match or, for text formats with no magic
number (JSON), is the only evidence. A stored object has no name, so callers pass the name it came with (a
master's original name) or one made from its media type; siegfried then reports an ``extension mismatch`` when
the bytes say otherwise, and ``match on extension only`` when nothing but the name matched.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

import pikepdf
import pygfried
from pikepdf import Name

__all__ = ["UNKNOWN", "FormatId", "identify", "identify_stream", "named_link", "pdf_flags", "signature_name",
           "suffix_for", "tool_name"]

UNKNOWN = "UNKNOWN"  # siegfried's id when nothing matched
_PDF_NAMES = ("Acrobat PDF", "Portable Document Format")
_LOCK = threading.Lock()  # one scan at a time: the Go scanner is shared by the process
_SUFFIXES = {"image/png": ".png", "image/tiff": ".tif", "image/jpeg": ".jpg", "image/jp2": ".jp2",
             "image/webp": ".webp", "image/gif": ".gif", "application/pdf": ".pdf", "application/json": ".json",
             "application/xml": ".xml", "text/xml": ".xml", "text/plain": ".txt", "text/html": ".html",
             "application/xhtml+xml": ".xhtml", "text/csv": ".csv", "application/zip": ".zip"}


@dataclass(frozen=True)
class FormatId:
    """What a file is: PRONOM ``puid`` (``UNKNOWN`` when nothing matched), the format's name and version, its
    MIME type, why the identifier says so (``basis``), its ``warning`` (empty when sure), ``flags`` found by
    opening a PDF, and which tool and signature file said it."""

    puid: str
    name: str
    version: str
    mime: str
    basis: str
    warning: str
    tool: str
    signature: str
    flags: tuple[str, ...] = ()

    @property
    def identified(self) -> bool:
        return self.puid != UNKNOWN

    @property
    def extension_only(self) -> bool:
        """Only the file's name matched (no byte signature): an identification to take with care."""
        return "match on extension only" in self.warning or "match on filename only" in self.warning

    @property
    def is_pdf(self) -> bool:
        return self.mime == "application/pdf" or self.name.startswith(_PDF_NAMES)


def tool_name() -> str:
    """``siegfried <version>`` of the embedded identifier."""
    return f"siegfried {pygfried.version()}"


@functools.cache
def signature_name() -> str:
    """The PRONOM signature files siegfried was built with (``DROID_SignatureFile_V125.xml; container-…``)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-formats-") as folder:
        probe = Path(folder, "probe.txt")
        probe.write_text("probe", encoding="utf-8")
        with _LOCK:
            result = pygfried.identify(str(probe), detailed=True)
    return "; ".join(ident["details"] for ident in result["identifiers"] if ident["name"] == "pronom")


def suffix_for(name: str | None, media_type: str | None) -> str:
    """The extension to show siegfried: the one of the name the object came with, else its media type's."""
    if name:
        suffix = PurePath(name).suffix.lower()
        if suffix and len(suffix) <= 10 and suffix[1:].isalnum():
            return suffix
    return _SUFFIXES.get((media_type or "").split(";")[0].strip().lower(), "")


def identify(path: Path, *, inspect_pdf: bool = True) -> FormatId:
    """Identify one file (its name's extension counts, see the module's note)."""
    with _LOCK:
        result = pygfried.identify(str(path), detailed=True)
    signature = "; ".join(ident["details"] for ident in result["identifiers"] if ident["name"] == "pronom")
    entry = result["files"][0]
    matches = [m for m in entry["matches"] if m["ns"] == "pronom"]
    tool = f"siegfried {result['siegfried']}"
    if entry["filesize"] == 0:
        return FormatId(UNKNOWN, "", "", "", "", "empty file", tool, signature)
    if not matches:
        return FormatId(UNKNOWN, "", "", "", "", entry["errors"] or "no match", tool, signature)
    match = matches[0]
    found = FormatId(match["id"], match["format"], match["version"], match["mime"], match["basis"],
                     match["warning"] if match["id"] != UNKNOWN else (match["warning"] or "no match"), tool,
                     signature)
    if inspect_pdf and found.is_pdf:
        found = FormatId(**{**found.__dict__, "flags": pdf_flags(path)})
    return found


def pdf_flags(path: Path) -> tuple[str, ...]:
    """What makes a PDF hard to keep, found by opening it: ``encrypted`` (a password or permissions),
    ``javascript`` (document or annotation scripts), ``embedded_files``, ``unreadable`` (qpdf cannot open it)."""
    flags: set[str] = set()
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return ("encrypted",)
    except (pikepdf.PdfError, OSError, ValueError):
        return ("unreadable",)
    with pdf:
        if pdf.is_encrypted:
            flags.add("encrypted")
        names = pdf.Root.get(Name.Names)
        if isinstance(names, pikepdf.Dictionary):
            if Name.JavaScript in names:
                flags.add("javascript")
            if Name.EmbeddedFiles in names:
                flags.add("embedded_files")
        actions = [pdf.Root.get(Name.OpenAction), pdf.Root.get(Name.AA)]
        for page in pdf.pages:
            actions.append(page.obj.get(Name.AA))
            for annot in page.obj.get(Name.Annots, pikepdf.Array()):
                if isinstance(annot, pikepdf.Dictionary):
                    actions += [annot.get(Name.A), annot.get(Name.AA)]
        if any(_script(action) for action in actions) or any(_script(obj) for obj in pdf.objects):
            flags.add("javascript")
    return tuple(sorted(flags))


def _script(obj: object, depth: int = 0) -> bool:
    """A JavaScript action, or a dictionary of trigger actions (/AA) or an action chain (/Next) holding one."""
    if not isinstance(obj, pikepdf.Dictionary) or depth > 3:
        return False
    if Name.JS in obj or obj.get(Name.S) == Name.JavaScript:
        return True
    if Name.S in obj:  # another action: only its chain may hold a script
        return _script(obj.get(Name.Next), depth + 1)
    return any(_script(value, depth + 1) for value in obj.values()) if depth == 0 and Name.Type not in obj else False


@contextmanager
def named_link(path: Path, suffix: str) -> Iterator[Path]:
    """``path`` under a name ending in ``suffix`` (a symbolic link in a private temporary folder)."""
    if path.suffix.lower() == suffix:
        yield path
        return
    folder = tempfile.mkdtemp(prefix="sohoa-formats-")
    try:
        link = Path(folder, f"object{suffix}")
        os.symlink(path, link)
        yield link
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def identify_stream(stream: BinaryIO, suffix: str, *, folder: Path | None = None) -> FormatId:
    """Identify what a stream holds, through a private temporary copy named ``object<suffix>``."""
    with tempfile.TemporaryDirectory(prefix="sohoa-formats-", dir=folder) as tmp:
        copy = Path(tmp, f"object{suffix}")
        with open(copy, "wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        return identify(copy)
