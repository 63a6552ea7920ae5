"""Role × route × access level × secrecy over every GET route of the app, before and after merge/split.

Every GET route with a path parameter is either a document route (asked for every document of the matrix
by every kind of caller) or named in ``OTHER_ID_ROUTES`` with the reason it carries no document; every GET
route without one is fetched by every caller (search-like ones with the secret markers as the query). A
new route that is in neither list fails ``test_every_route_is_in_the_matrix``, so the matrix stays complete.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from sohoa.app import create_app
from sohoa.db.models import Document, Unit, Webhook, WebhookDelivery
from sohoa.http.rules import route_rules
from sohoa.index import make_index
from sohoa.services.catalogue.permalinks import derived_identifier
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.permissions import Permission, allowed
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production import review
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.services.sharing.webhooks import dispatch_events
from sohoa.settings import Settings
from tests._profiles import PROFILES, profile_database
from tests.web import _helpers as web

from ._matrix_world import (
    BY_MERGE,
    COMMON,
    KINDS,
    LATE,
    STAFF,
    SUGGEST_WORD,
    TYPO,
    Matrix,
    build_matrix,
    marker,
    refresh_pages,
    secret_blobs,
    visible,
)

# Document routes → the query strings each is asked with ("{m}": the document's marker).
DOC_ROUTES: dict[str, tuple[str, ...]] = {
    "/review/{doc_id}": ("",),
    "/review/{doc_id}/personal-data/preview": ("",),  # the public preview of a document in review
    "/review/{doc_id}/personal-data/preview/{page_no}/image": ("",),
    "/qc/documents/{doc_id}": ("",),
    "/pages/{page_id}/image": ("",),
    "/pages/{page_id}/thumbnail": ("",),
    "/documents/{document_id}": ("",),
    "/documents/{document_id}/pdf": ("",),
    "/documents/{document_id}/pages/{page_no}/image": ("?kind=thumbnail", "?kind=image"),
    "/portal/documents/{document_id}": ("", "?q={m}"),
    "/portal/r/{identifier:path}": ("", "?q={m}"),
    "/portal/documents/{document_id}/pdf": ("",),
    "/portal/copies/{code}": ("",),
    "/portal/copies/{code}/pdf": ("",),
    "/api/v1/documents/{document_id}": ("", "?q={m}"),
    "/api/v1/documents/{document_id}/highlights": ("?q={m}",),
    "/api/v1/documents/{document_id}/pdf": ("",),
    "/api/v1/documents/{document_id}/pages/{page_no}/image": ("?kind=thumbnail", "?kind=image"),
    "/api/v1/documents/{document_id}/pages/{page_no}/ocr": ("?format=json", "?format=hocr", "?format=alto"),
    "/iiif/3/image/{document_id}-{page_no}/info.json": ("",),
    "/iiif/3/image/{document_id}-{page_no}/{region}/{size}/{rotation}/{quality_format}": ("",),
    "/iiif/3/documents/{document_id}/manifest.json": ("",),
    "/iiif/3/documents/{document_id}/pages/{page_no}/annotations.json": ("",),
    "/iiif/3/documents/{document_id}/search": ("?q={m}",),
    "/iiif/3/files/{file_id}/collection.json": ("",),  # the matrix gives each document a file of its own
}
# What a visible document's answer must show (so that the absence of a secret's marker means something).
SHOWS_TEXT = {"/review/{doc_id}", "/qc/documents/{doc_id}", "/documents/{document_id}",
              "/portal/documents/{document_id}", "/portal/r/{identifier:path}", "/api/v1/documents/{document_id}",
              "/iiif/3/documents/{document_id}/manifest.json", "/iiif/3/documents/{document_id}/search",
              "/iiif/3/documents/{document_id}/pages/{page_no}/annotations.json",
              "/iiif/3/files/{file_id}/collection.json"}
OTHER_ID_ROUTES: dict[str, str] = {
    "/arrangement/accessions/{accession_id}/box-labels.pdf": "box labels: file codes and titles, no document",
    "/arrangement/files/{file_id}": "a file's metadata form for the arrangement staff, no document content",
    "/intake/accessions/{accession_id}": "an accession's inventory and boxes, no document content",
    "/intake/accessions/{accession_id}/handover.pdf": "the handover record of an accession, no document",
    "/intake/accessions/{accession_id}/inventory/{token}/report.xlsx": "the error report of an inventory the "
                                                                       "caller uploaded, no document",
    "/scanning/uploads/{token}": "the resumable upload of the caller's own scan batch",
    "/api/v1/ingest/{sha256}": "the ingest state of a master the caller submitted (write:ingest)",
    "/api/v1/personal-data/requests/{code}": "a data subject request (personal:read), visible to the archive's tokens "
                                             "and its unit's lineage; its items only on documents the token reads "
                                             "(tests/shared/test_personal_api.py)",
    "/api/v1/record-requests/{request_id}": "a record request made by the same token (records:request), its "
                                            "documents filtered by the policy again (tests/interop)",
    "/staff/personal-data/requests/{code}": "a data subject request (personal.search): its items list only documents "
                                            "the caller may see (tests/web/test_personal_search_requests.py)",
    "/staff/personal-data/requests/{code}/answer.xlsx": "the answer of a data subject request, read through the same "
                                                        "rules as its page",
    "/lang/{code}": "switches the interface language",
    "/iiif/3/image/{document_id}-{page_no}": "redirects every image id to its info.json without reading anything",
    "/iiif/3/fonds/{fonds_id}/collection.json": "a phông's public metadata and its hồ sơ holding documents the caller "
                                                "sees (tests/interop/test_iiif_presentation.py checks the scope)",
    "/sitemaps/{number}.xml": "a page of the sitemap: permanent links of public records only (tests/shared/"
                              "test_portal_links.py checks it lists exactly those)",
    "/staff/preservation/objects/{key}": "a stored object's fixity checks and PREMIS events (preservation.view): "
                                         "digests, sizes and the codes of the documents using it that the caller "
                                         "may see, never content (tests/preservation/test_preservation_web.py)",
}
# GET routes without a path parameter: the query strings each is asked with ("{q}": each search query).
LIST_QUERIES: dict[str, tuple[str, ...]] = {
    "/search": ("?q={q}",),
    "/portal": ("", "?q={q}", "?q=2020"),  # browsing (facets and counts in the public scope), a search, a year
    "/portal/copies": ("", "?code={q}"),
    "/our-records": ("", "?q={q}"),
    "/staff/personal-data": ("", "?q={q}&purpose=Ki%E1%BB%83m+tra+ma+tr%E1%BA%ADn+quy%E1%BB%81n"),
    "/api/v1/personal-data": ("?q={q}&purpose=Ki%E1%BB%83m+tra+ma+tr%E1%BA%ADn+quy%E1%BB%81n",),
    "/api/v1/search": ("?q={q}&facets=true&limit=200",),
    "/api/v1/documents": ("?limit=200",),
    "/api/v1/events": ("?limit=200",),
    "/api/v1/files": ("?limit=200",),
    "/scanning/events": ("?once=1",),
    # the staff pickers' lookups: files and documents under the policy (the markers typed as queries)
    "/staff/lookup/units": ("?q={q}",),
    "/staff/lookup/fonds": ("?q={q}",),
    "/staff/lookup/files": ("?q={q}",),
    "/staff/lookup/documents": ("?q={q}",),
    "/admin/audit/export": ("?format=csv", "?format=xlsx"),
    "/oai": ("?verb=ListRecords&metadataPrefix=nd30", "?verb=ListRecords&metadataPrefix=oai_dc",
             "?verb=ListIdentifiers&metadataPrefix=oai_dc", "?verb=ListSets", "?verb=Identify"),
}
EXPORTS = {"/api/v1/search/export": ("?q={q}&format=xlsx", "?q={q}&format=pdf")}
AUDIT = ("/admin/audit", "/admin/audit/export")
NO_CONTENT = {"/static": "the static files mount"}


@dataclass
class Callers:
    """A signed-in client per staff role, one client without a session for anonymous and token callers."""

    sessions: dict[str, TestClient]
    bare: TestClient
    tokens: dict[str, str]
    csrf: dict[str, str]
    rules: dict[tuple[str, str], Permission | None]  # the route rules of the app these clients call

    def get(self, kind: str, url: str) -> Response:
        if kind in self.sessions:
            return self.sessions[kind].get(url, follow_redirects=False)
        headers = {"Authorization": f"Bearer {self.tokens[kind]}"} if kind in self.tokens else {}
        return self.bare.get(url, headers=headers, follow_redirects=False)


def _settings(data: Path, url: str | None) -> Settings:
    roomy = {"api_rate_per_minute": 10**6, "portal_rate_per_minute": 10**6, "form_rate_per_minute": 10**6}
    fields = {k: v for k, v in roomy.items() if k in Settings.model_fields}
    return Settings(data=data, workers=1, **({"database_url": url} if url else {}), **fields)


@pytest.fixture(params=PROFILES)
def mctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    url = profile_database(request)
    context = open_context(_settings(tmp_path / "data", url))
    yield context
    context.close()


@pytest.fixture
def setup(mctx: AppContext) -> Iterator[tuple[Matrix, Callers]]:
    matrix = build_matrix(mctx)
    app = create_app(mctx, watch_hot_folders=False)
    clients = [TestClient(app, raise_server_exceptions=False) for _ in range(len(STAFF) + 1)]
    for client in clients:
        client.__enter__()
    try:
        sessions = dict(zip(STAFF, clients, strict=False))
        csrf = {role: web.login(client, f"mx_{role}") for role, client in sessions.items()}
        yield matrix, Callers(sessions, clients[-1], matrix.tokens, csrf, _app_rules(app))
    finally:
        for client in clients:
            client.__exit__(None, None, None)


# --- what a response may hold -------------------------------------------------------------------------

def _text(response: Response) -> str:
    """The body as text, spreadsheets unzipped and PDF exports' text extracted (a marker may not hide)."""
    body = response.content
    parts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            parts += [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
    elif body[:5] == b"%PDF-" and "export" in str(response.url):
        from pdfminer.high_level import extract_text  # heavy: only the generated export PDFs

        parts.append(extract_text(io.BytesIO(body)))
    return "\n".join(parts)


def _assert_nothing_secret(response: Response, markers: list[str], blobs: list[bytes], what: object) -> None:
    text = _text(response)  # markers are lower case; searches ask for them in upper case (pages echo the query)
    leaked = [m for m in markers if m in text]
    assert not leaked, (what, response.status_code, leaked)
    assert not any(blob in response.content for blob in blobs), (what, "secret image/object bytes")


# --- the document routes --------------------------------------------------------------------------------

def _family(path: str) -> str:
    if path.startswith("/iiif/"):
        return "iiif"
    if path == "/oai" or path.startswith("/oai/"):
        return "oai"
    return "portal" if path.startswith("/portal") else "api" if path.startswith("/api/") else "staff"


# Who asks each family of routes: staff pages read the session (a token is no session: as anonymous);
# the portal reads as anonymous whoever asks (a session or a token must not widen it); the API reads the
# token (a staff session must not widen it).
CALLERS = {"staff": ("anon", *STAFF), "portal": ("anon", "admin", "tok_admin"),
           "api": ("anon", "tok_public", "tok_unit", "tok_admin", "admin"),
           "iiif": KINDS,  # IIIF reads the bearer token, else the staff session, else anonymous
           "oai": KINDS}  # OAI-PMH reads the bearer token, else anonymous (a staff session must not widen it)


def _urls(path: str, matrix: Matrix, key: str) -> list[str]:
    pages = matrix.pages.get(key) or [0]
    values = {"doc_id": matrix.docs[key], "document_id": matrix.docs[key], "page_id": pages[0], "page_no": 1,
              "code": matrix.copies.get(key, "none"), "identifier": derived_identifier(matrix.docs[key]),
              "file_id": matrix.files.get(key, 0),  # each matrix document has a file of its own
              "region": "full", "size": "max", "rotation": "0", "quality_format": "default.jpg"}  # an IIIF image
    base = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)
    return [base + q.replace("{m}", marker(key)) for q in DOC_ROUTES[path]]


