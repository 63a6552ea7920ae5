"""The portal without a query (#17 item 7): browse public records by unit (the 2025 succession: new wards and
the old ones that went into them), year and document type, with counts; a year-only query; the partial-match
note; the record page's breadcrumbs and reference code; the portal's own menu and 404; the copy-request form's
required markers and terms; short tracking codes (format, lookup in any case, old long codes)."""

from __future__ import annotations

import re
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.db.models import CopyRequest, Document, FileUnit, Fonds, Unit, UnitLink
from sohoa.index import make_index
from sohoa.portal import routes as portal_routes
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.services.sharing import portal_browse
from sohoa.services.sharing.copies import CODE_ALPHABET, VN_TZ, due_date, new_code, short_code
from sohoa.services.sharing.portal_browse import BrowseFilters, browse
from sohoa.settings import Settings

from ._portal_helpers import csrf

NEW, OLD_A, OLD_B, OTHER = "H26.NEW", "H26.OLD.A", "H26.OLD.B", "H26.OTHER"


@dataclass
class Shelf:
    """What the public sees (by key) and what it must not (internal, unreviewed, merged, superseded, độ mật)."""

    public: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)


def _doc(**values: object) -> Document:
    base: dict[str, object] = {
        "source_name": "x.pdf",
        "page_amount": 1,
        "state": "accepted",
        "access_level": "public",
        "type_name": "Quyết định",
    }
    return Document(**(base | values))


def _shelf(ctx: AppContext) -> Shelf:
    shelf = Shelf()
    with ctx.db.session() as session:
        units = {
            ident: Unit(identifier=ident, name=name, name_folded=name.lower(), unit_type="phường")
            for ident, name in (
                (NEW, "Phường Hoàn Kiếm"),
                (OLD_A, "Phường Hàng Bạc"),
                (OLD_B, "Phường Hàng Đào"),
                (OTHER, "Phường Ba Đình"),
            )
        }
        session.add_all(units.values())
        session.flush()
        session.add_all(
            [
                UnitLink(from_unit_id=units[old].id, to_unit_id=units[NEW].id, kind="merged_into")
                for old in (OLD_A, OLD_B)
            ]
        )
        fonds = Fonds(code="P.HB", name="UBND phường Hàng Bạc", unit_id=units[OLD_A].id)
        session.add(fonds)
        session.flush()
        file = FileUnit(
            file_code="P.HB.2019.01.VP",
            title="Hồ sơ hòa giải năm 2019",
            unit_id=units[OLD_A].id,
            fonds_id=fonds.id,
            access_level="public",
        )
        session.add(file)
        session.flush()
        unit = {k: u.id for k, u in units.items()}
        public = {
            "a2019qd": _doc(
                unit_id=unit[OLD_A],
                file_id=file.id,
                doc_ordinal=7,
                code_number="12",
                code_notation="QĐ-UBND",
                issued_date=date(2019, 3, 4),
                subject="Về việc hòa giải",
                text="Quyết định số 12/QĐ-UBND về việc hòa giải ở cơ sở",
            ),
            "a2019kh": _doc(
                unit_id=unit[OLD_A], type_name="Kế hoạch", issued_date=date(2019, 9, 1), text="Kế hoạch tuyên truyền"
            ),
            "b2020qd": _doc(
                unit_id=unit[OLD_B], issued_date=date(2020, 5, 6), text="Quyết định khen thưởng", state="published"
            ),
            "n2024qd": _doc(unit_id=unit[NEW], issued_date=date(2024, 2, 8), text="Quyết định năm 2024 phường mới"),
            "n2024tb": _doc(
                unit_id=unit[NEW], type_name="Thông báo", issued_date=date(2024, 11, 30), text="Thông báo lịch tiếp dân"
            ),
            "x2024qd": _doc(unit_id=unit[OTHER], issued_date=date(2024, 7, 1), text="Quyết định Ba Đình"),
        }
        hidden = {
            "internal": _doc(unit_id=unit[OLD_A], access_level="internal", issued_date=date(2019, 1, 1)),
            "review": _doc(unit_id=unit[OLD_A], state="review", issued_date=date(2019, 1, 2)),
            "merged": _doc(unit_id=unit[NEW], state="merged", issued_date=date(2024, 1, 3)),
            "superseded": _doc(unit_id=unit[NEW], state="superseded", issued_date=date(2024, 1, 4)),
            "secret": _doc(unit_id=unit[OTHER], secrecy="Mật", issued_date=date(2024, 1, 5)),
        }
        session.add_all([*public.values(), *hidden.values()])
        session.flush()
        index = make_index(ctx.db.engine)
        for doc in [*public.values(), *hidden.values()]:
            index.upsert(session, document_index_doc(doc))
        shelf.public = {k: d.id for k, d in public.items()}
        shelf.hidden = {k: d.id for k, d in hidden.items()}
    return shelf


