"""Every staff screen is reachable from a menu that fits the role, with the sizes of the queues it leads to.

The walk takes the application's own route table (``route_rules``) and the role → permission table: each
staff page without a path parameter that a role may open must be reachable by links from the home page
within two clicks, and no link shown to a role leads to a page it may not open. The counts are COUNT
queries scoped by the access policy: checked on SQLite and PostgreSQL against the queues they count.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from sohoa.app import create_app
from sohoa.db.models import CopyRequest, Document
from sohoa.domain.codes import Role
from sohoa.http.rules import RouteRule, route_rules
from sohoa.services.identity.permissions import ROLE_PERMISSIONS, Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import qc, review, scanning
from sohoa.services.sharing.copies import list_copy_requests
from sohoa.services.sharing.worklists import worklist_counts

from . import _helpers as helpers

# Staff pages that are not screens people navigate to: downloads, event streams, machine answers.
NOT_SCREENS = {"/admin/audit/export", "/progress/export.xlsx", "/scanning/events"} | {
    f"/staff/lookup/{kind}" for kind in ("units", "fonds", "files", "documents")  # the pickers' JSON
}
# Reachable only for accounts that belong to a unit (the page is about the user's own unit).
UNIT_ONLY = {"/our-records"}
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]*)(?:#[^"]*)?"')


def _staff_pages(ctx: AppContext) -> dict[str, Permission]:
    """Every GET page of the staff app without a path parameter, with the permission it needs."""
    rules = route_rules(create_app(ctx, watch_hot_folders=False))
    pages: dict[str, Permission] = {}
    for (path, method), rule in rules.items():
        if method != "GET" or not isinstance(rule, RouteRule) or rule.permission is None:
            continue
        if "{" in path or path.startswith(("/api/", "/static")) or path in NOT_SCREENS:
            continue
        pages[path] = rule.permission
    return pages


def _links(html: str) -> set[str]:
    """The site's own pages a page links to (paths, no query or fragment)."""
    found = set()
    for href in HREF.findall(html):
        parts = urlsplit(href)
        if not parts.scheme and href.startswith("/") and not href.startswith("//"):
            found.add(parts.path)
    return found


def _rule_for(path: str, rules: dict[tuple[str, str], RouteRule | None]) -> RouteRule | None:
    for (pattern, method), rule in rules.items():
        if method == "GET" and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", pattern), path):
            return rule
    return None


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_staff_page_is_two_clicks_from_home_and_only_for_those_who_may_open_it(
    ctx: AppContext, client: TestClient, role: str
) -> None:
    rules = route_rules(create_app(ctx, watch_hot_folders=False))
    pages = _staff_pages(ctx)
    assert {"/admin/audit", "/admin/access", "/staff/copies", "/qc/plans", "/search"} <= set(pages)
    helpers.login(client, role)
    granted = ROLE_PERMISSIONS[Role(role)]
    home = client.get("/")
    assert home.status_code == 200
    one_click = _links(home.text)
    reached = {"/"} | one_click
    for path in sorted(one_click):
        rule = _rule_for(path, rules)
        if rule is not None and rule.permission is not None and rule.permission in granted:
            page = client.get(path)
            if page.headers.get("content-type", "").startswith("text/html"):
                reached |= _links(page.text)
    has_unit = role in ("unit_clerk", "unit_officer")
    expected = {p for p, perm in pages.items() if perm in granted and (has_unit or p not in UNIT_ONLY)}
    assert expected - reached == set(), f"{role} cannot reach these pages from the menu"
    # No link shown to the role leads to a page it may not open.
    refused = sorted(p for p in reached if (r := _rule_for(p, rules)) is not None
                     and r.permission is not None and r.permission not in granted)
    assert refused == []


def _principal(role: str, unit_id: int | None = None) -> Principal:
    return Principal(user_id=99, username=role, role=role, unit_id=unit_id)