def _expected(kind: str, path: str, permission: Permission | None, matrix: Matrix, key: str) -> str:
    """'login', 'forbidden', 'ok' or 'hidden' for this caller, route and document."""
    family = _family(path)
    if family == "staff" and kind not in STAFF:
        return "login"
    if family == "staff" and permission is not None and not allowed(kind, permission):
        return "forbidden"
    caller = kind if family in ("staff", "iiif") else (kind if family == "api" and kind.startswith("tok_") else "anon")
    if path.startswith("/portal/copies/") and key not in matrix.copies:
        return "hidden"
    return "ok" if visible(caller, matrix.specs[key]) else "hidden"


def _check_status(response: Response, expected: str, what: object) -> None:
    status = response.status_code
    if expected == "login":
        assert status == 303 and response.headers["location"].startswith("/login"), (what, status)
    elif expected == "forbidden":
        assert status == 403, (what, status)
    elif expected == "hidden":
        assert status == 404, (what, status, response.text[:200])
    else:
        assert status == 200, (what, status, response.text[:300])


def _document_routes(ctx: AppContext, app_rules: dict[tuple[str, str], Permission | None], matrix: Matrix,
                     callers: Callers, keys: list[str]) -> int:
    markers = [marker(k) for k in matrix.secret_keys()]
    blobs = secret_blobs(ctx, matrix)
    asked = 0
    for path in DOC_ROUTES:
        permission = app_rules[(path, "GET")]
        for key in keys:
            for url in _urls(path, matrix, key):
                for kind in CALLERS[_family(path)]:
                    response = callers.get(kind, url)
                    what = (kind, url, key)
                    expected = _expected(kind, path, permission, matrix, key)
                    _check_status(response, expected, what)
                    _assert_nothing_secret(response, markers, blobs, what)
                    if expected == "ok" and path in SHOWS_TEXT:
                        assert marker(key) in response.text, (what, "a visible document shows its text")
                    asked += 1
    return asked