@pytest.fixture
def ctx(any_ctx: AppContext) -> AppContext:
    """Every test of this module that reads the shelf runs on SQLite and on PostgreSQL."""
    return any_ctx


@pytest.fixture
def shelf(ctx: AppContext) -> Shelf:
    return _shelf(ctx)


@pytest.fixture
def client(ctx: AppContext) -> TestClient:
    return TestClient(create_app(ctx, watch_hot_folders=False))


def _listed(page: str) -> list[str]:
    """The permanent links of the records a browse page lists."""
    block = page.split('id="browse-results"')[1].split("</ol>")[0]
    return re.findall(r'<a href="(/portal/r/[^"]+)"', block)


def _count(page: str, kind: str, value: str) -> int:
    found = re.search(rf'data-{kind}="{re.escape(value)}"[^>]*>.*?\((\d+)\)</span>', page, flags=re.S)
    assert found, (kind, value)
    return int(found.group(1))


def test_browse_counts_only_published_public_records(ctx: AppContext, shelf: Shelf) -> None:
    page = browse(ctx, BrowseFilters())
    assert page.total == len(shelf.public)
    assert {item.document_id for item in page.items} == set(shelf.public.values())
    issued = [item.issued or date.min for item in page.items]
    assert issued == sorted(issued, reverse=True)  # newest first
    new = next(u for u in page.units if u.identifier == NEW)
    # The new ward counts its own records and those of the two wards merged into it; each old one its own.
    assert new.count == 5 and {(p.identifier, p.count) for p in new.predecessors} == {(OLD_A, 2), (OLD_B, 1)}
    assert [(u.identifier, u.count) for u in page.units] == [(NEW, 5), (OTHER, 1)]
    assert [(y.value, y.count) for y in page.years] == [("2024", 3), ("2020", 1), ("2019", 2)]
    assert [(t.value, t.count) for t in page.types] == [("Quyết định", 4), ("Kế hoạch", 1), ("Thông báo", 1)]


def test_browse_by_unit_then_year_then_type_over_http(client: TestClient, shelf: Shelf) -> None:
    home = client.get("/portal")
    assert home.status_code == 200
    assert len(_listed(home.text)) == len(shelf.public) and 'id="browse-count">6 ' in home.text
    assert _count(home.text, "unit", NEW) == 5 and _count(home.text, "unit", OLD_A) == 2
    by_unit = client.get(f"/portal?unit={NEW}")
    assert len(_listed(by_unit.text)) == 5 and 'id="chosen-filters"' in by_unit.text
    assert _count(by_unit.text, "year", "2019") == 2 and _count(by_unit.text, "year", "2024") == 2
    old = client.get(f"/portal?unit={OLD_A}")
    assert len(_listed(old.text)) == 2  # an old ward: its own records only
    by_year = client.get(f"/portal?unit={NEW}&year=2019")
    assert len(_listed(by_year.text)) == 2
    assert _count(by_year.text, "type", "Kế hoạch") == 1
    by_type = client.get(f"/portal?unit={NEW}&year=2019&type={quote('Kế hoạch')}")
    assert len(_listed(by_type.text)) == 1
    assert "01/09/2019" in by_type.text and "2019-09-01" not in by_type.text
    # The facet links keep the other choices (one click narrows, nothing is typed).
    assert f'href="/portal?unit={quote(NEW)}&amp;year=2019&amp;type=' in by_year.text
    assert client.get("/portal?unit=NO.SUCH.UNIT").status_code == 404


