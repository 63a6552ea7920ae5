"""OAI-PMH 2.0 at /oai, harvested by an independent client (sickle) from a live server on SQLite and PostgreSQL:
full then incremental harvests (new, changed, withdrawn, deleted, merged), resumption across pages, every error
code, sets, both metadata formats against their XML Schemas, and nothing a caller may not see."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree
from sickle import Sickle
from sqlalchemy import delete, func, select, update

from sohoa.db.models import Document, Event, OaiState
from tests._profiles import PROFILES, profile_database

from ._oai_world import OAI_NS, PAGE, World, schema, serve

NS = f"{{{OAI_NS}}}"


@pytest.fixture(params=PROFILES)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    url = profile_database(request)
    yield from serve(tmp_path, url)


def _public_world(world: World) -> None:
    for n in range(7):
        world.add(f"pub{n}", unit="own" if n % 2 else "other", state="published" if n % 3 else "accepted",
                  type_name="Quyết định" if n < 4 else "Công văn")
    world.add("internal", level="internal")
    world.add("conditional", level="conditional", unit="other")
    world.add("secret", secrecy="Mật")
    world.add("review", state="review")
    world.add("merged", state="merged")
    world.add("onlyinternal", level="internal", type_name="Tờ trình")  # the only Tờ trình: its set is not public


def _get(world: World, token: str | None = None, **params: str) -> etree._Element:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(world.oai, params=params, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    schema("OAI-PMH.xsd").assertValid(root)
    return root


def _error(root: etree._Element) -> str | None:
    node = root.find(NS + "error")
    return None if node is None else str(node.get("code"))


def _ids(world: World, names: list[str]) -> set[str]:
    return {world.oai_id(n) for n in names}


def _harvest(world: World, prefix: str = "oai_dc", **params: str) -> tuple[dict[str, object], str]:
    """Every record of a (possibly incremental) harvest by sickle, and the first response's responseDate."""
    records = Sickle(world.oai).ListRecords(metadataPrefix=prefix, **params)
    response_date = records.oai_response.xml.findtext(NS + "responseDate")
    return {r.header.identifier: r for r in records}, response_date


PUBLIC = [f"pub{n}" for n in range(7)]


def test_full_then_incremental_harvest(world: World) -> None:
    _public_world(world)
    first, _ = _harvest(world)
    assert set(first) == _ids(world, PUBLIC)  # over three pages of PAGE records
    assert all(not r.deleted for r in first.values())
    dc_schema = schema("oai_dc.xsd")
    for record in first.values():
        dc_schema.assertValid(record.xml.find(f"{NS}metadata")[0])
    world.age_datestamps()  # an hour passes

    second, since = _harvest(world)  # nothing changed: the harvester starts its incremental ones from here
    assert set(second) == set(first)
    world.add("new")
    world.change("pub1", subject="Về việc hòa giải đã sửa trong kiểm duyệt")
    world.change("pub2", access_level="internal")  # withdrawn from the public
    world.change("pub3", state="merged")  # merged into another document
    world.change("pub4", secrecy="Mật")  # marked độ mật
    with world.ctx.db.session() as session:
        session.execute(delete(Document).where(Document.id == world.docs["pub5"]))
    world.change("internal", subject="Sửa một văn bản nội bộ")  # never public: never told

    changed, _ = _harvest(world, **{"from": since})
    assert set(changed) == _ids(world, ["new", "pub1", "pub2", "pub3", "pub4", "pub5"])
    deleted = {i for i, r in changed.items() if r.header.deleted}
    assert deleted == _ids(world, ["pub2", "pub3", "pub4", "pub5"])
    assert "đã sửa trong kiểm duyệt" in changed[world.oai_id("pub1")].metadata["title"][0]
    assert all(r.xml.find(f"{NS}metadata") is None for i, r in changed.items() if i in deleted)
    assert all(r.header.datestamp >= since for r in changed.values())

    everything, _ = _harvest(world)  # a full harvest still lists the deleted records (persistent)
    assert set(everything) == _ids(world, [*PUBLIC, "new"])
    assert {i for i, r in everything.items() if r.header.deleted} == deleted