# --- the list routes ------------------------------------------------------------------------------------

def _list_urls(path: str, queries: list[str]) -> list[str]:
    shapes = LIST_QUERIES.get(path) or EXPORTS.get(path) or ("",)
    return [path + shape.replace("{q}", quote(q)) for shape in shapes for q in (queries if "{q}" in shape else [""])]


def _list_routes(ctx: AppContext, paths: list[str], matrix: Matrix, callers: Callers, queries: list[str],
                 markers: list[str]) -> None:
    blobs = secret_blobs(ctx, matrix)
    for path in paths:
        for url in dict.fromkeys(_list_urls(path, queries)):
            for kind in CALLERS[_family(path)]:
                response = callers.get(kind, url)
                assert response.status_code < 500, (kind, url, response.text[:300])
                _assert_nothing_secret(response, markers, blobs, (kind, url))


def _counts_and_facets(matrix: Matrix, callers: Callers) -> None:
    """Totals, results and facets of a phrase every document holds are those of the caller's scope."""
    for kind in KINDS:
        found = callers.get(kind, f"/api/v1/search?q={quote(COMMON)}&facets=true&limit=200").json()
        caller = kind if kind.startswith("tok_") else "anon"
        expected = {matrix.docs[k] for k, s in matrix.specs.items() if visible(caller, s) and s.state != "merged"}
        assert {r["document_id"] for r in found["results"]} == expected, kind
        assert found["total"] == len(expected), kind
        levels = {v["value"] for v in found["facets"].get("access_level", [])}
        assert "secret" not in levels, kind
        assert all(v["count"] <= found["total"] for values in found["facets"].values() for v in values), kind
        # The document list and the events feed carry ids only: the ids are checked (every document has events).
        listed = callers.get(kind, "/api/v1/documents?limit=200").json()["items"]
        assert {d["document_id"] for d in listed} == expected, kind
        feed = callers.get(kind, "/api/v1/events?limit=200").json()["items"]
        assert {e["document_id"] for e in feed} == expected, kind


