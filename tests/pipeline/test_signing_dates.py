"""The page worker's evidence for a handwritten issue date: the dates of a PDF's digital signatures, else the
signature stamps printed on the page (a signed document printed and scanned again)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.pdf_signatures import read_pdf_signatures
from sohoa.intelligence.handwriting import stamp_dates
from sohoa.pipeline.work import _signing_evidence, signing_dates
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


def _page(*lines: str) -> OcrPage:
    words = [Word(text, BBox(100 + 200 * i, 100 * row, 280 + 200 * i, 100 * row + 40), 0.9, row, row)
             for row, line in enumerate(lines, start=1) for i, text in enumerate(line.split())]
    return OcrPage(2480, 3508, 300, tuple(words))


STAMPED = _page("Ký bởi: Văn phòng Ủy ban nhân dân tỉnh", "Thời gian ký: 12.09.2024 07:49:43 +07:00",
                "Quảng Ngãi, ngày tháng 9 năm 2024",  # the day left blank for the pen
                "Căn cứ Chỉ thị số 08/CT-UBND ngày 26/6/2024 của Chủ tịch",  # a date without a time: the text's own
                "Gửi lúc 31/02/2024 10:00:00",  # a date not in the calendar: a digit misread
                "Sao y 1009/2024 19:14:21")  # a date OCR garbled


def test_printed_stamps_give_their_dates_and_the_pages_own_dates_do_not() -> None:
    assert stamp_dates(STAMPED.text) == (date(2024, 9, 12),)
    assert stamp_dates("27/12/2021 17:22:11 and 3-1-2022 08:00:00") == (date(2021, 12, 27), date(2022, 1, 3))
    assert stamp_dates("Quảng Ngãi, ngày 11 tháng 9 năm 2024\nlúc 12.09.2024 07:49") == ()


def test_a_digital_signature_comes_before_a_printed_stamp(tmp_path: Path) -> None:
    assert _signing_evidence(None, "", STAMPED) == (date(2024, 9, 12),)  # a scanned image: the stamp's
    unsigned = tmp_path / "plain.pdf"  # a signed PDF saved again: its stamps' text is left, no signature
    unsigned.write_bytes(plain_pdf(1))
    overlay = "SAO Y\nThời gian ký: 19/10/2023 08:12:40 +07:00"
    assert _signing_evidence(str(unsigned), overlay, _page("Quảng Ngãi")) == (date(2023, 10, 19),)
    signer = make_signer(tmp_path / "signer")
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(sign_pdf(plain_pdf(1), signer.key, reason="Ban hành", location="Quảng Ngãi"))
    assert _signing_evidence(str(signed), "", STAMPED) == signing_dates(str(signed)) != (date(2024, 9, 12),)