def test_resumption_survives_changes_between_pages(world: World) -> None:
    for n in range(3 * PAGE):
        world.add(f"d{n}")
    _get(world, verb="ListSets")  # harvested once ...
    world.age_datestamps()  # ... an hour ago
    root = _get(world, verb="ListIdentifiers", metadataPrefix="nd30")
    since = root.findtext(NS + "responseDate")
    token = root.find(f"{NS}ListIdentifiers/{NS}resumptionToken")
    assert token is not None and token.get("completeListSize") == str(3 * PAGE) and token.get("cursor") == "0"
    assert token.get("expirationDate", "").endswith("Z")
    seen = [h.findtext(NS + "identifier") for h in root.iter(NS + "header")]
    world.add("arrived")  # a new record arrives between pages ...
    late = world.oai_id("d8")
    world.change("d8", subject="Sửa giữa hai trang")  # ... and one not yet sent changes ...
    _get(world, verb="ListSets")  # ... and another harvester's request gives both their datestamps
    while token is not None and token.text:
        root = _get(world, verb="ListIdentifiers", resumptionToken=token.text)
        seen += [h.findtext(NS + "identifier") for h in root.iter(NS + "header")]
        token = root.find(f"{NS}ListIdentifiers/{NS}resumptionToken")
    assert token is not None and token.get("cursor") == str(3 * PAGE)  # the empty last token ...
    assert token.get("completeListSize") == str(3 * PAGE + 1)  # ... knows the list grew
    assert len(seen) == len(set(seen)), "no record twice"
    assert set(seen) == _ids(world, [*(f"d{n}" for n in range(3 * PAGE)), "arrived"])  # none skipped
    later = Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc", **{"from": since})
    assert {h.identifier for h in later} == {late, world.oai_id("arrived")}  # the change and the newcomer


def test_both_formats_validate_and_carry_the_nd30_fields(world: World) -> None:
    _public_world(world)
    nd30 = schema("nd30")
    records, _ = _harvest(world, "nd30")
    assert set(records) == _ids(world, PUBLIC)
    for record in records.values():
        nd30.assertValid(record.xml.find(f"{NS}metadata")[0])
    root = _get(world, verb="GetRecord", identifier=world.oai_id("pub1"), metadataPrefix="nd30")
    doc = root.find(f"{NS}GetRecord/{NS}record/{NS}metadata")[0]
    fields = {etree.QName(e).localname: e.text for e in doc}
    assert fields["identifier"] == world.oai_id("pub1")
    assert fields["type_name"] == "Quyết định" and fields["code_notation"] == "QĐ-UBND"
    assert fields["issued_date"] == "2020-01-02" and fields["signer_position"] == "Chủ tịch"
    assert fields["unit_identifier"] == "000.00.00.H26.T1" and fields["file_code"] == "HS.own.01"
    assert fields["fonds_code"] == "FOWN" and fields["page_amount"] == "2" and fields["access_level"] == "public"
    assert all(unicodedata.is_normalized("NFC", v or "") for v in fields.values())
    dc = _get(world, verb="GetRecord", identifier=world.oai_id("pub1"), metadataPrefix="oai_dc")
    schema("oai_dc.xsd").assertValid(dc.find(f"{NS}GetRecord/{NS}record/{NS}metadata")[0])
    links = [e.text for e in dc.iter("{http://purl.org/dc/elements/1.1/}identifier") if "/portal/" in (e.text or "")]
    assert len(links) == 1 and "/portal/r/SOHOA." in links[0]  # the record's permanent link, which resolves:
    assert httpx.get(links[0], timeout=30, follow_redirects=True).status_code == 200
    formats = _get(world, verb="ListMetadataFormats", identifier=world.oai_id("pub1"))
    assert [e.text for e in formats.iter(NS + "metadataPrefix")] == ["oai_dc", "nd30"]
    xsd = httpx.get(f"{world.base}/oai/nd30.xsd", timeout=30)
    assert xsd.status_code == 200 and b"urn:sohoa:oai:nd30:1.0" in xsd.content