def test_counts_are_the_queues_each_role_works_on_within_its_scope(any_ctx: AppContext) -> None:
    ctx = any_ctx
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    for _ in range(3):
        helpers.document(ctx, file_id, type_name="Quyết định")
    helpers.document(ctx, file_id, type_name="Quyết định", secrecy="Mật")  # độ mật: never counted on the network
    helpers.document(ctx, None, state="unsorted")  # unsorted documents wait for review too
    in_qc = [helpers.document(ctx, file_id, state="qc") for _ in range(2)]
    rescan = helpers.document(ctx, file_id, state="rework_scan")
    public = helpers.document(ctx, file_id, state="accepted", access_level="public")
    secret_public = helpers.document(ctx, file_id, state="accepted", access_level="public", secrecy="Mật")
    with ctx.db.session() as session:
        for n, doc in enumerate((public, public, secret_public)):
            session.add(CopyRequest(code=f"code-{n}", document_id=doc, requester_name="Nguyễn Văn A",
                                    id_number="001099000001"))
        session.add(CopyRequest(code="decided", document_id=public, requester_name="B", id_number="1",
                                state="approved"))

    archivist = _principal("archivist")
    assert worklist_counts(ctx, archivist) == {"review": 4, "copies": 2}
    assert worklist_counts(ctx, archivist)["review"] == len(review.review_queue(ctx, principal=archivist))
    listed = list_copy_requests(ctx, principal=archivist)  # the list the count links to: the same two
    assert sorted(r.code for r in listed) == ["code-0", "code-1"]
    inspector = _principal("qc_inspector")
    assert worklist_counts(ctx, inspector) == {"qc": 2} == {"qc": len(qc.qc_queue(ctx, principal=inspector))}
    operator = _principal("scan_operator")
    assert worklist_counts(ctx, operator) == {"rework": 1}
    assert [row[0] for row in scanning.rework_documents(ctx, operator)] == [rescan]
    assert worklist_counts(ctx, _principal("admin")) == {"review": 4, "copies": 2, "qc": 2, "rework": 1}
    for role in ("coordinator", "unit_clerk", "unit_officer"):
        assert worklist_counts(ctx, _principal(role, helpers.unit(ctx))) == {}
    assert worklist_counts(ctx, None) == {}

    # A document the policy hides (độ mật) leaves the count as it leaves the queue.
    with ctx.db.session() as session:
        session.execute(update(Document).where(Document.id == in_qc[0]).values(secrecy="Mật"))
    assert worklist_counts(ctx, inspector) == {"qc": 1}


def test_the_menu_shows_the_counts_and_the_home_page_says_what_waits(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    for _ in range(12):
        helpers.document(ctx, file_id)
    helpers.login(client, "archivist")
    home = client.get("/").text
    assert re.search(r'<a href="/review"[^>]*>Kiểm duyệt <span class="count" aria-hidden="true">12</span>'
                     r'<span class="sr">, 12 chờ kiểm duyệt</span>', home)
    assert "12 chờ kiểm duyệt" in home and "0 yêu cầu bản sao" in home
    assert 'href="/staff/copies"' in home and 'href="/qc"' not in home  # an archivist does not inspect
    page = client.get("/review/" + re.findall(r'href="/review/(\d+)"', client.get("/review").text)[0]).text
    assert 'aria-current="page">Kiểm duyệt' in page
    client.get("/lang/en")
    assert "12 awaiting review" in client.get("/").text

    helpers.login(client, "coordinator")
    home = client.get("/").text
    assert 'href="/qc/plans"' in home and 'class="count"' not in home  # no queue of its own
    progress = client.get("/progress").text
    assert 'href="/review"' not in progress and 'href="/qc"' not in progress


def test_dashboard_figures_link_to_their_queues(ctx: AppContext, client: TestClient) -> None:
    acc, (file_id,) = helpers.accession_with_files(ctx)
    helpers.document(ctx, file_id)
    helpers.document(ctx, file_id, state="qc")
    helpers.document(ctx, file_id, state="rework_scan")
    helpers.login(client, "admin")
    page = client.get("/progress").text
    assert re.search(r'<a class="stat" href="/review"><b id="stat-review">1</b>', page)
    assert re.search(r'<a class="stat" href="/qc"><b id="stat-qc">1</b>', page)
    assert re.search(r'<a class="stat" href="/scanning#rework"><b id="stat-rework">1</b>', page)
    assert f'href="/intake/accessions/{acc}"' in page
    assert 'id="rework"' in client.get("/scanning").text
    helpers.login(client, "qc_inspector")
    page = client.get("/progress").text
    assert 'href="/qc"><b id="stat-qc">' in page and 'href="/review"><b' not in page