def _oai_records(matrix: Matrix, callers: Callers) -> None:
    """OAI-PMH lists exactly the caller's scope (a token's, else the public's; merged documents are not records),
    and GetRecord answers idDoesNotExist for every other document, độ mật ones included, even to admin tokens."""
    for kind in KINDS:
        caller = kind if kind.startswith("tok_") else "anon"
        expected = {k for k, s in matrix.specs.items() if visible(caller, s) and s.state != "merged"}
        listed = callers.get(kind, "/oai?verb=ListIdentifiers&metadataPrefix=nd30").text
        live = set(re.findall(r"<header><identifier>oai:[^<]*:doc/(\d+)</identifier>", listed))
        assert live == {str(matrix.docs[k]) for k in expected}, kind
        for key, doc_id in matrix.docs.items():
            got = callers.get(kind, f"/oai?verb=GetRecord&metadataPrefix=nd30&identifier=oai:sohoa.local:doc/{doc_id}")
            assert ('code="idDoesNotExist"' in got.text) == (key not in expected), (kind, key)
            assert 'status="deleted"' not in got.text, (kind, key)  # nothing was withdrawn: no deleted record
            assert (marker(key) in got.text) == (key in expected), (kind, key)


def _routes(app_rules: dict[tuple[str, str], Permission | None]) -> tuple[list[str], list[str]]:
    gets = [p for (p, m) in app_rules if m == "GET"]
    return [p for p in gets if "{" in p], [p for p in gets if "{" not in p]


