"""Reading the digital signatures of a PDF (pyHanko): who signed, when, whether the signed bytes are intact,
what they cover and where the stamp sits. Nothing is fetched: revocation is never checked, and trust only
against trust roots the caller names.

A signature that cannot be read (a broken dictionary, an algorithm pyHanko does not know) becomes an
``unreadable`` entry with its reason; reading never raises for what a file holds.
"""

from __future__ import annotations

import io
import mmap
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from sohoa.domain.text import nfc

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

__all__ = ["COVERAGES", "TRUST_STATES", "PdfSignature", "looks_signed", "read_pdf_signatures"]

# entire_file: nothing after the signature; revision: later incremental updates exist; partial: the
# signed ranges do not make up a whole revision; unknown: not readable.
COVERAGES = ("entire_file", "revision", "partial", "unknown")
# not_checked: no trust roots configured; trusted / untrusted: against the configured roots.
TRUST_STATES = ("not_checked", "trusted", "untrusted")


@dataclass(frozen=True)
class PdfSignature:
    """One signature of a PDF as read; ``status`` is ``read`` or ``unreadable`` (then ``reason`` says why)."""

    index: int                      # 0-based, in the order of the file's signature fields
    field_name: str
    status: str
    reason: str | None = None
    signer_subject: str | None = None        # RFC 4514, NFC
    signer_common_name: str | None = None
    signer_organisation: str | None = None
    issuer: str | None = None
    serial: str | None = None                # hexadecimal
    signing_time: datetime | None = None     # tz-aware: the signed attribute, else the dictionary's /M
    time_source: str | None = None           # signed_attribute / dictionary
    intact: bool | None = None               # the digest of the signed bytes matches
    valid: bool | None = None                # ... and the signature over it verifies with the certificate
    trust: str = "not_checked"
    coverage: str = "unknown"
    revision: int | None = None              # the signed revision (0-based), of ``revisions`` in the file
    revisions: int | None = None
    pages_covered: int | None = None         # pages 1..n exist in the signed revision
    page_count: int | None = None            # pages of the file as it is now
    digest_algorithm: str | None = None
    widget_page: int | None = None           # 1-based page of the visible stamp, if any
    widget_rect: tuple[float, float, float, float] | None = None  # PDF points, lower left origin

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values (time as ISO 8601)."""
        data = asdict(self)
        data["signing_time"] = self.signing_time.isoformat() if self.signing_time else None
        data["widget_rect"] = list(self.widget_rect) if self.widget_rect else None
        return data


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return nfc(str(values[0].value)) if values else None


def _certificate_fields(der: bytes) -> dict[str, Any]:
    """Subject (RFC 4514, CN, O), issuer and serial of a DER certificate, NFC."""
    cert = x509.load_der_x509_certificate(der)
    return {"signer_subject": nfc(cert.subject.rfc4514_string()),
            "signer_common_name": _attribute(cert.subject, NameOID.COMMON_NAME),
            "signer_organisation": _attribute(cert.subject, NameOID.ORGANIZATION_NAME),
            "issuer": nfc(cert.issuer.rfc4514_string()), "serial": format(cert.serial_number, "x")}


def _trust_context(trust_roots: Sequence[Path]) -> Any:
    """A validation context over the configured roots that never fetches (revocation is not checked)."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    roots = list(load_certs_from_pemder([str(p) for p in trust_roots]))  # type: ignore[no-untyped-call]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _tz_aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _coverage(level: Any) -> str:
    from pyhanko.sign.validation import SignatureCoverageLevel as Level

    return {Level.ENTIRE_FILE: "entire_file", Level.ENTIRE_REVISION: "revision"}.get(level, "partial")


def _page_count(reader: PdfFileReader, revision: int | None) -> int | None:
    try:
        root = reader.root if revision is None else reader.get_historical_root(revision)
        return int(root["/Pages"]["/Count"])
    except Exception:  # a revision without a readable page tree: say nothing rather than guess
        return None


def _widget(reader: PdfFileReader, field_name: str) -> tuple[int | None, tuple[float, float, float, float] | None]:
    """The 1-based page and rectangle of the signature field's first widget (its visible stamp); none
    when the page tree or the annotations cannot be read (the signature itself still can)."""
    try:
        for number, page in enumerate(_pages(reader), start=1):
            for annot in _deref(page.get("/Annots")) or []:
                widget = _deref(annot)
                owner = _deref(widget["/Parent"]) if "/Parent" in widget and "/T" not in widget else widget
                if str(owner.get("/T", "")) == field_name and "/Rect" in widget:
                    rect = [float(v) for v in _deref(widget["/Rect"])]
                    return number, (min(rect[0], rect[2]), min(rect[1], rect[3]),
                                    max(rect[0], rect[2]), max(rect[1], rect[3]))
    except Exception:  # a damaged annotation must not hide the signature
        return None, None
    return None, None