def test_every_error_code(world: World) -> None:
    _public_world(world)
    cases = {
        "badVerb": [{}, {"verb": "Harvest"}],
        "badArgument": [{"verb": "Identify", "x": "1"}, {"verb": "GetRecord", "identifier": "x"},
                        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00:00"},
                        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01",
                         "until": "2020-01-01T00:00:00Z"},
                        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01",
                         "until": "2020-01-01"},
                        {"verb": "ListIdentifiers", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
                        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": '<b>"&amp;'},
                        {"verb": "ListRecords", "metadataPrefix": "oai dc"}],
        "badResumptionToken": [{"verb": "ListRecords", "resumptionToken": "abc.def"},
                               {"verb": "ListSets", "resumptionToken": "abc"}],
        "cannotDisseminateFormat": [{"verb": "ListRecords", "metadataPrefix": "marc21"},
                                    {"verb": "GetRecord", "metadataPrefix": "ead", "identifier": world.oai_id("pub1")}],
        "idDoesNotExist": [{"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": world.oai_id(n)}
                           for n in ("internal", "secret", "review", "merged")]
                          + [{"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:else:doc/1"},
                             {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                              "identifier": f"oai:{world.oai_id('pub1').split(':')[1]}:doc/99999999999"},
                             {"verb": "ListMetadataFormats", "identifier": world.oai_id("secret")},
                             {"verb": "GetRecord", "metadataPrefix": "nd30", "identifier": 'oai:x:"<&>'},
                             {"verb": "GetRecord", "metadataPrefix": "nd30", "identifier": "oai:x:\x01\x1b"}],
        "noRecordsMatch": [{"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2000-01-01"},
                           {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "type:to-trinh"}],
    }
    for code, requests in cases.items():
        for params in requests:
            root = _get(world, **params)
            assert _error(root) == code, (params, etree.tostring(root))
            request = root.find(NS + "request")
            assert request is not None and request.text == world.oai
            if code in ("badVerb", "badArgument"):
                assert dict(request.attrib) == {}, "the base URL only"
    repeated = httpx.get(f"{world.oai}?verb=Identify&verb=Identify", timeout=30)
    assert _error(etree.fromstring(repeated.content)) == "badVerb"
    token_of_records = _get(world, verb="ListRecords", metadataPrefix="oai_dc").findtext(f".//{NS}resumptionToken")
    assert _error(_get(world, verb="ListIdentifiers", resumptionToken=token_of_records)) == "badResumptionToken"
    world.change("pub1", access_level="internal")
    withdrawn = _get(world, verb="ListMetadataFormats", identifier=world.oai_id("pub1"))
    assert _error(withdrawn) == "noMetadataFormats"
    deleted = _get(world, verb="GetRecord", metadataPrefix="oai_dc", identifier=world.oai_id("pub1"))
    assert deleted.find(f".//{NS}header").get("status") == "deleted"
    with world.ctx.db.session() as session:
        session.execute(delete(Document))
    assert _error(_get(world, verb="ListSets")) == "noSetHierarchy"


def test_identify_and_post(world: World) -> None:
    _public_world(world)
    root = _get(world, verb="Identify")
    node = root.find(NS + "Identify")
    assert node.findtext(NS + "baseURL") == world.oai and node.findtext(NS + "deletedRecord") == "persistent"
    assert node.findtext(NS + "granularity") == "YYYY-MM-DDThh:mm:ssZ"
    ident = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    sample = node.find(f"{NS}description/{ident}oai-identifier")
    assert sample is not None and sample.findtext(ident + "repositoryIdentifier") == "luutru.test.vn"
    assert sample.findtext(ident + "sampleIdentifier") == "oai:luutru.test.vn:doc/1"
    schema("oai-identifier.xsd").assertValid(sample)
    assert root.find(NS + "request").get("verb") == "Identify"
    posted = Sickle(world.oai, http_method="POST").ListIdentifiers(metadataPrefix="oai_dc")
    assert {h.identifier for h in posted} == _ids(world, PUBLIC)
    refused = httpx.post(world.oai, content=b"verb=Identify", headers={"content-type": "text/plain"}, timeout=30)
    assert refused.status_code == 415
    with world.ctx.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Event).where(Event.action == "oai.request"))
    list(Sickle(world.oai).ListRecords(metadataPrefix="oai_dc"))  # three pages: three requests
    with world.ctx.db.session() as session:
        events = list(session.scalars(select(Event).where(Event.action == "oai.request").order_by(Event.id)))
    assert len(events) - (before or 0) == 3
    assert events[-1].actor == "anonymous" and events[-1].payload["verb"] == "ListRecords"


