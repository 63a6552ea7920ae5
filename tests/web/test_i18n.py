"""The English switch is complete: every interface string used by every main page has an English entry.

A recording translator collects the keys the templates (and flash messages) ask for while each page
renders; a key without an English entry fails. Static checks catch Vietnamese text written into a
template or a route module without going through the translation function.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.db.models import FileUnit
from sohoa.http.i18n import VI_NAMES
from sohoa.http.i18n_en import EN
from sohoa.services.catalogue import subject_requests
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import qc
from sohoa.services.sharing.copies import Requester, request_copy
from sohoa.web import templating

from . import _helpers as helpers

WEB = Path(templating.__file__).parent
VIETNAMESE = re.compile(r"[^\W\d_a-zA-Z]")  # a letter outside ASCII: Vietnamese text
IDENTIFIER = re.compile(r"^[a-z][a-z_]*$")


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, set[str]]]:
    """Keys asked of the translator, per language."""
    keys: dict[str, set[str]] = {"vi": set(), "en": set()}
    original: Callable[[str, str], str] = templating.translate

    def recording(text: str, lang: str) -> str:
        keys.setdefault(lang, set()).add(text)
        return original(text, lang)

    monkeypatch.setattr(templating, "translate", recording)
    yield keys


def _data(ctx: AppContext) -> dict[str, int | str]:
    acc, (file_id,) = helpers.accession_with_files(ctx)
    in_review = helpers.document(ctx, file_id, type_name="Quyết định", subject="Về việc hòa giải")
    in_qc = helpers.document(ctx, file_id, state="qc", type_name="Quyết định")
    qc.create_plan(ctx, "Toàn bộ", 1.0, actor="qc_inspector")
    request = subject_requests.create_request(ctx, Principal(1, "archivist", "archivist"), subject_requests.NewRequest(
        "access", "Nguyễn Văn An", "Nguyễn Văn An", subject_id_number="001090012345"))
    return {"acc": acc, "file": file_id, "review": in_review, "qc": in_qc, "request": request}


def _pages(ids: dict[str, int | str]) -> dict[str, list[str]]:
    """Every main page, by the role that opens it."""
    return {
        "admin": ["/", "/admin", "/admin/roles", "/account/password", "/search?q=h%C3%B2a+gi%E1%BA%A3i",
                  f"/documents/{ids['review']}"],
        "archivist": ["/intake", f"/intake/accessions/{ids['acc']}", "/arrangement",
                      f"/arrangement/files/{ids['file']}", "/review", f"/review/{ids['review']}", "/review/999999",
                      "/staff/personal-data", "/staff/personal-data?q=nguyen+van&purpose=Ki%E1%BB%83m+tra+b%E1%BA%A3n",
                      "/staff/personal-data/requests",
                      f"/staff/personal-data/requests/{ids['request']}"],
        "scan_operator": ["/scanning"],
        "qc_inspector": ["/qc", f"/qc/documents/{ids['qc']}", "/qc/plans", "/progress"],
        "unit_officer": ["/", "/our-records", "/our-records?q=h%C3%B2a"],
    }


def _visit(client: TestClient, ids: dict[str, int | str], lang: str | None) -> None:
    for role, paths in _pages(ids).items():
        token = helpers.login(client, role)
        if lang:
            client.get(f"/lang/{lang}")
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 404), (role, path, response.status_code)
            assert f'<html lang="{lang or "vi"}">' in response.text, (role, path)
        if role == "archivist":  # flash messages: an invalid field, then a saved form
            client.post(f"/review/{ids['review']}", data={"code_number": "x", "csrf_token": token})
            client.post(f"/review/{ids['review']}", data={"place": "Hà Nội", "csrf_token": token})
        if role == "admin":
            client.post("/account/password", data={"current": "x", "new": "a" * 9, "confirm": "b" * 9,
                                                    "csrf_token": token})
        client.post("/logout", data={"csrf_token": token})
    client.get("/login")


def test_every_key_of_every_main_page_has_english(
    ctx: AppContext, client: TestClient, recorded: dict[str, set[str]]
) -> None:
    _visit(client, _data(ctx), "en")
    assert len(recorded["en"]) > 150  # the walk really went through the pages
    missing = sorted(key for key in recorded["en"] if key not in EN)
    assert missing == []


def test_vietnamese_is_the_default_and_identifiers_are_named(
    ctx: AppContext, client: TestClient, recorded: dict[str, set[str]]
) -> None:
    assert '<html lang="vi">' in client.get("/login").text and "Đăng nhập" in client.get("/login").text
    assert "Sign in" not in client.get("/login").text
    _visit(client, _data(ctx), None)
    assert recorded["en"] == set() and len(recorded["vi"]) > 150
    raw = sorted(key for key in recorded["vi"] if IDENTIFIER.match(key) and key not in VI_NAMES and key not in EN)
    assert raw == []  # a state, role or field identifier is never shown to Vietnamese users as is


def test_switching_back_to_vietnamese(client: TestClient) -> None:
    helpers.login(client, "archivist")
    client.get("/lang/en")
    assert "Review" in client.get("/review").text
    client.get("/lang/vi")
    page = client.get("/review").text
    assert "Kiểm duyệt" in page and "awaiting review" not in page


def _template_text(source: str) -> str:
    """What a template shows as written: no Jinja, no scripts, no tags (attributes checked separately)."""
    source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    source = re.sub(r"<script.*?</script>", " ", source, flags=re.S)
    return re.sub(r"<[^>]*>", " ", source)


# Form values and placeholders that are sample Vietnamese data, not interface text.
DATA_ATTRIBUTES = re.compile(r'\b(?:placeholder|value)="[^"]*"')


def test_templates_write_no_vietnamese_outside_the_translator() -> None:
    found: list[str] = []
    for path in sorted((WEB / "templates").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        text = _template_text(source)
        attrs = " ".join(re.findall(r'\b(?:title|aria-label|alt)="([^"{]*)"', DATA_ATTRIBUTES.sub("", source)))
        found += [f"{path.name}: {chunk.strip()}" for chunk in (text + " " + attrs).split("  ")
                  if VIETNAMESE.search(chunk)]
    assert found == []


def _is_bilingual_error(node: ast.Call) -> bool:
    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
    return name.endswith(("Failed", "NotFound", "Error", "Rejected"))  # carries its own English


def _vietnamese_literals(tree: ast.AST) -> Iterator[str]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_bilingual_error(node):
            skip |= {id(arg) for arg in node.args}
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # docstrings
    for node in ast.walk(tree):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        if literal and VIETNAMESE.search(node.value):  # type: ignore[attr-defined]
            yield node.value  # type: ignore[attr-defined]


def test_route_modules_only_hand_out_translatable_vietnamese() -> None:
    missing = []
    for path in sorted(WEB.glob("*.py")):
        if path.name in ("i18n.py", "i18n_en.py", "labels.py"):  # labels.py: codes with their own English
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        missing += [f"{path.name}: {text}" for text in _vietnamese_literals(tree) if text not in EN]
    assert missing == []


# ---- Every page, as people see it: no Vietnamese left in English mode, no raw code in either language.

# The Vietnamese the test data itself holds (names, titles, the subject typed in): data, not interface text.
# A document type ("Quyết định") is not data here: an English page names it through the label ("Decision").
DATA_TEXT = ("UBND phường Thử", "Về việc hòa giải", "Hồ sơ 1", "Đợt thử", "Toàn bộ", "Trung tâm Lưu trữ lịch sử Hà Nội",
             "Hà Nội", "QUYẾT ĐỊNH", "QĐ-UBND", "Kiểm tra", "Nguyễn Văn An", "Bổ sung hồ sơ đất đai")
# Code-shaped text: identifiers with an underscore or a dot, and Python's None.
RAW_CODE = re.compile(r"(?<![\w/.-])(?:[a-z]+(?:_[a-z]+)+|[a-z]{2,}\.[a-z_]{2,}|None)(?![\w/-])")
STORED_CODES = {"internal", "public", "conditional", "secret", "missing", "registered", "received", "review",
                "accepted", "unsorted", "draft", "pending"}


def _visible(html: str, usernames: set[str]) -> list[str]:
    """The text a reader sees, chunk by chunk: no scripts, styles, tags or <code> (codes shown as codes)."""
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]*>", "\n", html)
    html = html.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')
    chunks = []
    for chunk in (c.strip() for c in html.split("\n")):
        for data in (*DATA_TEXT, "scan.png", *sorted(usernames, key=len, reverse=True)):
            chunk = chunk.replace(data, " ")
        if chunk.strip(" ·—-:,()#0123456789/"):
            chunks.append(chunk.strip())
    return chunks


def _world(ctx: AppContext) -> tuple[dict[str, int | str], str]:
    """The pages' data, and the tracking code of a citizen's copy request."""
    ids = _data(ctx)
    with ctx.db.session() as session:
        file = session.get(FileUnit, ids["file"])
        assert file is not None
        file.maintenance = None  # shown as "—", never "None"
        public = FileUnit(file_code="GN-T1-1.09.VP", file_notation="09.VP", title="Hồ sơ 1", access_level="public",
                          accession_id=file.accession_id, unit_id=file.unit_id)
        session.add(public)
        session.flush()
        ids["public_file"] = public.id
    ids["public"] = helpers.document(ctx, ids["public_file"], state="accepted", access_level="public",
                                     type_name="Quyết định", subject="Về việc hòa giải", issued_date=date(2020, 6, 5),
                                     code_number="15", code_notation="QĐ-UBND", place="Hà Nội")
    requester = Requester("Nguyễn Văn An", "001090012345", "an@example.vn", purpose="Bổ sung hồ sơ đất đai")
    return ids, request_copy(ctx, ids["public"], requester).code  # the staff list and the tracking page


def _every_page(ids: dict[str, int | str]) -> dict[str, list[str]]:
    pages = _pages(ids)
    pages["admin"] += ["/admin/access", "/admin/audit"]
    pages["archivist"] += ["/staff/copies", "/search"]
    pages["coordinator"] = ["/", "/progress", "/qc/plans"]
    pages["unit_clerk"] = ["/", "/our-records"]
    return pages


def _walk(client: TestClient, world: tuple[dict[str, int | str], str], lang: str,
          usernames: set[str]) -> dict[str, list[str]]:
    ids, copy_code = world
    seen: dict[str, list[str]] = {}
    for role, paths in _every_page(ids).items():
        token = helpers.login(client, role)
        client.get(f"/lang/{lang}")
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 404), (role, path, response.status_code)
            seen[f"{role} {path}"] = _visible(response.text, usernames)
        client.post("/logout", data={"csrf_token": token})
    client.get(f"/lang/{lang}")
    for path in ("/portal", "/portal/search?q=h%C3%B2a+gi%E1%BA%A3i", "/portal/copies", "/portal/documents/999999",
                 f"/portal/documents/{ids['public']}", f"/portal/copies/{copy_code}"):
        seen[f"citizen {path}"] = _visible(client.get(path).text, usernames)
    return seen


ENGLISH_WITH_VIETNAMESE = set(EN.values())  # English that quotes a Vietnamese term («Vĩnh viễn», NĐ 30, độ mật)
CITATION = re.compile(r"Quyết định No\. .* Available at ")  # a citation quotes the document's own title


def test_english_pages_show_no_vietnamese_and_no_raw_codes(
    ctx: AppContext, client: TestClient, staff: dict[str, str]
) -> None:
    seen = _walk(client, _world(ctx), "en", set(staff))
    vietnamese = [(page, chunk) for page, chunks in seen.items() for chunk in chunks
                  if VIETNAMESE.search(chunk) and not any(chunk in text for text in ENGLISH_WITH_VIETNAMESE)
                  and not CITATION.search(chunk)]
    assert vietnamese == [], "\n".join(map(str, vietnamese))
    raw = [(page, chunk) for page, chunks in seen.items() for chunk in chunks if RAW_CODE.search(chunk)]
    assert raw == [], "\n".join(map(str, raw))


def test_vietnamese_pages_show_no_raw_codes(ctx: AppContext, client: TestClient, staff: dict[str, str]) -> None:
    seen = _walk(client, _world(ctx), "vi", set(staff))
    raw = [(page, chunk) for page, chunks in seen.items() for chunk in chunks
           if RAW_CODE.search(chunk) or chunk in STORED_CODES]
    assert raw == [], "\n".join(map(str, raw))
    assert any("Nội bộ" in chunk for chunk in seen["archivist /arrangement"])  # the file's level, named
