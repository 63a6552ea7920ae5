"""Splitting a scanned file into documents: first pages, continuations, appendices, blanks, QR sheets."""

from __future__ import annotations

from sohoa.domain.ocr import OcrPage
from sohoa.intelligence import split_documents
from sohoa.intelligence.split import page_role

from .pages import PageBuilder, first_page, signer_page


def continuation(number: int) -> OcrPage:
    pb = PageBuilder()
    pb.centre(120, str(number))
    for i in range(8):
        pb.body(
            300 + 60 * i, "Điều 2. Các cơ quan, đơn vị có liên quan tổ chức thực hiện nhiệm vụ được giao."
        )
    return pb.page()


def appendix() -> OcrPage:
    pb = PageBuilder()
    pb.centre(200, "Phụ lục")
    pb.centre(260, "DANH MỤC HỒ SƠ ĐỀ NGHỊ SỐ HÓA")
    pb.centre(320, "(Kèm theo Quyết định số 162/QĐ-UBND ngày 05 tháng 6 năm 2025 của UBND phường)")
    pb.body(500, "1. Hồ sơ quản lý đất đai năm 2020, gồm 15 văn bản, thời hạn bảo quản vĩnh viễn.")
    return pb.page()


def last_page() -> OcrPage:
    pb = PageBuilder()
    pb.centre(120, "3")
    return signer_page(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Nguyễn Văn An", builder=pb, y=600).page()


def blank() -> OcrPage:
    pb = PageBuilder(conf=0.1)
    pb.at(900, 1700, "~ .")
    return pb.page()


def test_first_page_role_and_continuation_role() -> None:
    assert page_role(first_page().page()).starts_document
    role = page_role(continuation(2))
    assert role.page_number_on_top and not role.starts_document
    assert page_role(appendix()).appendix
    assert page_role(blank()).blank
    assert page_role(OcrPage(2480, 3508, 300)).blank


def test_documents_with_continuations_appendix_and_blank_separator() -> None:
    pages = [
        first_page().page(),
        continuation(2),
        last_page(),
        appendix(),  # document 1
        blank(),
        first_page(number="Số: 163/QĐ-UBND").page(),
        continuation(2),  # document 2
        first_page(number="Số: 575/UBND-VP", title=None).page(),  # a one-page công văn
    ]
    assert split_documents(pages) == [[0, 1, 2, 3], [5, 6], [7]]
    # The page workers compute each page's role in parallel; the split is the same with them given
    # (all, or some missing: those are computed here).
    roles = [page_role(p) for p in pages]
    assert split_documents(pages, roles=roles) == [[0, 1, 2, 3], [5, 6], [7]]
    assert split_documents(pages, roles=[None, *roles[1:4]]) == [[0, 1, 2, 3], [5, 6], [7]]


def test_blank_back_side_inside_a_document_does_not_split_it() -> None:
    pages = [first_page().page(), blank(), continuation(2), last_page()]
    assert split_documents(pages) == [[0, 2, 3]]


def test_qr_separator_pages_cut_and_belong_to_no_document() -> None:
    pages = [first_page().page(), continuation(2), continuation(3), continuation(4)]
    # A separator sheet before page 2 splits even a page that looks like a continuation.
    assert split_documents(pages, separator_pages={2}) == [[0, 1], [3]]
    assert split_documents(pages, separator_pages={0}) == [[1, 2, 3]]


def test_file_that_starts_mid_document_still_keeps_every_page() -> None:
    pages = [continuation(3), first_page().page()]
    assert split_documents(pages) == [[0], [1]]
    assert split_documents([]) == []