def test_browse_by_file_and_fonds_from_the_breadcrumbs(client: TestClient, shelf: Shelf) -> None:
    assert len(_listed(client.get("/portal?file=P.HB.2019.01.VP").text)) == 1
    assert len(_listed(client.get("/portal?fonds=P.HB").text)) == 1


def test_year_only_query_lists_that_year(client: TestClient, shelf: Shelf) -> None:
    page = client.get("/portal?q=2024")
    assert page.status_code == 200
    assert len(_listed(page.text)) == 3  # the three public records of 2024, not only texts holding "2024"
    sign = client.get("/portal", params={"q": "số 12/QĐ-UBND"})
    assert 'id="result-count">1 ' in sign.text


def test_partial_matches_say_so(client: TestClient, shelf: Shelf) -> None:
    full = client.get("/portal", params={"q": "hòa giải"})
    assert 'id="result-count">1 ' in full.text and 'id="partial-note"' not in full.text
    partial = client.get("/portal", params={"q": "hòa giải khen thưởng"})
    assert 'id="partial-note"' in partial.text
    assert "Không có văn bản chứa đủ các từ; đây là kết quả gần đúng" in partial.text
    client.get("/lang/en")
    english = client.get("/portal", params={"q": "hòa giải khen thưởng"})
    assert "No document holds all the words; these are the closest matches" in english.text


def test_record_page_places_the_record(client: TestClient, shelf: Shelf) -> None:
    page = client.get(f"/portal/documents/{shelf.public['a2019qd']}").text
    crumbs = page.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert 'href="/portal?fonds=P.HB"' in crumbs and 'href="/portal?file=P.HB.2019.01.VP"' in crumbs
    assert crumbs.index("P.HB") < crumbs.index("P.HB.2019.01.VP") < crumbs.index('aria-current="page"')
    assert 'id="reference-code">P.HB.2019.01.VP.007<' in page
    assert f'href="/portal?unit={quote(OLD_A)}"' in page
    assert "04/03/2019" in page and "2019-03-04" not in page.split("</script>")[-1]


def test_portal_pages_keep_citizens_on_the_portal(client: TestClient, shelf: Shelf) -> None:
    for path in (
        "/portal",
        f"/portal/documents/{shelf.public['a2019qd']}",
        "/portal/no-such-page",
        f"/portal/documents/{shelf.hidden['internal']}",
        "/portal/copies",
    ):
        page = client.get(path)
        assert 'class="portal-nav"' in page.text, path
        assert 'href="/login' not in page.text and 'href="/"' not in page.text, path
    missing = client.get("/portal/no-such-page")
    assert missing.status_code == 404 and 'id="error-title"' in missing.text


def test_copy_form_marks_required_fields_and_states_terms(settings: Settings) -> None:
    with closing(open_context(settings.model_copy(update={"portal_copy_days": 7}))) as ctx:
        shelf = _shelf(ctx)
        client = TestClient(create_app(ctx, watch_hot_folders=False))
        page = client.get(f"/portal/documents/{shelf.public['a2019qd']}").text
    form = page.split('class="copy-form"')[1].split("</form>")[0]
    assert 'id="required-legend"' in form
    for name in ("name", "id_number"):
        label = re.search(rf'<label for="{name}">(.*?)</label><input ([^>]*)>', form)
        assert label and 'class="req"' in label.group(1) and 'aria-required="true"' in label.group(2), name
    assert "aria-required" not in form.split('id="email"')[1].split(">")[0]
    assert "biểu phí hiện hành" in page.split('id="copy-fees"')[1]
    assert "7 ngày làm việc" in page.split('id="copy-days"')[1]


