"""The write side of access: merge, split and move never lower a document's protection; only reviewed documents
of a public file reach the public; a file's access level changes only through the audited, role-checked step
(the arrangement screen included) — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event, FileUnit
from sohoa.domain.errors import NotFound, PermissionDenied
from sohoa.services.catalogue.listing import list_documents, list_files
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.access_changes import change_file_access
from sohoa.services.identity.policy import can_view_document
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.protection import may_change_access
from sohoa.services.identity.tokens import authenticate_token, create_token
from sohoa.services.platform.context import AppContext
from sohoa.services.production import review
from sohoa.services.production.filing import move_document, supersede_rework
from tests.shared._portal_helpers import login, staff
from tests.shared.test_permission_matrix import expected, principal_for
from tests.shared.world import RELATIONS, World, build_world

from ._protection_world import add_page

HIDDEN_STATES = ("review", "unsorted", "qc", "rework_review", "rework_scan", "merged", "superseded")
SHOWN_STATES = ("accepted", "published")


@pytest.fixture
def world(any_ctx: AppContext) -> World:
    return build_world(any_ctx)


def _doc(ctx: AppContext, doc_id: int) -> Document:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        session.expunge(doc)
        return doc


def _set(ctx: AppContext, doc_id: int, **values: Any) -> None:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        for name, value in values.items():
            setattr(doc, name, value)


def _events(ctx: AppContext, entity_type: str, entity_id: int, action: str) -> list[dict[str, Any]]:
    with ctx.db.session() as session:
        return [dict(p or {}) for p in session.execute(select(Event.payload).where(
            Event.entity_type == entity_type, Event.entity_id == entity_id, Event.action == action)
            .order_by(Event.id)).scalars()]


def _token(ctx: AppContext, name: str, scope: str) -> Principal:
    """The principal of a new API token of unit T.M (the world's own unit)."""
    raw, _ = create_token(ctx, name, [scope], unit="T.M")
    with ctx.db.session() as session:
        client = authenticate_token(session, raw)
        assert client is not None
        return client.principal()


def _anonymous_reach(ctx: AppContext, doc_id: int, marker: str) -> dict[str, bool]:
    """Every anonymous path to the document: portal search and page, API document and list, the policy."""
    client = TestClient(create_app(ctx, watch_hot_folders=False))
    listed, _ = list_documents(ctx, None, limit=200)
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        policy = can_view_document(session, None, doc)
    return {
        "search": search(ctx, None, SearchRequest(marker), audit=False).total > 0,
        "portal_search": marker in client.get("/portal", params={"q": marker}).text.split("</form>", 1)[-1],
        "portal_page": client.get(f"/portal/documents/{doc_id}").status_code == 200,
        "api_document": client.get(f"/api/v1/documents/{doc_id}").status_code == 200,
        "api_list": doc_id in {item.document_id for item in listed},
        "policy": policy,
    }


def test_merge_of_public_with_secret_is_secret_and_leaves_the_portal(any_ctx: AppContext, world: World) -> None:
    public, secret = world.docs[("own", "public")], world.docs[("own", "secret")]
    before = _anonymous_reach(any_ctx, public, "mkownpublic")
    assert all(before.values()), before
    review.merge_documents(any_ctx, public, secret, actor="u_archivist")
    merged = _doc(any_ctx, public)
    assert (merged.secrecy, merged.access_level) == ("Mật", "secret")
    for marker in ("mkownpublic", "mkownsecret"):  # neither the survivor's own pages nor the secret ones
        reach = _anonymous_reach(any_ctx, public, marker)
        assert not any(reach.values()), reach
    for role in ("admin", "archivist", "unit_officer"):
        assert search(any_ctx, principal_for(world, role), SearchRequest("mkownsecret"), audit=False).total == 0
    why = _events(any_ctx, "document", public, "document.update")[-1]["protection"]
    assert why["raised"] is True and why["from"] == [public, secret]
    assert (why["secrecy"], why["access_level"]) == ("Mật", "secret")


def test_merge_takes_the_strictest_of_each_axis(any_ctx: AppContext, world: World) -> None:
    public = world.docs[("own", "public")]
    add_page(any_ctx, world.marked_secret, ["Quyết", "định", "mksecretmark"], 1)
    review.merge_documents(any_ctx, public, world.marked_secret, actor="u_archivist")
    merged = _doc(any_ctx, public)
    assert (merged.secrecy, merged.access_level) == ("Tối mật", "internal")  # độ mật from one, level from other
    assert not _anonymous_reach(any_ctx, public, "mksecretmark")["search"]
    unit_token = _token(any_ctx, "ward", "read:unit")
    assert search(any_ctx, unit_token, SearchRequest("mksecretmark"), audit=False).total == 0


def test_split_of_a_secret_document_stays_secret(any_ctx: AppContext, world: World) -> None:
    secret = world.docs[("own", "secret")]
    add_page(any_ctx, secret, ["Quyết", "định", "mktailsecret"], 2)
    new_id = review.split_document(any_ctx, secret, 2, actor="u_archivist")
    new = _doc(any_ctx, new_id)
    assert (new.secrecy, new.access_level) == ("Mật", "secret")
    unit_token = _token(any_ctx, "ward", "read:unit")
    for principal in (unit_token, principal_for(world, "unit_officer"), principal_for(world, "unit_clerk"),
                      principal_for(world, "admin"), None):
        assert search(any_ctx, principal, SearchRequest("mktailsecret"), audit=False).total == 0
        with any_ctx.db.session() as session:
            doc = session.get(Document, new_id)
            assert doc is not None and not can_view_document(session, principal, doc)
    created = _events(any_ctx, "document", new_id, "document.create")[0]
    assert created["protection"]["from"] == [secret] and created["protection"]["secrecy"] == "Mật"


def test_reorder_keeps_protection(any_ctx: AppContext, world: World) -> None:
    secret = world.docs[("own", "secret")]
    add_page(any_ctx, secret, ["Quyết", "định"], 2)
    with any_ctx.db.session() as session:
        doc = session.get(Document, secret)
        assert doc is not None
        pages = [p.id for p in sorted(doc.pages, key=lambda p: p.page_no)]
    review.reorder_pages(any_ctx, secret, pages[::-1], actor="u_archivist")
    assert (_doc(any_ctx, secret).secrecy, _doc(any_ctx, secret).access_level) == ("Mật", "secret")


@pytest.mark.parametrize(("source", "target", "want"), [
    (("own", "secret"), ("own", "public"), "secret"),  # a secret document stays secret in a public file
    (("own", "internal"), ("own", "public"), "internal"),  # never lower than it was
    (("own", "public"), ("own", "internal"), "internal"),  # the target file's level when stricter
])
def test_move_takes_the_stricter_protection(any_ctx: AppContext, world: World, source: tuple[str, str],
                                            target: tuple[str, str], want: str) -> None:
    doc_id = world.docs[source]
    secrecy = _doc(any_ctx, doc_id).secrecy
    why = move_document(any_ctx, doc_id, world.files[target], actor="u_archivist")
    moved = _doc(any_ctx, doc_id)
    assert (moved.file_id, moved.access_level, moved.secrecy) == (world.files[target], want, secrecy)
    assert why["raised"] is (source[1] == "public")
    assert _events(any_ctx, "document", doc_id, "document.update")[-1]["protection"]["access_level"] == want


def test_unsorted_document_filed_into_a_public_file_waits_for_review(any_ctx: AppContext, world: World) -> None:
    doc_id = world.docs[("own", "internal")]
    _set(any_ctx, doc_id, file_id=None, state="unsorted")
    move_document(any_ctx, doc_id, world.files[("own", "public")], actor="u_archivist")
    assert _doc(any_ctx, doc_id).state == "review"
    assert not _anonymous_reach(any_ctx, doc_id, "mkowninternal")["policy"]


def test_public_documents_reach_the_public_only_once_reviewed(any_ctx: AppContext, world: World) -> None:
    public_token = _token(any_ctx, "city", "read:public")
    for state in HIDDEN_STATES + SHOWN_STATES:
        for relation in RELATIONS:
            _set(any_ctx, world.docs[(relation, "public")], state=state)
        shown = state in SHOWN_STATES
        reach = _anonymous_reach(any_ctx, world.docs[("own", "public")], "mkownpublic")
        assert reach == dict.fromkeys(reach, shown), state
        for role in (None, "admin", "archivist", "coordinator", "qc_inspector", "scan_operator", "unit_clerk",
                     "unit_officer"):
            principal = public_token if role is None else principal_for(world, role)
            got = {h.document_id for h in search(any_ctx, principal, SearchRequest("hòa giải", limit=200),
                                                    audit=False).results}
            for relation in RELATIONS:
                want = expected(role, relation, "public", state)
                assert (world.docs[(relation, "public")] in got) is want, (state, role, relation)


def test_files_listing_for_the_public_is_public_files_only(any_ctx: AppContext, world: World) -> None:
    items, _ = list_files(any_ctx, None, limit=200)
    assert {f.access_level for f in items} == {"public"}
    assert {f.file_id for f in items} == {world.files[(r, "public")] for r in RELATIONS}


def test_who_may_change_a_file_access_level(any_ctx: AppContext, world: World) -> None:
    """Admin: any change. Archivist: narrowing, and widening below secret (publishing a file); lowering a secret
    level stays the administrator's. The other roles (QC inspector, scan operator…): none."""
    internal = world.files[("own", "internal")]
    doc_id, filed_secret = world.docs[("own", "internal")], world.docs[("own", "conditional")]
    others = ("coordinator", "qc_inspector", "scan_operator", "unit_clerk", "unit_officer")
    for role in others:
        for level in ("public", "secret"):
            with pytest.raises(PermissionDenied):
                change_file_access(any_ctx, internal, level, f"u_{role}", "thử", role=role)
    assert _events(any_ctx, "file_unit", internal, "access.change") == []
    change_file_access(any_ctx, internal, "secret", "u_archivist", "QĐ 5/QĐ-VP", role="archivist")  # narrowing
    assert _doc(any_ctx, doc_id).access_level == "secret"
    for level in ("internal", "public"):  # a secret file: only the administrator lowers it
        with pytest.raises(PermissionDenied, match="hạ mức Mật"):
            change_file_access(any_ctx, internal, level, "u_archivist", "thử", role="archivist")
    assert _doc(any_ctx, doc_id).access_level == "secret"
    change_file_access(any_ctx, internal, "internal", "u_admin", "QĐ 6/QĐ-VP", role="admin")
    assert _doc(any_ctx, doc_id).access_level == "internal"
    _set(any_ctx, filed_secret, file_id=internal, access_level="secret")  # filed in secret: stays secret
    change = change_file_access(any_ctx, internal, "public", "u_archivist", "QĐ 7/QĐ-VP", role="archivist")
    assert change.published == 1 and any("cổng công dân" in w.vi for w in change.warnings)
    assert _doc(any_ctx, doc_id).access_level == "public"
    assert _anonymous_reach(any_ctx, doc_id, "mkowninternal")["portal_page"]
    assert _doc(any_ctx, filed_secret).access_level == "secret"
    assert _doc(any_ctx, world.marked_secret).access_level == "secret"  # độ mật: raised with its file, never lowered
    assert [(e["after"], e["role"]) for e in _events(any_ctx, "file_unit", internal, "access.change")] == [
        ("secret", "archivist"), ("internal", "admin"), ("public", "archivist")]
    assert may_change_access("admin", "secret", "public") and not may_change_access("archivist", "secret", "internal")
    assert may_change_access("archivist", "internal", "public") and may_change_access("archivist", "public", "secret")
    assert not any(may_change_access(role, "internal", "public") or may_change_access(role, "public", "internal")
                   for role in others)


def test_widening_to_public_publishes_accepted_documents_only(any_ctx: AppContext, world: World) -> None:
    file_id = world.files[("unrelated", "internal")]
    accepted, waiting = world.docs[("unrelated", "internal")], world.marked_secret
    other = world.docs[("unrelated", "conditional")]
    _set(any_ctx, accepted, state="accepted")
    _set(any_ctx, other, file_id=file_id, state="review")
    _set(any_ctx, waiting, file_id=file_id)
    change = change_file_access(any_ctx, file_id, "public", "u_admin", "QĐ 12/QĐ-TTLT", role="admin")
    assert any("cổng công dân" in w.vi for w in change.warnings)
    assert any("classified document" in w.en for w in change.warnings)
    assert _events(any_ctx, "document", accepted, "document.publish") == [{"via": "access.change",
                                                                           "audience": "public"}]
    assert _events(any_ctx, "document", other, "document.publish") == []
    assert _events(any_ctx, "document", waiting, "document.publish") == []
    assert _doc(any_ctx, waiting).access_level == "internal"  # độ mật: never widened by its file
    assert _anonymous_reach(any_ctx, accepted, "mkunrelatedinternal")["portal_page"]
    assert not _anonymous_reach(any_ctx, other, "mkunrelatedconditional")["portal_page"]
    for doc_id in (accepted, other, waiting):
        assert len(_events(any_ctx, "document", doc_id, "access.change")) == 1


def test_arrangement_screen_confirms_and_audits_access_changes(any_ctx: AppContext, world: World) -> None:
    staff(any_ctx)
    file_id, doc_id = world.files[("own", "internal")], world.docs[("own", "internal")]
    with any_ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        assert file is not None
        form = {"title": file.title, "maintenance": "10 năm", "start_date": "", "end_date": "",
                "sheet_total": "", "page_total": "", "description": ""}
    archivist = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = login(archivist, "s_archivist")
    proposed = archivist.post(f"/arrangement/files/{file_id}", data={**form, "csrf_token": token,
                                                                      "access_level": "secret"})
    assert proposed.status_code == 200 and 'id="access-confirm"' in proposed.text
    assert _events(any_ctx, "file_unit", file_id, "access.change") == []  # nothing changed before confirming
    confirmed = archivist.post(f"/arrangement/files/{file_id}/access", data={
        "csrf_token": token, "access_level": "secret", "reason": "QĐ 7/QĐ-VP"})
    assert confirmed.status_code == 200
    assert [e["after"] for e in _events(any_ctx, "file_unit", file_id, "access.change")] == ["secret"]
    assert [e["after"] for e in _events(any_ctx, "document", doc_id, "access.change")] == ["secret"]
    updates = len(_events(any_ctx, "file_unit", file_id, "file.update"))
    refused = archivist.post(f"/arrangement/files/{file_id}", data={**form, "csrf_token": token,
                                                                     "title": "Đổi tên lén", "access_level": "public"})
    assert refused.status_code == 403 and "không được" in refused.text and "hạ mức Mật" in refused.text
    assert len(_events(any_ctx, "file_unit", file_id, "file.update")) == updates  # a refused form saves nothing
    direct = archivist.post(f"/arrangement/files/{file_id}/access", data={
        "csrf_token": token, "access_level": "public", "reason": "x"})
    assert direct.status_code == 403
    assert _doc(any_ctx, doc_id).access_level == "secret"
    assert len(_events(any_ctx, "file_unit", file_id, "access.change")) == 1
    admin = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = login(admin, "s_admin")
    shown = admin.post(f"/arrangement/files/{file_id}", data={**form, "csrf_token": token, "access_level": "public"})
    assert shown.status_code == 200 and "Mở rộng quyền truy cập" in shown.text and "cổng công dân" in shown.text
    assert _doc(any_ctx, doc_id).access_level == "secret"
    done = admin.post(f"/arrangement/files/{file_id}/access", data={
        "csrf_token": token, "access_level": "public", "reason": "QĐ 8/QĐ-VP"})
    assert done.status_code == 200 and "cổng công dân" in done.text
    assert _doc(any_ctx, doc_id).access_level == "public"
    assert _anonymous_reach(any_ctx, doc_id, "mkowninternal")["portal_page"]
    assert "document.publish" in _actions(any_ctx, doc_id)


def _actions(ctx: AppContext, doc_id: int) -> list[str]:
    with ctx.db.session() as session:
        return list(session.execute(select(Event.action).where(Event.entity_type == "document",
                                                               Event.entity_id == doc_id)).scalars())


def test_unit_users_see_their_own_documents_in_any_state(any_ctx: AppContext, world: World) -> None:
    own, other = world.docs[("own", "internal")], world.docs[("unrelated", "public")]
    _set(any_ctx, own, state="review")
    _set(any_ctx, other, state="review")
    officer = principal_for(world, "unit_officer")
    assert officer is not None
    got = {h.document_id for h in search(any_ctx, officer, SearchRequest("hòa giải", limit=200),
                                            audit=False).results}
    assert own in got and other not in got
    archivist = Principal(user_id=world.users["archivist"], username="u_archivist", role="archivist")
    got = {h.document_id for h in search(any_ctx, archivist, SearchRequest("hòa giải", limit=200),
                                            audit=False).results}
    assert own in got and other in got


def test_review_screen_move_files_the_document_without_lowering_it(any_ctx: AppContext, world: World) -> None:
    staff(any_ctx)
    doc_id = world.docs[("own", "public")]
    client = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = login(client, "s_archivist")
    moved = client.post(f"/review/{doc_id}/move", data={"csrf_token": token, "file_id": world.files[
        ("own", "internal")]}, follow_redirects=False)
    assert moved.status_code == 303
    assert _doc(any_ctx, doc_id).access_level == "internal"
    assert not any(_anonymous_reach(any_ctx, doc_id, "mkownpublic").values())
    secret = client.post(f"/review/{world.docs[('own', 'secret')]}/move", data={
        "csrf_token": token, "file_id": world.files[("own", "public")]}, follow_redirects=False)
    assert secret.status_code == 404  # a secret document is out of every network user's reach
    assert _doc(any_ctx, world.docs[("own", "secret")]).file_id == world.files[("own", "secret")]


def test_a_rescan_keeps_the_protection_of_what_it_replaces(any_ctx: AppContext, world: World) -> None:
    old_id, file_id = world.docs[("own", "internal")], world.files[("own", "internal")]
    _set(any_ctx, old_id, secrecy="Tối mật", state="rework_scan")  # marked độ mật in review, then sent back
    with any_ctx.db.session() as session:
        new = Document(file_id=file_id, unit_id=world.units["own"], source_name="rescan.pdf",
                       access_level="internal", state="review")
        session.add(new)
        session.flush()
        supersede_rework(session, file_id, [new.id], "scan_operator")
        new_id = new.id
    assert _doc(any_ctx, old_id).state == "superseded"
    assert (_doc(any_ctx, new_id).secrecy, _doc(any_ctx, new_id).access_level) == ("Tối mật", "internal")
    assert _events(any_ctx, "document", new_id, "document.update")[-1]["protection"]["from"] == [old_id]


def test_a_form_read_before_the_document_became_secret_cannot_clear_it(any_ctx: AppContext, world: World) -> None:
    """Time of check, time of use: the reviewer's page passed the policy, then the document was marked độ mật;
    the reviewer's save (an unchanged form: empty độ mật) is refused under the lock, and the mark stays."""
    archivist = principal_for(world, "archivist")
    assert archivist is not None
    doc_id = world.docs[("own", "internal")]
    review.get_document(any_ctx, doc_id, principal=archivist)  # the form is open
    assert review.update_fields(any_ctx, doc_id, {"secrecy": "Mật"}, actor="u_archivist", principal=archivist) == {}
    for change in (lambda: review.update_fields(any_ctx, doc_id, {"secrecy": ""}, actor="u_archivist",
                                                principal=archivist),
                   lambda: review.split_document(any_ctx, doc_id, 2, actor="u_archivist", principal=archivist),
                   lambda: review.reorder_pages(any_ctx, doc_id, [], actor="u_archivist", principal=archivist)):
        with pytest.raises(NotFound):
            change()
    assert _doc(any_ctx, doc_id).secrecy == "Mật"


def test_parallel_saves_never_clear_a_secrecy_mark(any_ctx: AppContext, world: World) -> None:
    """Eight reviewers save an unchanged form (empty độ mật) while one marks the document độ mật: whatever the
    order, the document ends secret, and every save either ran before the mark or was refused."""
    archivist = principal_for(world, "archivist")
    assert archivist is not None
    doc_id = world.docs[("own", "internal")]
    barrier = threading.Barrier(9)

    def save(secrecy: str) -> str:
        barrier.wait()
        try:
            review.update_fields(any_ctx, doc_id, {"secrecy": secrecy}, actor="u_archivist", principal=archivist)
        except NotFound:
            return "refused"
        return "saved"

    with ThreadPoolExecutor(max_workers=9) as pool:
        outcomes = list(pool.map(save, ["Mật"] + [""] * 8))
    assert outcomes[0] == "saved"
    assert _doc(any_ctx, doc_id).secrecy == "Mật"
    changes = [p["changes"]["secrecy"] for p in _events(any_ctx, "document", doc_id, "document.update")]
    assert changes == [["", "Mật"]]  # never cleared afterwards


def test_marking_secret_on_the_review_screen_says_so_and_hides_the_document(any_ctx: AppContext,
                                                                           world: World) -> None:
    staff(any_ctx)
    doc_id = world.docs[("own", "internal")]
    client = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = login(client, "s_archivist")
    saved = client.post(f"/review/{doc_id}", data={"csrf_token": token, "secrecy": "Mật", "action": "save"})
    assert saved.status_code == 200 and "chỉ người vận hành tại máy lưu trữ" in saved.text
    assert world.marker("own", "internal") not in saved.text
    assert client.get(f"/review/{doc_id}").status_code == 404
    assert _doc(any_ctx, doc_id).secrecy == "Mật"
    again = client.post(f"/review/{doc_id}", data={"csrf_token": token, "secrecy": "", "action": "save"})
    assert again.status_code == 404 and _doc(any_ctx, doc_id).secrecy == "Mật"
