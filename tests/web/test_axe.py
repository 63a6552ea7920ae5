"""The accessibility scan: axe-core (vendored from npm, tests/web/vendor/axe-core) on every HTML page of the staff
app, as each role that may open it, and of the citizen portal, anonymous, in Vietnamese and in English; no
"serious" or "critical" violation. Portal pages are scanned on a 390-px phone, where they must not scroll sideways.

The pages come from the app's routes (like tests/security/test_route_matrix.py): every GET route outside the
machine-facing families below is opened; a route with a path parameter this module has no value for fails
``test_every_page_route_has_a_value``, so a new page is scanned as soon as it exists. Routes answering something
other than HTML (JSON for the pickers, files) are left out by their answer's content type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Page, StoredObject
from sohoa.http.rules import route_rules
from sohoa.services.catalogue.permalinks import derived_identifier
from sohoa.services.identity.permissions import Permission, allowed
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.fixity import run_fixity
from sohoa.settings import Settings
from tests.preservation._fixity_archive import flip_bit
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from ._role_world import RoleWorld, build_role_world
from .test_browser import CHROMIUM_ARGS

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

# Route families that answer machines, not people (JSON, XML, images, files, streams), with the reason.
NOT_PAGES: dict[str, str] = {
    "/api/": "the REST API answers JSON (tests/shared/test_api.py)",
    "/iiif/": "IIIF answers JSON and images (tests/interop)",
    "/oai": "OAI-PMH answers XML",
    "/static": "the static files mount",
    "/lang/": "switches the language and redirects back",
    "/scanning/events": "server-sent events for the scanning page (a stream)",
    "/scanning/uploads/": "the resumable upload protocol of the scanning page (JSON)",
    "/pages/": "page images and thumbnails",
    "/staff/lookup/": "the type-ahead pickers' JSON",
}
NOT_PAGE_SUFFIXES = (".pdf", ".xlsx", ".xml", ".xsd", ".json", ".txt", "/image", "/export", "/pdf")
# Unknown addresses: the HTML error pages people land on (staff app and portal).
ERROR_PAGES = {"staff": "/khong-co-trang-nay", "portal": "/portal/khong-co-trang-nay"}
# Query strings a page is also opened with, to scan its filled state (a search with results).
QUERIES: dict[str, tuple[str, ...]] = {
    "/search": ("", "?q=quy%E1%BA%BFt"),
    "/staff/personal-data": ("", "?q=nguyen+van&purpose=Ki%E1%BB%83m+tra+tr%E1%BB%A3+n%C4%83ng"),
    "/portal": ("", "?q=c%C3%B4ng+nh%E1%BA%ADn"),
}

# Runs axe on the page; a function, not a bare expression (the page's CSP forbids eval).
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' — '
      + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass(frozen=True)
class PageRoute:
    path: str
    permission: Permission | None

    @property
    def portal(self) -> bool:
        return self.path.startswith("/portal")

    def may_open(self, role: str | None) -> bool:
        """The caller this page is scanned as: portal and public staff pages anonymous, the others each role
        that holds the permission."""
        if self.permission is None:
            return role is None
        return role is not None and allowed(role, self.permission)


def _page_routes(app: Any) -> list[PageRoute]:
    routes = []
    for (path, method), rule in sorted(route_rules(app).items()):
        if method != "GET" or any(path.startswith(p) for p in NOT_PAGES) or path.endswith(NOT_PAGE_SUFFIXES):
            continue
        routes.append(PageRoute(path, rule.permission if rule else None))
    return routes


def _values(world: RoleWorld) -> dict[str, dict[str, str]]:
    """Path parameter → its value, per path prefix ('' for any path): each page opened on something real."""
    docs = world.docs
    return {
        "/review/": {"doc_id": str(docs["review"])},
        "/qc/": {"doc_id": str(docs["qc"])},
        "/staff/personal-data/": {"code": world.subject_request},
        "/staff/preservation/": {"key": "1"},  # the first stored object: its fixity and PREMIS history
        "/portal/": {
            "document_id": str(docs["published"]),
            "code": world.copy_code,
            "identifier": derived_identifier(docs["published"]),
        },
        "": {
            "document_id": str(docs["reviewed"]),
            "file_id": str(world.waiting_file),
            "accession_id": str(world.accession_id),
            "fonds_id": str(world.fonds_id),
        },
    }


def _url(path: str, world: RoleWorld) -> str:
    values = _values(world)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        for prefix in (*[p for p in values if p and path.startswith(p)], ""):
            if name in values[prefix]:
                return values[prefix][name]
        raise KeyError(f"{path}: no value for {{{name}}} — add one to _values in tests/web/test_axe.py")

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


@dataclass
class Scan:
    base: str
    world: RoleWorld
    routes: list[PageRoute]
    browser: Any
    ctx: AppContext | None = None


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scan]:
    from playwright.sync_api import sync_playwright

    ctx: AppContext = open_context(
        Settings(
            data=tmp_path_factory.mktemp("axe") / "data",
            workers=1,
            portal_rate_per_minute=10**6,
            form_rate_per_minute=10**6,
        )
    )
    world = build_role_world(ctx)
    app = create_app(ctx, watch_hot_folders=False)
    try:
        with serve(app) as base, sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                yield Scan(base, world, _page_routes(app), chromium, ctx)
            finally:
                chromium.close()
    finally:
        ctx.close()


def _violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


def _report(problems: list[str]) -> str:
    return f"{len(problems)} serious/critical accessibility problem(s):\n" + "\n".join(problems)


def _scan_pages(scan: Scan, role: str | None, urls: list[str], *, phone: bool = False) -> tuple[list[str], int]:
    """Open ``urls`` as ``role`` in Vietnamese and English; what axe (and, on the phone, the width) finds."""
    problems: list[str] = []
    scanned = 0
    for lang in ("vi", "en"):
        context = scan.browser.new_context(viewport=PHONE if phone else DESKTOP, bypass_csp=True)
        page = context.new_page()
        try:
            if role is not None:
                page.goto(f"{scan.base}/login")
                page.fill("#username", role)
                page.fill("#password", helpers.PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{scan.base}/")
            page.goto(f"{scan.base}/lang/{lang}")
            for url in urls:
                answer = page.request.get(scan.base + url, timeout=20_000)
                if "text/html" not in answer.headers.get("content-type", ""):
                    continue  # a file or JSON: not a page
                response = page.goto(scan.base + url)
                where = f"{url} as {role or 'anonymous'} ({lang}{', 390 px' if phone else ''})"
                scanned += 1
                if response is not None and response.status >= 500:
                    problems.append(f"{where}: HTTP {response.status}")
                    continue
                for v in _violations(page):
                    problems.append(
                        f"{where}: [{v['impact']}] {v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"])
                    )
                if phone:
                    overflow = page.evaluate(SIDEWAYS)
                    if overflow > 0:
                        problems.append(f"{where}: scrolls sideways by {overflow} px")
        finally:
            context.close()
    return problems, scanned


def _urls_for(scan: Scan, role: str | None, *, portal: bool) -> list[str]:
    urls: list[str] = []
    for route in scan.routes:
        if route.portal == portal and route.may_open(role):
            url = _url(route.path, scan.world)
            urls += [url + q for q in QUERIES.get(route.path, ("",))]
    return urls


def test_every_page_route_has_a_value(scan: Scan) -> None:
    for route in scan.routes:
        _url(route.path, scan.world)  # raises with the route to add
    assert {"/", "/review/{doc_id}", "/portal/documents/{document_id}", "/arrangement/files/{file_id}"} <= {
        r.path for r in scan.routes
    }


@pytest.mark.parametrize("role", helpers.ROLES)
def test_staff_pages_have_no_serious_accessibility_problem(scan: Scan, role: str) -> None:
    urls = [*_urls_for(scan, role, portal=False), ERROR_PAGES["staff"]]
    problems, scanned = _scan_pages(scan, role, urls)
    assert not problems, _report(problems)
    assert scanned >= 2 * 3, f"only {scanned} pages scanned as {role}"


def test_public_staff_pages_have_no_serious_accessibility_problem(scan: Scan) -> None:
    urls = [*_urls_for(scan, None, portal=False), ERROR_PAGES["staff"]]
    problems, scanned = _scan_pages(scan, None, urls)
    assert not problems, _report(problems)
    assert scanned >= 2 * 2  # the login page and the error page, in both languages


def test_portal_pages_have_no_serious_accessibility_problem_and_fit_a_phone(scan: Scan) -> None:
    urls = [*_urls_for(scan, None, portal=True), ERROR_PAGES["portal"]]
    problems, scanned = _scan_pages(scan, None, urls, phone=True)
    assert not problems, _report(problems)
    assert scanned >= 2 * 5, f"only {scanned} portal pages scanned"


@pytest.fixture(scope="module")
def damaged(scan: Scan) -> str:
    """One more document in the waiting hồ sơ whose master a disk damaged, found by a fixity pass: the preservation
    pages in their alarmed state (red banner, open problem named by hồ sơ/document/page, the damage history)."""
    assert scan.ctx is not None
    ctx = scan.ctx
    doc_id = helpers.document(ctx, scan.world.waiting_file, state="accepted", type_name="Công văn")
    with ctx.db.session() as session:
        object_id, sha256 = session.execute(
            select(StoredObject.id, StoredObject.sha256)
            .join(Page, Page.master_object_id == StoredObject.id)
            .where(Page.document_id == doc_id)
        ).first() or (0, "")
    flip_bit(ctx, sha256)
    run_fixity(ctx, rate=0, object_ids=[object_id], trigger="cli", actor="axe")
    return sha256


PRESERVATION_ROLES = [r for r in helpers.ROLES if allowed(r, Permission.PRESERVATION_VIEW)]


@pytest.mark.parametrize("role", PRESERVATION_ROLES)
def test_preservation_pages_have_no_serious_accessibility_problem_on_a_phone(
    scan: Scan, damaged: str, role: str
) -> None:
    """/staff/preservation (with its red alarm), the fixity history and an object's page (an intact one and the
    damaged one), as each role that may see them, in Vietnamese and English, on a 390-px phone: no serious or
    critical violation and no sideways scroll (the staff scan above opens them on a desktop)."""
    urls = [u for u in _urls_for(scan, role, portal=False) if u.startswith("/staff/preservation")]
    urls.append(f"/staff/preservation/objects/{damaged}")
    assert {"/staff/preservation", "/staff/preservation/fixity"} <= set(urls), urls
    problems, scanned = _scan_pages(scan, role, urls, phone=True)
    assert not problems, _report(problems)
    assert scanned == 2 * len(urls), f"only {scanned} preservation pages scanned as {role}"


def test_the_scan_sees_a_violation(scan: Scan) -> None:
    """The harness itself: a page with an unlabelled field and an image without text fails it."""
    context = scan.browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_content(
            '<!doctype html><html lang="vi"><head><title>t</title></head><body><main>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>'
        )
        assert {v["id"] for v in _violations(page)} >= {"image-alt", "label"}
    finally:
        context.close()