def _app_rules(app: FastAPI) -> dict[tuple[str, str], Permission | None]:
    return {key: (rule.permission if rule else None) for key, rule in route_rules(app).items()}


def _rules(ctx: AppContext) -> dict[tuple[str, str], Permission | None]:
    return _app_rules(create_app(ctx, watch_hot_folders=False))


# --- the tests ------------------------------------------------------------------------------------------

def test_every_route_is_in_the_matrix(ctx: AppContext) -> None:
    with_ids, without = _routes(_rules(ctx))
    assert sorted(set(with_ids) - DOC_ROUTES.keys() - OTHER_ID_ROUTES.keys()) == [], "add the route to the matrix"
    assert sorted((DOC_ROUTES.keys() | OTHER_ID_ROUTES.keys()) - set(with_ids)) == [], "a matrix route is gone"
    assert set(LIST_QUERIES) | set(EXPORTS) | set(AUDIT) <= set(without)
    assert len(without) > 25  # every route without a parameter is fetched by every caller


def test_route_matrix(mctx: AppContext, setup: tuple[Matrix, Callers]) -> None:
    matrix, callers = setup
    rules = callers.rules
    _, without = _routes(rules)
    early = [marker(k) for k in matrix.secret_keys()]
    # The audit viewer first: later searches put the markers typed as queries into the log.
    _list_routes(mctx, list(AUDIT), matrix, callers, [], early)
    assert _document_routes(mctx, rules, matrix, callers, [k for k in matrix.docs if k not in BY_MERGE]) > 1000
    queries = [COMMON, TYPO, *(m.upper() for k, m in zip(matrix.secret_keys(), early, strict=True) if k not in LATE)]
    rest = [p for p in without if p not in AUDIT and p not in NO_CONTENT]
    _list_routes(mctx, rest, matrix, callers, queries, [*early, SUGGEST_WORD])
    _counts_and_facets(matrix, callers)
    _oai_records(matrix, callers)
    # "Did you mean" offers the word to the local operator, who may read độ mật documents: the check above
    # is not vacuous.
    assert search(mctx, SYSTEM, SearchRequest(TYPO), audit=False).suggestion == SUGGEST_WORD


def test_route_matrix_after_merge_and_split(mctx: AppContext, setup: tuple[Matrix, Callers]) -> None:
    """Merging a public document with a secret one, and splitting a secret one, never lowers protection."""
    matrix, callers = setup
    _write_routes_refuse_secrets(mctx, matrix, callers)
    review.merge_documents(mctx, matrix.docs["pubtwo"], matrix.docs["sectwo"], actor="archivist")
    new_id = review.split_document(mctx, matrix.docs["secsplit"], 2, actor="archivist")
    matrix.docs["secsplitnew"] = new_id
    matrix.specs["pubtwo"] = replace(matrix.specs["pubtwo"], secrecy="Tuyệt mật")  # the strictest of the two
    matrix.specs["sectwo"] = replace(matrix.specs["sectwo"], state="merged")
    matrix.specs["secsplitnew"] = replace(matrix.specs["secsplit"], state="review")
    refresh_pages(mctx, matrix)
    with mctx.db.session() as session:
        merged, split = session.get(Document, matrix.docs["pubtwo"]), session.get(Document, new_id)
        assert merged is not None and merged.secrecy and split is not None and split.secrecy
    late = [marker(k) for k in (*LATE, "pubtwo")]
    rules = callers.rules
    _list_routes(mctx, list(AUDIT), matrix, callers, [], late)
    keys = ["pubtwo", "sectwo", "secsplit", "secsplitnew", "pubok"]
    assert _document_routes(mctx, rules, matrix, callers, keys) >= 500
    _, without = _routes(rules)
    rest = [p for p in without if p not in AUDIT and p not in NO_CONTENT]
    _list_routes(mctx, rest, matrix, callers, [COMMON, *(m.upper() for m in late)],
                 [*late, *(marker(k) for k in matrix.secret_keys())])


