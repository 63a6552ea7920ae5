"""Helpers of the portal tests: a PDF for a document, staff accounts, CSRF tokens, signature checks."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient

from sohoa.db.models import Document
from sohoa.services.identity import accounts
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes

PASSWORD = "mat-khau-thu-nghiem"
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def attach_pdf(ctx: AppContext, document_id: int) -> None:
    """Give a document a one-page PDF (the PDF/A writer is not needed to test copies)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "TestSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestSerif", FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("TestSerif", 14)
    pdf.drawString(72, 760, "QUYẾT ĐỊNH về việc hòa giải ở cơ sở")
    pdf.save()
    with ctx.db.session() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.pdf_object_id = store_bytes(session, ctx.store, buffer.getvalue(), media_type="application/pdf",
                                        kind="pdf").id


def staff(ctx: AppContext) -> None:
    for role in ("archivist", "admin", "unit_officer"):
        accounts.create_user(ctx, f"s_{role}", PASSWORD, role)


def csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, username: str) -> str:
    token = csrf(client, "/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return csrf(client, "/")


def check_signed_copy(ctx: AppContext, pdf: bytes) -> None:
    """The copy carries a valid PAdES signature by the development certificate and the visible stamp."""
    import pikepdf
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from sohoa.signing import signing_key

    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    _, _, der = pem.unarmor(signing_key(ctx.settings).cert.read_bytes())
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[x509.Certificate.load(der)]))
    assert status.intact and status.valid and status.trusted
    with pikepdf.open(io.BytesIO(pdf)) as document:
        text = b"".join(bytes(page.obj.Contents.read_bytes()) if not isinstance(page.obj.Contents, pikepdf.Array)
                        else b"".join(c.read_bytes() for c in page.obj.Contents) for page in document.pages)
    assert b"BT" in text  # the stamp is real text in the page content
