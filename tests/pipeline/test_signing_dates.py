"""The page worker's evidence for a handwritten issue date: the dates of a PDF's digital signatures."""

from __future__ import annotations

from pathlib import Path

from sohoa.engines.pdf_signatures import read_pdf_signatures
from sohoa.pipeline.work import signing_dates
from sohoa.signing.pades import sign_pdf

from ..engines.test_pdf_signatures import make_signer, plain_pdf


def test_a_signed_pdf_gives_its_signing_date(tmp_path: Path) -> None:
    signer = make_signer(tmp_path / "signer")
    path = tmp_path / "signed.pdf"
    path.write_bytes(sign_pdf(plain_pdf(1), signer.key, reason="Ban hành", location="Quảng Ngãi"))
    read = read_pdf_signatures(path)
    assert len(read) == 1 and read[0].signing_time is not None
    assert signing_dates(str(path)) == (read[0].signing_time.date(),)


def test_an_unsigned_pdf_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(plain_pdf(1))
    assert signing_dates(str(path)) == ()
