"""The accuracy benchmark's real document texts typeset as NĐ 30 pages (bench/_accuracy_texts.py,
bench/_texts_parse.py, bench/_texts_typeset.py): a text in the tvpl shape is parsed into its parts, typeset
as a born-digital PDF that holds its lines, and read through the front door with number, date, type, signer
and subject right; the loose organ rule; the stable hold-out split; the report section. An inline text
stands in for the real ones (tests never read ../shared)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _accuracy_texts import (
    HALVES,
    half_of,
    load_docs,
    organ_right,
    run_texts,
    subject_right,
    texts_markdown,
)
from _texts_hybrid import WRITERS, hybrid_copy
from _texts_parse import Parsed, organ_units, paragraphs, parse_text
from _texts_typeset import sentence_case, typeset
from sohoa.engines.pdfimage import covered_by_image, find_page_image
from sohoa.settings import Settings

TEXT = """ỦY BAN NHÂN
DÂN
TỈNH HÀ TĨNH
--------
CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số:
84/2025/QĐ-UBND
Hà Tĩnh, ngày
02 tháng 12 năm 2025
QUYẾT ĐỊNH
BÃI BỎ QUYẾT ĐỊNH SỐ 10/2016/QĐ-UBND NGÀY 21/3/2016 CỦA ỦY BAN NHÂN DÂN TỈNH
VỀ QUY ĐỊNH CHỨC NĂNG CỦA SỞ NGOẠI VỤ
Căn cứ Luật Tổ chức chính quyền địa phương
ngày 16/6/2025;
Theo đề nghị của Sở Ngoại vụ tại Văn bản số 1605/TTr-SNgV
ngày 06/11/2025;
Điều 1. Bãi bỏ toàn bộ Quyết định số 10/2016/QĐ-UBND
ngày 21/3/2016 của Ủy ban nhân dân tỉnh.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký
ban hành./.
Nơi nhận:
- Như Điều 2;
- Bộ Ngoại giao;
- Lưu: VT, NC2.
TM. ỦY BAN
NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Báu Hà"""
DOC = {"id": "020bddd030400bd2", "so_ky_hieu": "84/2025/QĐ-UBND", "loai_van_ban": "Quyết định",
       "noi_ban_hanh": "Tỉnh Hà Tĩnh", "nguoi_ky": "Trần Báu Hà", "ngay_ban_hanh_iso": "2025-12-02", "text": TEXT}


@pytest.fixture(scope="module")
def parsed() -> Parsed:
    found = parse_text(TEXT)
    assert isinstance(found, Parsed)
    return found


def test_a_text_is_parsed_into_its_nd30_parts(parsed: Parsed) -> None:
    assert parsed.organ == ["ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"]
    assert parsed.number == "Số: 84/2025/QĐ-UBND"
    assert parsed.vv is None
    assert parsed.place_date == "Hà Tĩnh, ngày 02 tháng 12 năm 2025"
    assert parsed.title == "QUYẾT ĐỊNH"
    assert parsed.printed_subject() == ("BÃI BỎ QUYẾT ĐỊNH SỐ 10/2016/QĐ-UBND NGÀY 21/3/2016 CỦA ỦY BAN NHÂN DÂN TỈNH "
                                        "VỀ QUY ĐỊNH CHỨC NĂNG CỦA SỞ NGOẠI VỤ")
    assert parsed.body[0] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16/6/2025;"
    assert parsed.body[-1] == "Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành./."
    assert len(parsed.body) == 4
    assert parsed.recipients == ["Nơi nhận:", "- Như Điều 2;", "- Bộ Ngoại giao;", "- Lưu: VT, NC2."]
    assert parsed.positions == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert parsed.name == "Trần Báu Hà"
    assert parsed.appendix == []


def test_a_cong_van_keeps_its_vv_and_organ_units() -> None:
    text = TEXT.replace("ỦY BAN NHÂN\nDÂN\nTỈNH HÀ TĨNH", "BỘ TÀI\nCHÍNH\nCỤC THUẾ").replace(
        "84/2025/QĐ-UBND\n", "5348/CT-\nCS\nV/v hướng dẫn góp\nvốn điều lệ\n").replace(
        "QUYẾT ĐỊNH\nBÃI BỎ QUYẾT ĐỊNH SỐ 10/2016/QĐ-UBND NGÀY 21/3/2016 CỦA ỦY BAN NHÂN DÂN TỈNH\n"
        "VỀ QUY ĐỊNH CHỨC NĂNG CỦA SỞ NGOẠI VỤ\n", "Kính gửi: Thuế tỉnh Quảng Trị.\n")
    found = parse_text(text)
    assert isinstance(found, Parsed)
    assert found.organ == ["BỘ TÀI CHÍNH", "CỤC THUẾ"]
    assert found.number == "Số: 5348/CT-CS"
    assert found.vv == "V/v hướng dẫn góp vốn điều lệ" == found.printed_subject()
    assert found.title is None and found.body[0] == "Kính gửi: Thuế tỉnh Quảng Trị."
    assert organ_units(["VĂN PHÒNG CHÍNH", "PHỦ"]) == ["VĂN PHÒNG CHÍNH PHỦ"]
    assert paragraphs(["Căn cứ a", "b;", "- c", "1. d"]) == ["Căn cứ a b;", "- c", "1. d"]


def test_the_subject_is_set_in_lower_case_as_nd30_prints_it() -> None:
    assert sentence_case("BÃI BỎ QUYẾT ĐỊNH SỐ 636/QĐ-UBND CỦA UBND TỈNH QUẢNG NAM VỀ VIỆC TRIỂN KHAI") == (
        "Bãi bỏ quyết định số 636/QĐ-UBND của UBND tỉnh Quảng Nam về việc triển khai")
    assert sentence_case("V/V TẬP TRUNG ỨNG PHÓ LŨ") == "V/v tập trung ứng phó lũ"


def test_texts_without_a_header_are_skipped_with_a_reason() -> None:
    assert parse_text("Kính gửi: Thuế tỉnh Quảng Trị.\nCục Thuế nhận được công văn.") == "no header"
    assert parse_text(TEXT.replace("Số:\n", "")) == "no number line"


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_typeset_pdf_holds_the_lines_and_reads_right(parsed: Parsed, tmp_path: Path) -> None:
    layout = typeset(parsed, tmp_path / "doc.pdf", seed=3)
    assert layout["pages"] == 1 and layout["size"] in (13.0, 14.0)
    text = " ".join(_pdf_text(tmp_path / "doc.pdf").split())
    for line in ("Số: 84/2025/QĐ-UBND", "Hà Tĩnh, ngày 02 tháng 12 năm 2025", "QUYẾT ĐỊNH", "Nơi nhận:",
                 "Bãi bỏ quyết định số 10/2016/QĐ-UBND",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHÓ CHỦ TỊCH", "Trần Báu Hà", "Bộ Ngoại giao;"):
        assert line in text


def test_the_hybrid_copy_is_a_form_filled_by_hand_scanned_and_signed(parsed: Parsed, tmp_path: Path) -> None:
    form = tmp_path / "form.pdf"
    layout = typeset(parsed, form, seed=3, blanks=True)
    assert {k: v[0] for k, v in layout["blanks"].items()} == {"number": "84", "day": "02"}
    text = " ".join(_pdf_text(form).split())
    assert "Số: /2025/QĐ-UBND" in text and "ngày tháng 12 năm 2025" in text  # the blanks left for the pen
    out, writer = hybrid_copy(form, 1, layout, parsed.organ[-1], "2025-12-02", 5, tmp_path / "signed.pdf")
    assert writer in WRITERS
    stamps = _pdf_text(out)  # the published file's text layer is the stamps alone
    assert "Ký bởi: Ủy ban nhân dân tỉnh Hà Tĩnh" in stamps and "Thời gian ký: 0" in stamps
    assert "QUYẾT ĐỊNH" not in stamps
    with pikepdf.open(out) as pdf:  # a scan with the stamps written over it: no born-digital page
        assert covered_by_image(pdf.pages[0]) and find_page_image(pdf.pages[0]) is None


def test_one_born_digital_run_scores_number_date_type_and_signer(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    results = run_texts(path, Settings(workers=1), None, seed=1, paths=("born_digital",))
    scores = results["scores"]["tuning"]["born_digital"]["fields"]
    for name in ("so_ky_hieu", "issued_date", "type_name", "signer_full_name", "organ_name", "subject"):
        assert scores[name] == 100.0, (name, results["tuning_miss_counts"])
    assert results["documents"] == {"tuning": 1, "held_out": 0}
    section = texts_markdown({"texts": results})
    assert "| tuning | born-digital | 1 (none) |" in section


def test_one_hybrid_signed_run_reads_the_scan_not_the_stamps(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    results = run_texts(path, Settings(workers=1), None, seed=1, paths=("hybrid_signed",))
    run = results["scores"]["tuning"]["hybrid_signed"]
    for name in ("type_name", "organ_name", "subject"):  # printed: read from the scan, not the stamps
        assert run["fields"][name] == 100.0, (name, results["tuning_miss_counts"])
    assert run["overall"]["unflagged_wrong"] == 0  # a handwritten value is right or flagged, never silently wrong
    assert sum(results["writers_by_half"]["tuning"].values()) == 1
    section = texts_markdown({"texts": results})
    assert "| tuning | hybrid-signed | 1 (none) |" in section and "Hybrid-signed by writer" in section


def test_the_loose_organ_rule() -> None:
    assert organ_right("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH", None, "Tỉnh Hà Tĩnh")
    assert organ_right("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", None, "Thành phố Hà Nội")
    assert organ_right("CHÍNH PHỦ", None, "Chính phủ")
    assert organ_right("CỤC THUẾ", "BỘ TÀI CHÍNH", "Cục Thuế")
    assert organ_right("SỞ NỘI VỤ", "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH", "Ủy ban nhân dân tỉnh Hà Tĩnh Sở Nội vụ")
    assert not organ_right("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH", None, "Tỉnh Hà")
    assert not organ_right("CHÍNH PHỦ", None, "Văn phòng Chính phủ")
    assert not organ_right(None, None, "Chính phủ")
    assert subject_right("V/v chính sách thuế.", "V/v: Chính sách thuế")
    assert not subject_right("Chính sách thuế GTGT", "V/v chính sách thuế")
    assert subject_right("V/v triển khai “chiến dịch quang trung”", "V/V TRIỂN KHAI ”CHIẾN DỊCH QUANG TRUNG”")


def test_the_hold_out_split_is_stable(tmp_path: Path) -> None:
    assert [half_of(i) for i in ("020bddd030400bd2", "005d8820eb95c1cb", "ff", "10")] == [
        "tuning", "held_out", "held_out", "tuning"]
    path = tmp_path / "docs.jsonl"
    ids = [f"{n:016x}" for n in range(10)]
    path.write_text("".join(json.dumps({"id": i}) + "\n" for i in ids), encoding="utf-8")
    halves = load_docs(path, 2)
    assert set(halves) == set(HALVES)
    assert [d["id"] for d in halves["tuning"]] == ids[0:4:2]
    assert [d["id"] for d in halves["held_out"]] == ids[1:4:2]
    assert load_docs(path, None)["tuning"] == load_docs(path, None)["tuning"]