def _deref(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _pages(reader: PdfFileReader) -> Iterator[Any]:
    count = _page_count(reader, None) or 0
    for index in range(count):
        page, _ = reader.find_page_for_modification(index)  # type: ignore[no-untyped-call]
        yield _deref(page)


def _signed_attribute_time(sig: EmbeddedPdfSignature) -> datetime | None:
    from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute

    try:
        value = find_unique_cms_attribute(sig.signer_info["signed_attrs"], "signing_time")
    except NonexistentAttributeError:
        return None
    return _tz_aware(value.native)


def _dictionary_time(sig: EmbeddedPdfSignature) -> datetime | None:
    from pyhanko.pdf_utils.generic import parse_pdf_date
    from pyhanko.pdf_utils.misc import PdfReadError

    raw = sig.sig_object.get("/M")
    try:
        return _tz_aware(parse_pdf_date(str(raw))) if raw is not None else None
    except (PdfReadError, ValueError):
        return None


def _integrity(sig: EmbeddedPdfSignature) -> tuple[bool, bool, str]:
    """Whether the signed bytes match the signed digest, whether the signature over it verifies, and
    the coverage. Only cryptography: no certificate path is built (that would want the network)."""
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    sig.compute_integrity_info(skip_diff=True)  # type: ignore[no-untyped-call]
    intact, valid = validate_sig_integrity(sig.signer_info, sig.signer_cert, expected_content_type="data",
                                           actual_digest=sig.compute_digest())
    return bool(intact), bool(valid), _coverage(sig.coverage)


def _trusted(sig: EmbeddedPdfSignature, context: Any) -> bool:
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        status = validate_pdf_signature(sig, signer_validation_context=context, skip_diff=True)
    except Exception:  # a policy pyHanko enforces (e.g. SHA-1 refused): not trusted, still read
        return False
    return bool(status.bottom_line)


def _read_one(reader: PdfFileReader, sig: EmbeddedPdfSignature, index: int, context: Any) -> PdfSignature:
    intact, valid, coverage = _integrity(sig)
    signed_time, dictionary_time = _signed_attribute_time(sig), _dictionary_time(sig)
    page, rect = _widget(reader, sig.field_name)
    trust = "not_checked" if context is None else ("trusted" if _trusted(sig, context) else "untrusted")
    return PdfSignature(
        index=index, field_name=nfc(sig.field_name), status="read",
        **_certificate_fields(sig.signer_cert.dump()),
        signing_time=signed_time or dictionary_time,
        time_source="signed_attribute" if signed_time else ("dictionary" if dictionary_time else None),
        intact=intact, valid=valid, trust=trust, coverage=coverage, revision=sig.signed_revision,
        revisions=reader.xrefs.total_revisions, pages_covered=_page_count(reader, sig.signed_revision),
        page_count=_page_count(reader, None), digest_algorithm=sig.md_algorithm,
        widget_page=page, widget_rect=rect)


def _field_names(reader: PdfFileReader) -> list[str]:
    """The names of the signature fields that hold a signature (for the entries that cannot be read)."""
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        return [nfc(name) for name, value, _ in enumerate_sig_fields(reader, filled_status=True) if value]
    except Exception:
        return []


def _unreadable(index: int, field_name: str, exc: Exception) -> PdfSignature:
    reason = f"{type(exc).__name__}: {exc}"[:500]
    return PdfSignature(index=index, field_name=field_name, status="unreadable", reason=nfc(reason))


def looks_signed(pdf: bytes | Path) -> bool:
    """Whether ``pdf`` holds ``/ByteRange``: every signature dictionary has one, outside any compressed
    stream. A file is searched through a memory map, not read into memory."""
    if isinstance(pdf, bytes):
        return b"/ByteRange" in pdf
    with open(pdf, "rb") as handle:
        if handle.seek(0, 2) == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b"/ByteRange") >= 0


def read_pdf_signatures(pdf: bytes | Path, *, trust_roots: Sequence[Path] = ()) -> list[PdfSignature]:
    """Every signature of ``pdf`` (bytes or a path), in field order; [] for a PDF without one.

    A PDF without ``/ByteRange`` in its bytes has no signature and is not parsed (ingest stays fast); one
    that pyHanko cannot open at all yields one ``unreadable`` entry. A trust root that cannot be loaded raises.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not looks_signed(pdf):
        return []
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    context = _trust_context(trust_roots) if trust_roots else None
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:  # signed PDFs are often encrypted with an empty user password
            reader.decrypt(b"")
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises many kinds for damaged files
        return [_unreadable(0, "", exc)]
    names = _field_names(reader)
    found: list[PdfSignature] = []
    for index, sig in enumerate(embedded):
        try:
            found.append(_read_one(reader, sig, index, context))
        except Exception as exc:
            found.append(_unreadable(index, _safe_name(sig, names, index), exc))
    return found


def _safe_name(sig: EmbeddedPdfSignature, names: list[str], index: int) -> str:
    try:
        return nfc(sig.field_name)
    except Exception:
        return names[index] if index < len(names) else ""
