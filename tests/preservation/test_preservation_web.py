"""/staff/preservation: who may see it, the alarm and the named problem, an object's history, a pass started from
the page, and every string of the pages in English."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Event, FixityRun
from sohoa.domain.codes import Role
from sohoa.http.i18n_en import EN
from sohoa.services.identity.permissions import Permission, allowed
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.fixity import run_fixity
from sohoa.web import templating
from tests.preservation._fixity_archive import DOC_CODE, FILE_CODE, build_archive, flip_bit
from tests.web import _helpers as web


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    web.users(ctx)
    app = create_app(ctx, watch_hot_folders=False)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_only_roles_with_the_permission_see_the_pages(ctx: AppContext, client: TestClient) -> None:
    archive = build_archive(ctx)
    run_fixity(ctx, rate=0)
    for role in Role:
        token = web.login(client, role.value)
        expected = 200 if allowed(role.value, Permission.PRESERVATION_VIEW) else 403
        assert client.get("/staff/preservation").status_code == expected, role
        assert client.get(f"/staff/preservation/objects/{archive.pdf[1]}").status_code == expected, role
        assert client.get("/staff/preservation/fixity").status_code == expected, role
        home = client.get("/").text
        assert ('href="/staff/preservation"' in home) == (expected == 200), role
        started = client.post("/staff/preservation/fixity/run", data={"csrf_token": token}, follow_redirects=False)
        assert started.status_code == (303 if allowed(role.value, Permission.PRESERVATION_MANAGE) else 403), role
        if started.status_code == 303:
            client.app.state.fixity_web_pass.join(60)  # type: ignore[attr-defined]
        client.post("/logout", data={"csrf_token": token})
    assert {r for r in Role if allowed(r.value, Permission.PRESERVATION_VIEW)} == {Role.ADMIN, Role.ARCHIVIST}
    assert {r for r in Role if allowed(r.value, Permission.PRESERVATION_MANAGE)} == {Role.ADMIN}


def test_damage_is_shown_named_and_a_pass_can_be_started(ctx: AppContext, client: TestClient) -> None:
    archive = build_archive(ctx)
    run_fixity(ctx, rate=0)
    web.login(client, "archivist")
    calm = client.get("/staff/preservation").text
    assert 'id="fixity-alarm"' not in calm and "Không có vấn đề nào" in calm
    assert 'action="/staff/preservation/fixity/run"' not in calm  # an archivist views, does not run
    assert 'id="preservation-alarm"' not in client.get("/").text

    flip_bit(ctx, archive.masters[1][1])
    run_fixity(ctx, rate=0, due_only=False)
    page = client.get("/staff/preservation").text
    assert 'id="fixity-alarm"' in page
    assert archive.masters[1][1] in page and f"<code>{FILE_CODE}</code>" in page and DOC_CODE in page
    assert "trang số 2" in page and "Sai lệch" in page
    assert 'id="preservation-alarm"' in client.get("/").text  # the staff home raises it too
    damage = client.get("/staff/preservation/fixity").text
    assert archive.masters[1][1] in damage and "Sai lệch" in damage and "trang số 2" in damage
    history = client.get(f"/staff/preservation/objects/{archive.masters[1][1]}").text
    assert "Sai lệch" in history and "Nguyên vẹn" in history and "fixity check" in history
    assert client.get(f"/staff/preservation/objects/{archive.masters[1][0]}").status_code == 200
    assert client.get("/staff/preservation/objects/" + "0" * 64).status_code == 404
    assert client.get("/staff/preservation/objects/not-hex").status_code in (404, 422)

    token = web.login(client, "scan_operator")
    assert 'id="preservation-alarm"' not in client.get("/").text  # not for those who do not watch preservation
    token = web.login(client, "admin")
    assert 'action="/staff/preservation/fixity/run"' in client.get("/staff/preservation").text
    done = client.post("/staff/preservation/fixity/run", data={"csrf_token": token}, follow_redirects=True)
    assert done.status_code == 200 and "Đã bắt đầu một lượt kiểm tra toàn vẹn" in done.text
    client.app.state.fixity_web_pass.join(60)  # type: ignore[attr-defined]
    with ctx.db.session() as session:
        web_run = session.execute(select(FixityRun).where(FixityRun.trigger == "web")).scalar_one()
        assert (web_run.actor, web_run.state) == ("admin", "done")
        started = session.execute(select(Event).where(Event.action == "preservation.fixity_started")).scalar_one()
        assert started.actor == "admin"


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    keys: set[str] = set()
    original: Callable[[str, str], str] = templating.translate

    def recording(text: str, lang: str) -> str:
        if lang == "en":
            keys.add(text)
        return original(text, lang)

    monkeypatch.setattr(templating, "translate", recording)
    yield keys


def test_the_pages_read_in_english(ctx: AppContext, client: TestClient, recorded: set[str]) -> None:
    archive = build_archive(ctx)
    run_fixity(ctx, rate=0)
    flip_bit(ctx, archive.masters[0][1])
    run_fixity(ctx, rate=0, due_only=False)
    web.login(client, "admin")
    client.get("/lang/en")
    page = client.get("/staff/preservation").text
    assert "Preservation" in page and "Fixity audits" in page and "Mismatch" in page
    assert "Sai lệch" not in page
    history = client.get(f"/staff/preservation/objects/{archive.masters[0][1]}").text
    assert "Preservation history of an object" in history
    assert "Damage found" in client.get("/staff/preservation/fixity").text
    assert sorted(k for k in recorded if k not in EN) == []
