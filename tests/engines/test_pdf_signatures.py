"""Reading PDF signatures: a self-made Vietnamese organisation certificate signs generated PDFs with pyHanko."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from sohoa.engines.pdf_signatures import read_pdf_signatures
from sohoa.signing.certs import SigningKey
from sohoa.signing.pades import sign_pdf

# Typed decomposed (NFD), as some certificate tools write it: the reader must give NFC.
ORGANISATION = unicodedata.normalize("NFD", "Tỉnh Quảng Ngãi")
COMMON_NAME = unicodedata.normalize("NFD", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")
MARKER = b"SOHOA-MARKER-TEXT"


@dataclass(frozen=True)
class Signer:
    key: SigningKey
    cert_pem: Path


def make_signer(folder: Path, *, common_name: str = COMMON_NAME, organisation: str = ORGANISATION) -> Signer:
    """A self-signed certificate and key (PEM) for an organisation, as Vietnamese government CAs issue them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.LOCALITY_NAME, "Quảng Ngãi"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(0x5A4F4841).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return Signer(SigningKey(cert_path, key_path, None, False), cert_path)


def plain_pdf(pages: int = 2) -> bytes:
    """A small PDF whose first page's content stream is uncompressed and holds :data:`MARKER`."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    for n in range(pages):
        c.drawString(72, 760, MARKER.decode() if n == 0 else f"Trang {n + 1}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def signed_pdf(signer: Signer, pages: int = 2) -> bytes:
    return sign_pdf(plain_pdf(pages), signer.key, reason="Ban hành", location="Quảng Ngãi", field_name="ChuKy1")


def incremental_update(pdf: bytes) -> bytes:
    """``pdf`` with an incremental update after it (a new Info entry), the signed revision left as it is."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if "/Info" in writer.trailer:
        info = writer.trailer["/Info"]
        info["/Subject"] = generic.pdf_string("Cập nhật sau khi ký")
        writer.update_container(info)
    writer.root["/PageMode"] = generic.NameObject("/UseNone")
    writer.update_root()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    return make_signer(tmp_path_factory.mktemp("signer"))


def test_an_intact_signature_is_read(signer: Signer) -> None:
    before = datetime.now(UTC) - timedelta(minutes=1)
    [sig] = read_pdf_signatures(signed_pdf(signer))
    assert sig.status == "read" and sig.reason is None
    assert sig.signer_organisation == "Tỉnh Quảng Ngãi"
    assert sig.signer_common_name == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert sig.signer_subject == "CN=ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI,O=Tỉnh Quảng Ngãi,L=Quảng Ngãi,C=VN"
    assert sig.issuer == sig.signer_subject and sig.serial == "5a4f4841"
    assert sig.signing_time is not None and sig.signing_time.tzinfo is not None
    assert before <= sig.signing_time <= datetime.now(UTC) + timedelta(minutes=1)
    assert sig.time_source == "dictionary"  # PAdES leaves signingTime out of the signed attributes
    assert sig.intact is True and sig.valid is True and sig.trust == "not_checked"
    assert sig.coverage == "entire_file"
    assert (sig.revision, sig.revisions, sig.pages_covered, sig.page_count) == (1, 2, 2, 2)
    assert sig.field_name == "ChuKy1" and sig.digest_algorithm == "sha256"


def test_a_pdf_without_signature_has_none(signer: Signer) -> None:
    assert read_pdf_signatures(plain_pdf()) == []


def test_an_update_after_signing_covers_one_revision(signer: Signer) -> None:
    [sig] = read_pdf_signatures(incremental_update(signed_pdf(signer)))
    assert sig.status == "read" and sig.intact is True and sig.valid is True
    assert sig.coverage == "revision"
    assert (sig.revision, sig.revisions) == (1, 3)


def test_a_byte_changed_inside_the_signed_range_is_not_intact(signer: Signer) -> None:
    data = bytearray(signed_pdf(signer))
    at = data.index(MARKER)
    data[at] = ord("X")  # inside the first page's content stream, before the signature
    [sig] = read_pdf_signatures(bytes(data))
    assert sig.status == "read"
    assert sig.intact is False
    assert sig.signer_organisation == "Tỉnh Quảng Ngãi"  # who signed is still known


def test_a_broken_signature_dictionary_is_recorded_unreadable(signer: Signer) -> None:
    data = signed_pdf(signer)
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    broken = data[:start] + b"30" + b"0" * (end - start - 2) + data[end:]  # same length, not DER any more
    [sig] = read_pdf_signatures(broken)
    assert sig.status == "unreadable"
    assert sig.reason and sig.intact is None and sig.signer_organisation is None


def test_a_visible_stamp_is_located(signer: Signer) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    loaded = signers.SimpleSigner.load(str(signer.key.key), str(signer.key.cert))  # type: ignore[no-untyped-call]
    assert loaded is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(plain_pdf()), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec("Dau", on_page=1, box=(300, 40, 520, 120)))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Dau"), signer=loaded)
    [sig] = read_pdf_signatures(out.getvalue())
    assert sig.widget_page == 2 and sig.widget_rect == (300.0, 40.0, 520.0, 120.0)


def test_trust_is_checked_only_against_configured_roots(signer: Signer, tmp_path: Path) -> None:
    data = signed_pdf(signer)
    [trusted] = read_pdf_signatures(data, trust_roots=[signer.cert_pem])
    assert trusted.trust == "trusted"
    other = make_signer(tmp_path / "other", common_name="Khác", organisation="Khác")
    [untrusted] = read_pdf_signatures(data, trust_roots=[other.cert_pem])
    assert untrusted.trust == "untrusted" and untrusted.intact is True


def test_the_reader_never_changes_its_input(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf(signer))
    before = path.read_bytes()
    assert read_pdf_signatures(path)
    assert path.read_bytes() == before
    with pikepdf.open(path) as pdf:  # still an ordinary PDF
        assert len(pdf.pages) == 2
    assert re.search(rb"/ByteRange", before)
