"""Publication as a visible workflow (#17 item 1), on SQLite and PostgreSQL: the file's access level set on the
arrangement screen publishes exactly its reviewed documents; unreviewed, QC-rejected, merged-away and superseded
documents never reach the public (portal, portal search, copy requests, OAI-PMH, IIIF, sitemap) even in a public
file; every document shows draft / published / withdrawn; /admin/access takes file codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event, FileUnit, Unit
from sohoa.domain.errors import PermissionDenied
from sohoa.index import make_index
from sohoa.services.catalogue.publication import PublicState, public_state, public_states_by_id
from sohoa.services.identity import accounts
from sohoa.services.identity.access_changes import change_file_access, resolve_file
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production import review
from sohoa.services.production.filing import move_document
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.settings import Settings
from tests._profiles import PROFILES, profile_database
from tests.shared._portal_helpers import PASSWORD, csrf, login, staff
from tests.shared.world import _page

HIDDEN = ("review", "qc", "rework_review", "rework_scan", "merged", "superseded")
FILE_CODE = "GN2026-9.01.VP"


# The test walks every public path of each document: more portal requests and copy-request posts per minute than
# one address may make by default.
_RATES = {"portal_rate_per_minute": 100_000, "form_rate_per_minute": 100_000}


@pytest.fixture(params=PROFILES)
def any_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    """Like the shared any_ctx (tests/_profiles.py), with room for many requests from the test client."""
    url = profile_database(request)
    context = open_context(Settings(data=tmp_path / "data", workers=1, database_url=url, **_RATES))
    yield context
    context.close()


@dataclass
class Shelf:
    """One file and a document per state, each with its own search marker."""

    file_id: int
    docs: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def marker(state: str) -> str:
        return "mk" + state.replace("_", "")


def _shelf(ctx: AppContext, level: str = "internal", states: tuple[str, ...] = ("accepted", *HIDDEN)) -> Shelf:
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        unit = Unit(identifier="000.00.00.H26.P9", name="UBND phường Chín", name_folded="ubnd phuong chin",
                    unit_type="phường")
        session.add(unit)
        session.flush()
        file = FileUnit(file_code=FILE_CODE, title="Hồ sơ hòa giải", unit_id=unit.id, access_level=level,
                        bloc="government", permanent=True)
        session.add(file)
        session.flush()
        shelf = Shelf(file.id)
        for n, state in enumerate(states):
            words = ["Quyết", "định", "hòa", "giải", Shelf.marker(state)]
            doc = Document(file_id=file.id, unit_id=unit.id, text=" ".join(words), source_name=f"{state}.pdf",
                           type_name="Quyết định", code_number=str(40 + n), code_notation="QĐ-UBND",
                           subject=f"Hòa giải {Shelf.marker(state)}", access_level=level, page_amount=1, state=state)
            session.add(doc)
            session.flush()
            _page(ctx, session, doc, words)
            index.upsert(session, document_index_doc(doc))
            shelf.docs[state] = doc.id
        return shelf


def _form(ctx: AppContext, file_id: int, token: str, level: str) -> dict[str, str]:
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        assert file is not None
        return {"title": file.title, "maintenance": "Vĩnh viễn", "start_date": "", "end_date": "", "sheet_total": "",
                "page_total": "", "description": "", "access_level": level, "csrf_token": token}


def _level(ctx: AppContext, doc_id: int) -> str:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc.access_level


def _reach(ctx: AppContext, client: TestClient, doc_id: int, marker: str) -> dict[str, bool]:
    """Every way the public reaches a document."""
    repo = ctx.settings.oai_repository_id
    oai = client.get("/oai", params={"verb": "GetRecord", "identifier": f"oai:{repo}:doc/{doc_id}",
                                     "metadataPrefix": "oai_dc"}).text
    token = csrf(client, "/portal")
    copy = client.post(f"/portal/documents/{doc_id}/copy", data={
        "csrf_token": token, "name": "Nguyễn Văn An", "id_number": "001090012345", "email": "an@example.vn",
        "purpose": "Bổ sung hồ sơ"}, follow_redirects=False)
    return {
        "portal_page": client.get(f"/portal/documents/{doc_id}").status_code == 200,
        "portal_search": marker in client.get("/portal", params={"q": marker}).text.split("</form>", 1)[-1],
        "copy_request": copy.status_code == 303,
        "oai": "<GetRecord>" in oai and 'status="deleted"' not in oai,  # a withdrawn record: a deleted header
        "iiif": client.get(f"/iiif/3/documents/{doc_id}/manifest.json").status_code == 200,
        "sitemap": f"SOHOA.{doc_id:07d}<" in client.get("/sitemap.xml").text,
        "api": client.get(f"/api/v1/documents/{doc_id}").status_code == 200,
    }


def _badge(html: str) -> str:
    found = re.findall(r'data-public-state="(\w+)"', html)
    assert len(found) == 1, found
    return found[0]


def test_public_on_the_arrangement_screen_publishes_exactly_the_reviewed_documents(any_ctx: AppContext) -> None:
    staff(any_ctx)
    shelf = _shelf(any_ctx)
    app = create_app(any_ctx, watch_hot_folders=False)
    public, admin, archivist = TestClient(app), TestClient(app), TestClient(app)
    for state, doc_id in shelf.docs.items():
        assert not any(_reach(any_ctx, public, doc_id, Shelf.marker(state)).values()), state

    token = login(admin, "s_admin")
    page = admin.get(f"/arrangement/files/{shelf.file_id}").text
    assert 'id="publication-summary"' in page and "Phân quyền truy cập" in page  # the admin's way to /admin/access
    proposed = admin.post(f"/arrangement/files/{shelf.file_id}", data=_form(any_ctx, shelf.file_id, token, "public"))
    assert proposed.status_code == 200 and 'id="access-confirm"' in proposed.text
    assert "1 văn bản đã kiểm duyệt sẽ xuất hiện trên cổng" in proposed.text
    assert f"{len(HIDDEN)} văn bản chưa kiểm duyệt, bị trả lại, đã gộp hoặc bị thay thế sẽ không hiển thị" in (
        proposed.text)
    assert _level(any_ctx, shelf.docs["accepted"]) == "internal"  # nothing before confirming
    no_reason = admin.post(f"/arrangement/files/{shelf.file_id}/access",
                           data={"csrf_token": token, "access_level": "public", "reason": " "})
    assert no_reason.status_code == 400 and _level(any_ctx, shelf.docs["accepted"]) == "internal"
    done = admin.post(f"/arrangement/files/{shelf.file_id}/access",
                      data={"csrf_token": token, "access_level": "public", "reason": "QĐ 12/QĐ-TTLT"})
    assert done.status_code == 200
    result = re.search(r'id="access-result">([^<]+)<', done.text)
    assert result and f"{len(shelf.docs)} văn bản đổi mức; 1 văn bản nay công bố trên cổng; 0 văn bản bị rút" in (
        result.group(1))

    accepted = _reach(any_ctx, public, shelf.docs["accepted"], Shelf.marker("accepted"))
    assert accepted == dict.fromkeys(accepted, True)
    for state in HIDDEN:
        reach = _reach(any_ctx, public, shelf.docs[state], Shelf.marker(state))
        assert reach == dict.fromkeys(reach, False), (state, reach)

    # The state on the staff pages: the document page, the review and QC screens and their queues.
    assert _badge(admin.get(f"/documents/{shelf.docs['accepted']}").text) == "published"
    assert _badge(admin.get(f"/documents/{shelf.docs['review']}").text) == "draft"
    assert "Đã công bố" in admin.get(f"/documents/{shelf.docs['accepted']}").text
    assert _badge(admin.get(f"/review/{shelf.docs['rework_review']}").text) == "draft"
    assert _badge(admin.get(f"/qc/documents/{shelf.docs['qc']}").text) == "draft"
    queue = admin.get("/review").text
    assert queue.count('data-public-state="draft"') == 2  # review and rework_review
    assert admin.get("/qc").text.count('data-public-state="draft"') == 1
    assert _badge(admin.get("/search", params={"q": "mkaccepted"}).text) == "published"
    assert _badge(admin.get("/search", params={"q": "mkmerged"}).text) == "draft"
    admin.get("/lang/en")
    english = admin.get(f"/documents/{shelf.docs['accepted']}").text
    assert ">Published</span>" in english and "Đã công bố" not in english
    admin.get("/lang/vi")

    # The archivist narrows it (allowed): the published document is withdrawn, and says so.
    token = login(archivist, "s_archivist")
    archivist.post(f"/arrangement/files/{shelf.file_id}", data=_form(any_ctx, shelf.file_id, token, "internal"))
    narrowed = archivist.post(f"/arrangement/files/{shelf.file_id}/access",
                              data={"csrf_token": token, "access_level": "internal", "reason": "QĐ 13/QĐ-TTLT"})
    assert narrowed.status_code == 200 and "0 văn bản nay công bố trên cổng; 1 văn bản bị rút khỏi cổng" in (
        narrowed.text)
    assert _badge(archivist.get(f"/documents/{shelf.docs['accepted']}").text) == "withdrawn"
    assert not any(_reach(any_ctx, public, shelf.docs["accepted"], Shelf.marker("accepted")).values())


def test_documents_filed_in_stricter_than_their_public_file_are_proposed_not_silently_kept(
        any_ctx: AppContext) -> None:
    """The outside test's 'Công khai saves but changes none of its documents': a document filed into a public file
    from the unsorted intake keeps its stricter level; choosing Công khai again now proposes the change and the
    archivist confirms it (a document filed in secret stays secret) instead of a bare 'Đã lưu'."""
    staff(any_ctx)
    shelf = _shelf(any_ctx, level="public", states=("accepted",))
    filed: dict[str, int] = {}
    for level in ("internal", "secret"):
        with any_ctx.db.session() as session:
            unsorted = Document(file_id=None, unit_id=None, text=f"Quyết định mkfiled{level}", source_name="u.pdf",
                                access_level=level, page_amount=1, state="unsorted")
            session.add(unsorted)
            session.flush()
            filed[level] = unsorted.id
        move_document(any_ctx, filed[level], shelf.file_id, actor="s_archivist")
        with any_ctx.db.session() as session:
            doc = session.get(Document, filed[level])
            assert doc is not None and doc.state == "review" and doc.access_level == level
            doc.state = "accepted"  # reviewed since
    app = create_app(any_ctx, watch_hot_folders=False)
    archivist, public = TestClient(app), TestClient(app)

    token = login(archivist, "s_archivist")
    assert 'id="out-of-step"' in archivist.get(f"/arrangement/files/{shelf.file_id}").text
    again = archivist.post(f"/arrangement/files/{shelf.file_id}", data={
        **_form(any_ctx, shelf.file_id, token, "public"), "description": "ghi chú mới"})
    assert again.status_code == 200 and "Đã lưu" in again.text and 'id="access-confirm"' in again.text
    assert "Mở rộng quyền truy cập (Nội bộ → Công khai)" in again.text
    assert _level(any_ctx, filed["internal"]) == "internal"  # proposed, not yet done
    with any_ctx.db.session() as session:
        file = session.get(FileUnit, shelf.file_id)
        assert file is not None and file.description == "ghi chú mới"  # the metadata was saved all the same
    proposed = archivist.get(f"/arrangement/files/{shelf.file_id}", params={"apply": "1"})
    assert 'id="access-confirm"' in proposed.text and "Mở rộng quyền truy cập (Nội bộ → Công khai)" in proposed.text
    done = archivist.post(f"/arrangement/files/{shelf.file_id}/access",
                          data={"csrf_token": token, "access_level": "public", "reason": "QĐ 14/QĐ-TTLT"})
    assert "1 văn bản đổi mức; 1 văn bản nay công bố trên cổng" in done.text
    assert public.get(f"/portal/documents/{filed['internal']}").status_code == 200
    assert public.get(f"/portal/documents/{filed['secret']}").status_code == 404
    assert _level(any_ctx, filed["secret"]) == "secret"
    assert 'id="out-of-step"' not in done.text


def test_archivists_publish_a_file_but_never_lower_a_secret_one(any_ctx: AppContext) -> None:
    """The new archivist's path: Công khai on an internal file, confirmed with a reason, publishes its reviewed
    documents (audited with the archivist's role); a secret file stays the administrator's; the QC inspector and
    the scan operator change no access level at all (the route and the service refuse)."""
    staff(any_ctx)
    for role in ("qc_inspector", "scan_operator"):
        accounts.create_user(any_ctx, f"s_{role}", PASSWORD, role)
    shelf = _shelf(any_ctx, states=("accepted", "review"))
    app = create_app(any_ctx, watch_hot_folders=False)
    for role in ("qc_inspector", "scan_operator"):
        other = TestClient(app)
        token = login(other, f"s_{role}")
        assert other.get(f"/arrangement/files/{shelf.file_id}").status_code == 403
        refused = other.post(f"/arrangement/files/{shelf.file_id}/access",
                             data={"csrf_token": token, "access_level": "public", "reason": "x"})
        assert refused.status_code == 403
        with pytest.raises(PermissionDenied):
            change_file_access(any_ctx, shelf.file_id, "public", f"s_{role}", "x", role=role)
    assert _level(any_ctx, shelf.docs["accepted"]) == "internal"

    archivist, public = TestClient(app), TestClient(app)
    token = login(archivist, "s_archivist")
    proposed = archivist.post(f"/arrangement/files/{shelf.file_id}", data=_form(any_ctx, shelf.file_id, token,
                                                                                 "public"))
    assert proposed.status_code == 200 and 'id="access-confirm"' in proposed.text
    assert "1 văn bản đã kiểm duyệt sẽ xuất hiện trên cổng" in proposed.text
    assert _level(any_ctx, shelf.docs["accepted"]) == "internal"  # nothing before confirming
    done = archivist.post(f"/arrangement/files/{shelf.file_id}/access",
                          data={"csrf_token": token, "access_level": "public", "reason": "QĐ 21/QĐ-TTLT"})
    assert done.status_code == 200 and "1 văn bản nay công bố trên cổng" in done.text
    assert public.get(f"/portal/documents/{shelf.docs['accepted']}").status_code == 200
    assert public.get(f"/portal/documents/{shelf.docs['review']}").status_code == 404
    with any_ctx.db.session() as session:
        payloads = list(session.execute(select(Event.payload).where(
            Event.action == "access.change", Event.entity_type == "file_unit", Event.entity_id == shelf.file_id))
            .scalars())
    assert [(p["after"], p["role"], p["reason"]) for p in payloads] == [("public", "archivist", "QĐ 21/QĐ-TTLT")]

    change_file_access(any_ctx, shelf.file_id, "secret", "s_archivist", "QĐ 22", role="archivist")
    lowered = archivist.post(f"/arrangement/files/{shelf.file_id}", data=_form(any_ctx, shelf.file_id, token,
                                                                                "public"))
    assert lowered.status_code == 403 and "chỉ quản trị viên được hạ mức Mật" in lowered.text
    assert archivist.post(f"/arrangement/files/{shelf.file_id}/access", data={
        "csrf_token": token, "access_level": "internal", "reason": "x"}).status_code == 403
    assert _level(any_ctx, shelf.docs["accepted"]) == "secret"
    change_file_access(any_ctx, shelf.file_id, "public", "s_admin", "QĐ 23", role="admin")
    assert public.get(f"/portal/documents/{shelf.docs['accepted']}").status_code == 200


def test_admin_access_takes_the_file_code(any_ctx: AppContext) -> None:
    staff(any_ctx)
    shelf = _shelf(any_ctx, states=("accepted",))
    admin = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = login(admin, "s_admin")
    form = admin.get("/admin/access").text
    assert 'id="lv_file" name="file_id" required' in form and 'type="number"' not in form.split('id="lv_file"')[1][:60]
    unknown = admin.post("/admin/access/level", data={"csrf_token": token, "file_id": "GN2026-9.99.VP",
                                                      "level": "public", "reason": "QĐ 1"})
    assert unknown.status_code == 400 and "Không có hồ sơ mã GN2026-9.99.VP" in unknown.text
    done = admin.post("/admin/access/level", data={"csrf_token": token, "file_id": f" {FILE_CODE.lower()} ",
                                                   "level": "public", "reason": "QĐ 2"})
    assert done.status_code == 200 and "1 văn bản nay công bố trên cổng" in done.text
    assert _level(any_ctx, shelf.docs["accepted"]) == "public"
    granted = admin.post("/admin/access/grants", data={"csrf_token": token, "file_id": FILE_CODE,
                                                       "username": "s_unit_officer", "days": "7", "reason": "tra cứu"})
    assert granted.status_code == 200 and FILE_CODE in granted.text
    assert resolve_file(any_ctx, str(shelf.file_id)) == shelf.file_id  # the number still works


def test_publication_state_follows_the_policy_and_the_audit(any_ctx: AppContext) -> None:
    shelf = _shelf(any_ctx, level="internal", states=("accepted", "review", "rework_scan"))
    with any_ctx.db.session() as session:
        second = Document(file_id=shelf.file_id, unit_id=None, text="Quyết định mksecond", source_name="b.pdf",
                          access_level="internal", page_amount=1, state="accepted")
        session.add(second)
        session.flush()
        second_id = second.id
    ids = [*shelf.docs.values(), second_id]
    assert set(public_states_by_id(any_ctx, ids).values()) == {PublicState.DRAFT}
    change_file_access(any_ctx, shelf.file_id, "public", "admin", "QĐ 3", role="admin")
    states = public_states_by_id(any_ctx, ids)
    assert states == {shelf.docs["accepted"]: "published", shelf.docs["review"]: "draft",
                      shelf.docs["rework_scan"]: "draft", second_id: "published"}
    # Merged away (both reviewed: the survivor stays published), the merged one is withdrawn.
    review.merge_documents(any_ctx, shelf.docs["accepted"], second_id, actor="admin")
    assert public_state(any_ctx, second_id) == PublicState.WITHDRAWN
    assert public_state(any_ctx, shelf.docs["accepted"]) == PublicState.PUBLISHED
    with any_ctx.db.session() as session:  # superseded by a rescan, and marked độ mật: withdrawn either way
        doc = session.get(Document, shelf.docs["accepted"])
        assert doc is not None
        doc.secrecy = "Mật"
    assert public_state(any_ctx, shelf.docs["accepted"]) == PublicState.WITHDRAWN
    with any_ctx.db.session() as session:
        published = {e for e in session.execute(select(Event.entity_id).where(Event.action == "document.publish"))
                     .scalars()}
    assert published == {shelf.docs["accepted"], second_id}


def test_an_archivist_narrowing_never_lowers_a_document_filed_in_stricter(any_ctx: AppContext) -> None:
    shelf = _shelf(any_ctx, level="public", states=("accepted", "review"))
    with any_ctx.db.session() as session:
        lagging = session.get(Document, shelf.docs["review"])
        assert lagging is not None
        lagging.access_level = "internal"  # filed in from the unsorted intake
    change = change_file_access(any_ctx, shelf.file_id, "conditional", "s_archivist", "QĐ 4", role="archivist")
    assert (change.changed, change.published, change.withdrawn) == (1, 0, 1)
    assert _level(any_ctx, shelf.docs["accepted"]) == "conditional"
    assert _level(any_ctx, shelf.docs["review"]) == "internal"  # narrowing the file widened nothing
    assert not any("Mở rộng" in w.vi for w in change.warnings)
    assert public_state(any_ctx, shelf.docs["accepted"]) == PublicState.WITHDRAWN


def _panel_rows(html: str) -> dict[int, tuple[str, list[str]]]:
    """The publication panel: document id → (its publication state, what blocks it)."""
    panel = html.split('id="publication-documents"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for doc_id, row in re.findall(r'<tr data-document="(\d+)">(.*?)</tr>', panel, re.S):
        state = re.search(r'data-public-state="(\w+)"', row)
        assert state, row
        rows[int(doc_id)] = (state.group(1), re.findall(r'data-blocker="(\w+)"', row))
    return rows


def test_the_file_page_says_what_keeps_each_document_from_the_portal(any_ctx: AppContext) -> None:
    """The new archivist's way: the file page lists its documents' publication states and what blocks each
    (not reviewed, QC pending, merged, superseded, the file's level, độ mật) with the link that fixes it; the
    'publish the file' link proposes the change with its warnings, and once confirmed the published document links
    to its portal page."""
    staff(any_ctx)
    shelf = _shelf(any_ctx, states=("accepted", "review", "qc", "rework_scan", "merged", "superseded"))
    with any_ctx.db.session() as session:
        marked = Document(file_id=shelf.file_id, unit_id=None, text="Quyết định mkmat", source_name="m.pdf",
                          access_level="internal", secrecy="Mật", page_amount=1, state="accepted")
        session.add(marked)
        session.flush()
        marked_id = marked.id
    archivist = TestClient(create_app(any_ctx, watch_hot_folders=False))
    token = login(archivist, "s_archivist")
    page = archivist.get(f"/arrangement/files/{shelf.file_id}").text
    rows = _panel_rows(page)
    docs = shelf.docs
    assert rows == {
        docs["accepted"]: ("draft", ["file_not_public"]),
        docs["review"]: ("draft", ["not_reviewed", "file_not_public"]),
        docs["qc"]: ("draft", ["qc_pending", "file_not_public"]),
        docs["rework_scan"]: ("draft", ["rescan", "file_not_public"]),
        docs["merged"]: ("draft", ["merged", "file_not_public"]),
        docs["superseded"]: ("draft", ["superseded", "file_not_public"]),
        marked_id: ("draft", ["secret"]),
    }
    assert f'href="/review/{docs["review"]}"' in page
    assert f'href="/arrangement/files/{shelf.file_id}?publish=1"' in page
    proposed = archivist.get(f"/arrangement/files/{shelf.file_id}", params={"publish": "1"})
    assert 'id="access-confirm"' in proposed.text and "1 văn bản đã kiểm duyệt sẽ xuất hiện trên cổng" in (
        proposed.text)
    assert _level(any_ctx, docs["accepted"]) == "internal"  # a proposal only
    assert "Nội bộ → <strong>Công khai</strong>" in proposed.text  # the levels by name, not their codes
    assert "(Nội bộ → Công khai)" in proposed.text and "(internal → public)" not in proposed.text
    done = archivist.post(f"/arrangement/files/{shelf.file_id}/access",
                          data={"csrf_token": token, "access_level": "public", "reason": "QĐ 30/QĐ-TTLT"})
    rows = _panel_rows(done.text)
    assert rows[docs["accepted"]] == ("published", [])
    assert rows[docs["review"]] == ("draft", ["not_reviewed"]) and rows[marked_id] == ("draft", ["secret"])
    assert f'href="/portal/documents/{docs["accepted"]}"' in done.text
    archivist.get("/lang/en")
    english = archivist.get(f"/arrangement/files/{shelf.file_id}").text
    assert "Documents on the citizen portal" in english and "See it on the citizen portal" in english
    assert "Not reviewed" in english and "Chưa kiểm duyệt" not in english
