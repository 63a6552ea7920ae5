"""The personal-name recognizer: held-out scores, what is not a personal name, the shipped model file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.domain.personal import PersonalKind
from sohoa.intelligence.personal import detect
from sohoa.intelligence.personal.names import NameTagger, detect_names, shipped_tagger, train_tagger
from sohoa.samples.personal import labelled_set, official_documents


def _scores(part: str, count: int) -> tuple[float, float]:
    gold = found = right = 0
    for text in labelled_set(part, count):
        truth = {(s.start, s.end) for s in text.spans if s.kind is PersonalKind.NAME}
        guess = {(s.start, s.end) for s in detect_names(text.text)}
        gold, found, right = gold + len(truth), found + len(guess), right + len(truth & guess)
    return right / max(found, 1), right / max(gold, 1)


@pytest.mark.parametrize("part", ["held_out", "tuning"])
def test_names_meet_the_targets(part: str) -> None:
    precision, recall = _scores(part, 150)
    assert recall >= 0.90
    assert precision >= 0.85


def names(text: str) -> list[str]:
    return [s.text for s in detect_names(text)]


def test_citizens_in_context_are_names() -> None:
    assert names("Giao đất cho hộ ông Nguyễn Văn An, sinh năm 1965.") == ["Nguyễn Văn An"]
    assert names("Họ và tên: TRẦN THỊ BÌNH\nNgày sinh: 01/02/1970") == ["TRẦN THỊ BÌNH"]
    assert names("Danh sách:\n1. Lê Văn Cường, sinh năm 1950;\n2. Phạm Thị Dung, sinh năm 1952;") == [
        "Lê Văn Cường", "Phạm Thị Dung"]
    assert names("Cấp cho bà Hoàng Thị Lan giấy chứng nhận.") == ["Hoàng Thị Lan"]


def test_a_name_wrapped_over_two_lines_is_one_span() -> None:
    assert names("Giao đất cho hộ ông Nguyễn Văn\nAn, sinh năm 1965.") == ["Nguyễn Văn\nAn"]
    assert names("Cấp cho ông Nguyễn\nVăn Bình, sinh năm 1970.") == ["Nguyễn\nVăn Bình"]
    assert names("Giao đất cho hộ ông Nguyễn Văn\nTrường, sinh năm 1970.") == ["Nguyễn Văn\nTrường"]


@pytest.mark.parametrize(("text", "name"), [
    ("Giao đất cho hộ ông Nguyễn Văn Bình\nCăn cứ Luật Đất đai năm 2024;", "Nguyễn Văn Bình"),
    ("Cấp giấy chứng nhận cho bà Lê Thị Mai\nĐiều 2. Văn phòng theo dõi thực hiện.", "Lê Thị Mai"),
    ("Hỗ trợ gia đình ông Phạm Văn Tú\nNơi nhận:\n- Như trên;", "Phạm Văn Tú"),
    ("Tiếp nhận hồ sơ của ông Nguyễn Văn An\nSinh ngày 12/3/1960.", "Nguyễn Văn An"),
    ("Xác nhận hộ bà Trần Thị Hoa\nTheo đề nghị của Phòng Kinh tế.", "Trần Thị Hoa"),
    ("Xác nhận hộ ông Lê Văn Nam\nTrường hợp có vướng mắc, báo cáo UBND.", "Lê Văn Nam"),
])
def test_a_name_ending_its_line_does_not_take_the_next_clause(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize(("text", "expected"), [
    ("Tại buổi làm việc, ông An trình bày nguyện vọng.", ["An"]),
    ("Bà Hoa đã nộp hồ sơ; chị Lan và anh Tuấn đồng ý.", ["Hoa", "Lan", "Tuấn"]),
    ("Đoàn công tác đến thăm gia đình cụ Hùng và tặng quà.", ["Hùng"]),
    ("Ông Chủ tịch UBND xã kết luận; bà Trưởng phòng giải thích; gia đình anh hùng liệt sĩ.", []),
    ("Ông Giám đốc Sở chỉ đạo; phố Bà Triệu, phường Hai Bà Trưng, tỉnh Bà Rịa - Vũng Tàu, chợ Ông Lãnh.", []),
    ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\nCao Anh Tiến\n", []),
])
def test_a_given_name_alone_after_a_title_is_a_name(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn Hùng\n",
    "Giao đồng chí Trần Minh Tuấn, Phó Chủ tịch UBND phường Hoàn Kiếm chỉ đạo thực hiện.",
    "Trụ sở đặt tại số 12 phố Trần Hưng Đạo; Trường Tiểu học Nguyễn Du phối hợp.",
    "Thành phần tham dự:\n- Ông Lê Văn Nam, Chủ tịch UBND phường;\n- Bà Phạm Thu Hà, Chuyên viên Văn phòng;",
    "1. Phòng Văn hóa - Xã hội chủ trì thực hiện.\n2. Công an phường phối hợp.",
    "Ủy ban nhân dân xã Sóc Sơn, phường Hai Bà Trưng và phường Kim Liên.",
])
def test_officials_streets_places_and_organs_are_not_names(text: str) -> None:
    assert names(text) == []


def test_ordinary_documents_have_no_personal_names() -> None:
    found = [s.text for doc in official_documents(15, seed=99) for s in detect(doc.text)]
    assert found == []


def test_training_is_deterministic_and_the_model_round_trips(tmp_path: Path) -> None:
    examples = [(t.text, [(s.start, s.end) for s in t.spans if s.kind is PersonalKind.NAME])
                for t in labelled_set("train", 40, seed=3)]
    first, second = train_tagger(examples, epochs=2, seed=3), train_tagger(examples, epochs=2, seed=3)
    first.save(tmp_path / "a.json.gz")
    second.save(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    loaded = NameTagger.load_bytes((tmp_path / "a.json.gz").read_bytes())
    text = labelled_set("tuning", 1, seed=3)[0].text
    assert detect_names(text, loaded) == detect_names(text, NameTagger.load_bytes(
        (tmp_path / "b.json.gz").read_bytes()))
    assert len(shipped_tagger().weights) > 500


def test_a_file_that_is_not_a_model_is_refused() -> None:
    import gzip
    with pytest.raises(ValueError, match="not a Sohoa name model"):
        NameTagger.load_bytes(gzip.compress(b'{"format": "other"}'))


@pytest.mark.slow
def test_the_shipped_model_is_what_the_training_script_builds(tmp_path: Path) -> None:
    import importlib.util

    from sohoa.intelligence.personal.names import MODEL_FILE

    script = Path(__file__).resolve().parents[2] / "scripts" / "train_names.py"
    spec = importlib.util.spec_from_file_location("train_names", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(**module.DEFAULTS).save(tmp_path / MODEL_FILE)
    shipped = Path(__file__).resolve().parents[2] / "src" / "sohoa" / "intelligence" / "personal" / MODEL_FILE
    assert (tmp_path / MODEL_FILE).read_bytes() == shipped.read_bytes()
