"""#17 leftovers: the last id fields and long selects of the staff app. The scanning upload names its hồ sơ by
the files picker (typed code or title resolved under the access policy), the staff search picks its unit, and
the audit log's action filter is a select of the named actions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from sohoa.app import create_app
from sohoa.db.models import FileUnit
from sohoa.domain.codes import AccessLevel
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers


def _client(ctx: AppContext) -> TestClient:
    return TestClient(create_app(ctx, scan_ingest=helpers.fake_ingest, watch_hot_folders=False))


def _start(client: TestClient, headers: dict[str, str], **target: object) -> tuple[int, dict[str, object]]:
    response = client.post("/scanning/uploads", json={"filename": "trang 1.png", "size": 9, **target}, headers=headers)
    return response.status_code, response.json()


def test_scanning_picks_its_file_instead_of_a_select(ctx: AppContext, staff: dict[str, str]) -> None:
    helpers.accession_with_files(ctx)
    with _client(ctx) as client:
        helpers.login(client, "scan_operator")
        html = client.get("/scanning").text
    assert '<select id="scan-file"' not in html and 'name="file_id"' not in html
    assert 'id="scan-file" name="file"' in html and 'data-picker="files"' in html
    assert 'data-picker-target="file_pick"' in html and 'name="file_pick"' in html


def test_an_upload_names_its_file_by_code_or_title_and_ambiguity_is_refused(
    ctx: AppContext, staff: dict[str, str]
) -> None:
    _acc, (first, second) = helpers.accession_with_files(ctx, files=2)
    with ctx.db.session() as session:
        codes = {f.id: f.file_code for f in session.query(FileUnit).where(FileUnit.id.in_([first, second]))}
        session.execute(update(FileUnit).values(title="Hồ sơ hội nghị"))  # two files of the same title
    with _client(ctx) as client:
        headers = {"X-CSRF-Token": helpers.login(client, "scan_operator"), "Accept": "application/json"}
        status, body = _start(client, headers, file=codes[second])
        assert status == 201 and body["file_code"] == codes[second]
        status, body = _start(client, headers, file=f"{codes[first]} — Hồ sơ hội nghị", file_id=first)
        assert status == 201 and body["file_code"] == codes[first]
        status, body = _start(client, headers, file="ho so hoi nghi")  # the title, without tones: two match
        assert status == 400, body
        assert "2 hồ sơ" in str(body) and codes[first] in str(body) and codes[second] in str(body)
        status, body = _start(client, headers, file="Không có hồ sơ này")
        assert status == 404
        status, body = _start(client, headers)  # no file: the documents are filed later, in review
        assert status == 201 and body["file_code"] is None


def test_a_secret_file_cannot_be_named_by_a_scan_operator(ctx: AppContext, staff: dict[str, str]) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    with ctx.db.session() as session:
        session.execute(update(FileUnit).where(FileUnit.id == file_id).values(access_level=AccessLevel.SECRET))
        code = session.get(FileUnit, file_id).file_code
    with _client(ctx) as client:
        headers = {"X-CSRF-Token": helpers.login(client, "scan_operator"), "Accept": "application/json"}
        assert _start(client, headers, file=code)[0] == 404  # neither by its code
        assert _start(client, headers, file_id=file_id)[0] == 404  # nor by its bare id (the JSON API)
        lookup = client.get("/staff/lookup/files", params={"q": code})
        assert code not in lookup.text


def test_staff_search_picks_its_unit_and_keeps_the_identifier_query(ctx: AppContext, staff: dict[str, str]) -> None:
    unit_id = helpers.unit(ctx)
    with _client(ctx) as client:
        helpers.login(client, "archivist")
        page = client.get("/search").text
        assert 'data-picker="units"' in page and 'name="unit_id"' in page and "Mã đơn vị" not in page
        by_identifier = client.get("/search", params={"q": "quyết định", "unit": "000.00.00.H26.T1"})
        assert by_identifier.status_code == 200 and 'id="result-count"' in by_identifier.text
        by_name = client.get("/search", params={"q": "quyết định", "unit": "ubnd phuong thu", "unit_id": ""})
        assert by_name.status_code == 200 and 'id="result-count"' in by_name.text
        assert f'name="unit_id" value="{unit_id}"' in by_name.text and "UBND phường Thử" in by_name.text
        unknown = client.get("/search", params={"q": "quyết định", "unit": "Phường Không Có"})
        assert unknown.status_code == 200 and 'id="unit-error"' in unknown.text
        assert "Không tìm thấy đơn vị" in unknown.text and 'aria-invalid="true"' in unknown.text
        client.get("/lang/en?next=/search")
        english = client.get("/search", params={"q": "x", "unit": "Phường Không Có"})
        assert "No unit matches" in english.text


def test_audit_action_filter_is_a_select_of_named_actions(ctx: AppContext, staff: dict[str, str]) -> None:
    with _client(ctx) as client:
        helpers.login(client, "admin")
        page = client.get("/admin/audit").text
        assert '<select id="action" name="action">' in page and '<input id="action"' not in page
        assert '<option value="access.change" >Đổi mức độ tiếp cận</option>' in page
        chosen = client.get("/admin/audit", params={"action": "auth.login"}).text
        assert '<option value="auth.login" selected>' in chosen
        rows = chosen.split("<tbody>", 1)[1]
        assert "<code>auth.login</code>" in rows and "<code>access.change</code>" not in rows
        prefix = client.get("/admin/audit", params={"action": "document."}).text  # a prefix, as links send
        assert '<option value="document." selected>document.</option>' in prefix
        client.get("/lang/en?next=/admin/audit")
        english = client.get("/admin/audit").text
        assert '<option value="access.change" >Access level changed</option>' in english