def _state(ctx: AppContext, doc_id: int) -> tuple[str, int, str | None]:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc.state, len(doc.pages), doc.subject


def _write_routes_refuse_secrets(ctx: AppContext, matrix: Matrix, callers: Callers) -> None:
    """The review and QC write routes answer 404 for a document out of scope and change nothing."""
    secret, public = matrix.docs["secrev"], matrix.docs["pubrev"]
    pages = ",".join(str(p) for p in reversed(matrix.pages["secrev"]))
    posts = [("archivist", f"/review/{secret}", {"subject": "Đổi", "action": "approve"}),
             ("archivist", f"/review/{secret}/split", {"at_page": "2"}),
             ("archivist", f"/review/{secret}/reorder", {"order": pages}),
             ("archivist", f"/review/{secret}/merge", {"other_id": str(public)}),
             ("archivist", f"/review/{public}/merge", {"other_id": str(secret)}),
             ("archivist", f"/review/{secret}/personal-data/1/status", {"status": "shown"}),
             ("archivist", f"/review/{secret}/personal-data/text", {"text": "Đổi", "kind": "name", "reason": "x"}),
             ("archivist", f"/review/{secret}/personal-data/region",
              {"page": "1", "x0": "0", "y0": "0", "x1": "50", "y1": "50", "kind": "name", "reason": "x"}),
             ("qc_inspector", f"/qc/documents/{matrix.docs['secqc']}", {"decision": "accept"})]
    before = {d: _state(ctx, d) for d in (secret, public, matrix.docs["secqc"])}
    blobs = secret_blobs(ctx, matrix)
    for role, url, form in posts:
        response = callers.sessions[role].post(url, data={**form, "csrf_token": callers.csrf[role]},
                                               follow_redirects=False)
        assert response.status_code == 404, (role, url, response.status_code)
        _assert_nothing_secret(response, [marker(k) for k in matrix.secret_keys()], blobs, (role, url))
    assert {d: _state(ctx, d) for d in before} == before


def test_webhooks_announce_only_what_the_public_sees(mctx: AppContext) -> None:
    """A webhook has the anonymous scope: never a độ mật, internal or unreviewed document's event."""
    matrix = build_matrix(mctx)
    with mctx.db.session() as session:
        session.add(Webhook(url="https://hooks.example.org/in", secret="s" * 32, created_by="admin",
                            events=["document.create", "document.publish", "document.update", "access.change"],
                            last_event_id=0))
    with mctx.db.session() as session:
        assert dispatch_events(session) > 0
        announced = {d.payload["document_id"] for d in session.query(WebhookDelivery)}
    expected = {matrix.docs[k] for k, s in matrix.specs.items() if visible("anon", s)}
    assert announced == expected


def test_suggestions_follow_the_scope(mctx: AppContext) -> None:
    """"Did you mean" offers a word to those who may read a document holding it, and to nobody else."""
    index = make_index(mctx.db.engine)
    with mctx.db.session() as session:
        units = [Unit(identifier=f"SG.{n}", name=f"Phường {n}", name_folded=f"phuong {n}", unit_type="phường")
                 for n in (1, 2)]
        session.add_all(units)
        session.flush()
        for n in range(3):
            doc = Document(unit_id=units[0].id, text=f"Biên bản zqnoibothu số {n}", source_name="x.pdf",
                           access_level="internal", state="accepted", page_amount=1)
            session.add(doc)
            session.flush()
            index.upsert(session, document_index_doc(doc))
        own, other = units[0].id, units[1].id
    asked = SearchRequest("zqnoibothw")

    def offered(principal: Principal | None) -> str | None:
        return search(mctx, principal, asked, audit=False).suggestion

    assert offered(Principal(900, "officer", "unit_officer", unit_id=own)) == "zqnoibothu"
    assert offered(Principal(901, "archivist", "archivist")) == "zqnoibothu"
    assert offered(Principal(902, "elsewhere", "unit_officer", unit_id=other)) is None
    assert offered(None) is None