def test_tracking_codes_are_short_and_forgiving(ctx: AppContext, shelf: Shelf, client: TestClient) -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)
    assert not set("".join(codes)) & set("01OILU")
    assert set("".join(codes)) <= set(CODE_ALPHABET + "-")
    assert short_code("k7ma 4qx2") == short_code("K7MA4QX2") == "K7MA-4QX2"
    assert short_code("K7MA-4QX0") is None and short_code("abc") is None

    doc_id = shelf.public["a2019qd"]
    token = csrf(client, f"/portal/documents/{doc_id}")
    sent = client.post(
        f"/portal/documents/{doc_id}/copy",
        data={"csrf_token": token, "name": "Phạm Thị Lan", "id_number": "001190054321"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    code = sent.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    status = client.get(f"/portal/copies/{code}").text
    assert f'id="copy-code" class="tracking-code">{code}<' in status
    with ctx.db.session() as session:
        row = session.query(CopyRequest).filter_by(code=code).one()
        created = row.created_at
    assert due_date(created, ctx.settings.portal_copy_days).strftime("%d/%m/%Y") in status
    assert 'id="copy-requested">' + datetime.now(UTC).astimezone(VN_TZ).strftime("%d/%m/%Y") in status
    # Typed as people type it: lower case, without the dash, with spaces.
    typed = code.lower().replace("-", " ")
    found = client.get("/portal/copies", params={"code": typed}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/portal/copies/{code}"
    moved = client.get(f"/portal/copies/{code.lower().replace('-', '')}", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/portal/copies/{code}"
    unknown = client.get("/portal/copies", params={"code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 404 and 'id="copy-lookup"' in unknown.text


def test_old_long_codes_still_resolve(ctx: AppContext, shelf: Shelf, client: TestClient) -> None:
    old = "q3Z-x_9LmN0pQrS1"  # a code of the first releases: secrets.token_urlsafe(12)
    with ctx.db.session() as session:
        session.add(
            CopyRequest(
                code=old,
                document_id=shelf.public["a2019qd"],
                requester_name="Lê Văn Tám",
                id_number="001090012345",
                purpose="",
            )
        )
    page = client.get(f"/portal/copies/{old}")
    assert page.status_code == 200 and 'data-state="pending"' in page.text
    assert client.get("/portal/copies", params={"code": old}, follow_redirects=False).status_code == 303


def test_due_date_counts_working_days() -> None:
    friday_evening = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội, a Friday
    assert due_date(friday_evening, 1) == date(2026, 12, 7)  # Monday
    assert due_date(friday_evening, 5) == date(2026, 12, 11)
    late_sunday = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)  # Monday 01:00 in Hà Nội
    assert due_date(late_sunday, 1) == date(2026, 12, 8)


def test_browse_pages(client: TestClient, shelf: Shelf, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_browse, "PAGE_SIZE", 4)
    first = client.get(f"/portal?unit={NEW}").text
    second = client.get(f"/portal?unit={NEW}&page=2").text
    assert len(_listed(first)) == 4 and len(_listed(second)) == 1
    assert not set(_listed(first)) & set(_listed(second))
    assert f'id="page-next" href="/portal?unit={quote(NEW)}&amp;page=2"' in first
    assert 'id="page-of">Trang 2/2<' in second and 'id="page-prev"' in second and 'start="5"' in second
    assert len(_listed(client.get(f"/portal?unit={NEW}&page=99").text)) == 1  # past the end: the last page


def test_a_failure_on_the_portal_shows_the_portal_error_page(
    ctx: AppContext, shelf: Shelf, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(portal_routes, "browse", broken)
    client = TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False)
    page = client.get("/portal")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert 'class="portal-nav"' in page.text and 'id="error-title"' in page.text
    assert "Đã có lỗi ở máy chủ" in page.text and 'href="/login' not in page.text


def test_tracking_code_lookups_share_the_forms_rate(settings: Settings) -> None:
    with closing(open_context(settings.model_copy(update={"form_rate_per_minute": 4}))) as ctx:  # bursts of 2
        app = create_app(ctx, watch_hot_folders=False)
        guesser = TestClient(app, client=("203.0.113.20", 40000))
        answers = [guesser.get("/portal/copies", params={"code": f"ABCD-EFG{n}"}).status_code for n in (2, 3, 4)]
        assert answers == [404, 404, 429]
        assert guesser.get("/portal/copies/ABCD-EFG5").status_code == 429
        assert guesser.get("/portal/copies").status_code == 200  # the empty form is an ordinary portal page
        assert guesser.get("/portal").status_code == 200
        neighbour = TestClient(app, client=("198.51.100.20", 40000))
        assert neighbour.get("/portal/copies/ABCD-EFG5").status_code == 404