def test_sets(world: World) -> None:
    _public_world(world)
    root = _get(world, verb="ListSets")
    specs = {s.findtext(NS + "setSpec"): s.findtext(NS + "setName") for s in root.iter(NS + "set")}
    assert specs == {
        "unit": "Cơ quan, đơn vị / Units", "fonds": "Phông lưu trữ / Fonds", "type": "Loại văn bản / Document types",
        "unit:000.00.00.H26.T1": "Phường own", "unit:000.00.00.H26.T2": "Phường other",
        "fonds:FOWN": "Phông UBND phường own", "fonds:FOTHER": "Phông UBND phường other",
        "type:quyet-dinh": "Quyết định", "type:cong-van": "Công văn",
    }  # no type:to-trinh: its only document is internal
    own = Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc", set="unit:000.00.00.H26.T1")
    headers = list(own)
    assert {h.identifier for h in headers} == _ids(world, ["pub1", "pub3", "pub5"])
    assert all("unit:000.00.00.H26.T1" in h.setSpecs for h in headers)
    kinds = Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc", set="type:cong-van")
    assert {h.identifier for h in kinds} == _ids(world, ["pub4", "pub5", "pub6"])
    every = Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc", set="fonds")
    assert {h.identifier for h in every} == _ids(world, PUBLIC)


def test_a_token_harvests_its_scope_and_nothing_leaks(world: World) -> None:
    _public_world(world)
    unit_token = world.token("phuong-own", ["read:unit"], unit="own")
    public_token = world.token("cong-khai", ["read:public"])
    anonymous = httpx.get(world.oai, params={"verb": "ListRecords", "metadataPrefix": "nd30"}, timeout=30).text
    for name in ("internal", "conditional", "secret", "review", "merged", "onlyinternal"):
        assert f"zq{name}mark" not in anonymous and world.oai_id(name) + "<" not in anonymous

    def listed(token: str) -> set[str]:
        ids: set[str] = set()
        root = _get(world, token, verb="ListIdentifiers", metadataPrefix="nd30")
        while True:
            ids |= {h.findtext(NS + "identifier") for h in root.iter(NS + "header") if h.get("status") != "deleted"}
            token_text = root.findtext(f".//{NS}resumptionToken")
            if not token_text:
                return ids
            root = _get(world, token, verb="ListIdentifiers", resumptionToken=token_text)

    assert listed(public_token) == _ids(world, PUBLIC)
    assert listed(unit_token) == _ids(world, [*PUBLIC, "internal", "review", "onlyinternal"])
    got = _get(world, unit_token, verb="GetRecord", identifier=world.oai_id("internal"), metadataPrefix="nd30")
    assert got.find(f".//{NS}metadata") is not None
    anon = _get(world, verb="GetRecord", identifier=world.oai_id("internal"), metadataPrefix="nd30")
    assert _error(anon) == "idDoesNotExist"
    first = _get(world, unit_token, verb="ListIdentifiers", metadataPrefix="nd30").findtext(f".//{NS}resumptionToken")
    assert _error(_get(world, verb="ListIdentifiers", resumptionToken=first)) == "badResumptionToken"
    assert httpx.get(world.oai, params={"verb": "Identify"}, headers={"Authorization": "Bearer nope"},
                     timeout=30).status_code == 401
    world.change("internal", secrecy="Mật")  # the unit's token saw it: now it is told the record is deleted
    gone = _get(world, unit_token, verb="GetRecord", identifier=world.oai_id("internal"), metadataPrefix="nd30")
    assert gone.find(f".//{NS}header").get("status") == "deleted" and gone.find(f".//{NS}metadata") is None
    assert "zqinternalmark" not in etree.tostring(gone).decode()
    admin_token = world.token("luu-tru", ["admin"])
    for name in ("secret", "internal"):  # độ mật: the admin token never saw "secret"; "internal" it did
        answer = _get(world, admin_token, verb="GetRecord", identifier=world.oai_id(name), metadataPrefix="nd30")
        assert (_error(answer) == "idDoesNotExist") == (name == "secret"), name
    assert _error(_get(world, verb="GetRecord", identifier=world.oai_id("internal"), metadataPrefix="nd30")) == (
        "idDoesNotExist")  # never public: anonymous callers are not told it existed


