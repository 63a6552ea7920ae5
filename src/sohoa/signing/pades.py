"""PAdES signatures with pyHanko (baseline B-B: signing certificate and time in the signed attributes)."""

from __future__ import annotations

import io

from sohoa.domain.errors import EngineError
from sohoa.signing.certs import SigningKey

__all__ = ["sign_pdf"]


def sign_pdf(pdf: bytes, key: SigningKey, *, reason: str, location: str, field_name: str = "BanSao") -> bytes:
    """An incremental update of ``pdf`` carrying a PAdES signature by ``key``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    password = key.password.encode() if key.password else None
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(key.key), str(key.cert), key_passphrase=password)
    if signer is None:
        raise EngineError("Không đọc được khóa ký", f"Cannot load the signing key {key.key}")
    meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", reason=reason,
                                        location=location, subfilter=fields.SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.sign_pdf(writer, meta, signer=signer)
    return bytes(out.getvalue())