def test_harvests_racing_edits_miss_nothing(world: World) -> None:
    """Harvesters paging while documents change: every answer valid, and an incremental harvest from the
    responseDate taken before the edits holds every edited record (the reconciliation lock orders datestamps)."""
    for n in range(12):
        world.add(f"r{n}")
    _get(world, verb="ListSets")
    world.age_datestamps()
    since = _get(world, verb="Identify").findtext(NS + "responseDate")
    failures: list[str] = []

    def harvest() -> None:
        try:
            for _ in range(3):
                ids = [h.identifier for h in Sickle(world.oai).ListIdentifiers(metadataPrefix="nd30")]
                if len(ids) != 12 or len(set(ids)) != 12:
                    failures.append(f"{len(ids)} headers, {len(set(ids))} distinct")
        except Exception as exc:  # the assertion below reports it
            failures.append(repr(exc))

    threads = [threading.Thread(target=harvest) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(0, 12, 2):
        world.change(f"r{n}", subject=f"Sửa lần {n} trong lúc thu thập")
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    changed = {h.identifier for h in Sickle(world.oai).ListIdentifiers(metadataPrefix="nd30", **{"from": since})}
    assert _ids(world, [f"r{n}" for n in range(0, 12, 2)]) <= changed
    assert changed <= _ids(world, [f"r{n}" for n in range(12)])


@pytest.fixture(params=PROFILES)
def lazy_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A server whose lists reconcile at most once an hour (SOHOA_OAI_SYNC_SECONDS)."""
    url = profile_database(request)
    yield from serve(tmp_path, url, sync_seconds=3600)


def test_lists_that_skip_the_reconciliation_stay_safe_and_complete(lazy_world: World) -> None:
    """Between passes a list shows the table as it was, decided live by the policy: a withdrawn document is
    already deleted, a new one waits; GetRecord checks its document; the next pass misses nothing."""
    world = lazy_world
    _public_world(world)
    assert {h.identifier for h in Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc")} == _ids(world, PUBLIC)
    world.age_datestamps()
    since = _get(world, verb="Identify").findtext(NS + "responseDate")
    world.add("fresh")
    world.change("pub1", access_level="internal")
    world.change("pub2", subject="Sửa sau lần đối chiếu")
    listed = {h.identifier: h for h in Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc")}
    assert set(listed) == _ids(world, PUBLIC)  # no pass yet: "fresh" waits ...
    assert listed[world.oai_id("pub1")].deleted  # ... but the withdrawn one is never shown as a record
    for name in ("pub4", "pub5", "pub6"):  # every Công văn withdrawn: its set goes at once, pass or not
        world.change(name, access_level="conditional")
    sets = {e.text for e in _get(world, verb="ListSets").iter(NS + "setSpec")}
    assert "type:quyet-dinh" in sets and "type:cong-van" not in sets
    fresh = _get(world, verb="GetRecord", identifier=world.oai_id("fresh"), metadataPrefix="nd30")
    assert fresh.find(f".//{NS}metadata") is not None  # GetRecord reconciles its own document
    with world.ctx.db.session() as session:
        session.execute(update(OaiState).values(synced_at=None))  # the hour is over
    changed = {h.identifier for h in Sickle(world.oai).ListIdentifiers(metadataPrefix="oai_dc", **{"from": since})}
    assert changed == _ids(world, ["fresh", "pub1", "pub2", "pub4", "pub5", "pub6"])
