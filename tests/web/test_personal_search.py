"""The entity index (sohoa.services.catalogue.personal_search): what each kind of query finds, the scope by unit
succession, độ mật and restricted rows, and the audited purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from sohoa.db.models import Event
from sohoa.domain.errors import ValidationFailed
from sohoa.services.catalogue.personal_search import parse_parcel, search_people
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext
from sohoa.settings import Settings
from tests._profiles import PROFILES

from ._personal_world import CCCD, NAME, PersonalWorld, build_personal_world, personal_context

PURPOSE = "Giải quyết thủ tục cấp đổi giấy chứng nhận"


@pytest.fixture(params=PROFILES)
def ctx(request: pytest.FixtureRequest, settings: Settings) -> Iterator[AppContext]:
    """The module's tests on SQLite and on the cluster profile (PostgreSQL, objects in S3)."""
    yield from personal_context(request, settings)


@pytest.fixture
def world(ctx: AppContext) -> PersonalWorld:
    return build_personal_world(ctx)


def _docs(result: object) -> set[int]:
    return {r.document_id for g in result.groups for r in g.records}  # type: ignore[attr-defined]


def _events(ctx: AppContext) -> list[Event]:
    with ctx.db.session() as session:
        return list(session.execute(select(Event).where(Event.action == "personal.search")
                                    .order_by(Event.id)).scalars())


def test_name_without_tones_finds_the_old_communes_records_for_the_new_wards_officer(
        ctx: AppContext, world: PersonalWorld) -> None:
    officer = world.principal("ward_officer", "unit_officer", "ward")
    result = search_people(ctx, officer, "nguyen van thuan", purpose=PURPOSE)
    assert _docs(result) == {world.docs["land"], world.docs["allowance"]}  # not độ mật, not the other ward's
    group = result.groups[0]
    assert group.kind == "name" and group.normalized == "nguyen van thuan"
    assert {r.unit_name for r in group.records} == {"Xã Thử Cũ"}
    assert {r.file_code for r in group.records} == {"PD.CU.001.2019.01", "PD.CU.001.2019.02"}
    assert group.records[0].number in ("12/QĐ-UBND", "31/QĐ-UBND") and group.records[0].pages == (1,)


def test_an_unrelated_wards_officer_finds_nothing_of_another_lineage(ctx: AppContext, world: PersonalWorld) -> None:
    other = world.principal("other_officer", "unit_officer", "other")
    # its own record holds 'Nguyễn Văn Thuần' (the same folded words): only that one, none of the old commune's
    assert _docs(search_people(ctx, other, "nguyen van thuan", purpose=PURPOSE)) == {world.docs["other"]}
    assert _docs(search_people(ctx, other, CCCD, purpose=PURPOSE)) == set()
    assert _docs(search_people(ctx, other, "thửa 123 tờ 45", purpose=PURPOSE)) == set()


def test_exact_tones_rank_first(ctx: AppContext, world: PersonalWorld) -> None:
    archivist = world.principal("archivist", "archivist")
    result = search_people(ctx, archivist, "Nguyễn Văn Thuần", purpose=PURPOSE)
    # Thuần and Thuận are two people: two values, the one with the tones as typed first
    assert [(g.value, g.rank) for g in result.groups] == [("Nguyễn Văn Thuần", 0), (NAME, 1)]
    assert _docs(result) == {world.docs["land"], world.docs["allowance"], world.docs["other"]}
    # a word prefix: the first words, or the given name alone
    assert _docs(search_people(ctx, archivist, "nguyen van", purpose=PURPOSE)) == _docs(result)
    assert world.docs["other"] in _docs(search_people(ctx, archivist, "thuan hoa", purpose=PURPOSE))  # address


def test_numbers_parcels_and_partial_numbers(ctx: AppContext, world: PersonalWorld) -> None:
    archivist = world.principal("archivist", "archivist")
    assert _docs(search_people(ctx, archivist, "001-085-012-345", purpose=PURPOSE)) == {world.docs["land"]}
    assert _docs(search_people(ctx, archivist, "085012", purpose=PURPOSE)) == {world.docs["land"]}
    with pytest.raises(ValidationFailed):
        search_people(ctx, archivist, "08501", purpose=PURPOSE)  # fewer than six digits
    for typed in ("thửa 123 tờ 45", "123/45", "thua dat so 123 to ban do so 45", "thửa 123"):
        assert _docs(search_people(ctx, archivist, typed, purpose=PURPOSE)) == {world.docs["land"]}, typed
    assert _docs(search_people(ctx, archivist, "thửa 123 tờ 46", purpose=PURPOSE)) == set()
    assert _docs(search_people(ctx, archivist, "12/45", purpose=PURPOSE)) == set()
    assert parse_parcel("Thửa đất số 0123, tờ bản đồ số 45") == ("123", "45")
    for typed in ("05/03/1985", "5-3-1985", "5.3.1985"):  # as the document wrote it: 'ngày 05 tháng 3 năm 1985'
        assert _docs(search_people(ctx, archivist, typed, purpose=PURPOSE)) == {world.docs["land"]}, typed
    assert _docs(search_people(ctx, archivist, "03/05/1985", purpose=PURPOSE)) == set()
    with pytest.raises(ValidationFailed):
        search_people(ctx, archivist, "1985", kind="dob", purpose=PURPOSE)


def test_restricted_values_only_for_admins_and_secrets_never(ctx: AppContext, world: PersonalWorld) -> None:
    archivist = world.principal("archivist", "archivist")
    assert _docs(search_people(ctx, archivist, "0912345678", purpose=PURPOSE)) == set()
    found = search_people(ctx, world.principal("admin", "admin"), "0912345678", purpose=PURPOSE)
    assert _docs(found) == {world.docs["allowance"]} and found.groups[0].records[0].restricted
    # the local operator reads độ mật documents through its own commands, never through the entity index
    assert world.docs["secret"] not in _docs(search_people(ctx, SYSTEM, NAME, purpose=PURPOSE))


def test_a_query_without_a_purpose_is_refused_and_every_query_is_audited(
        ctx: AppContext, world: PersonalWorld) -> None:
    officer = world.principal("ward_officer", "unit_officer", "ward")
    for purpose in (None, "", "   ", "tra cứu"):
        with pytest.raises(ValidationFailed):
            search_people(ctx, officer, NAME, purpose=purpose)
    assert _events(ctx) == []
    search_people(ctx, officer, "nguyen van thuan", purpose=PURPOSE, kind="name", unit_id=world.units["ward"])
    (event,) = _events(ctx)
    assert event.actor == "ward_officer"
    assert event.payload is not None
    assert event.payload["purpose"] == PURPOSE and event.payload["query"] == "nguyen van thuan"
    assert event.payload["results"] == 1 and event.payload["documents"] == 2
    assert event.payload["kind"] == "name" and event.payload["unit_id"] == world.units["ward"]


def test_unit_filter_includes_predecessors_and_paging(ctx: AppContext, world: PersonalWorld) -> None:
    archivist = world.principal("archivist", "archivist")
    by_ward = search_people(ctx, archivist, "nguyen van", purpose=PURPOSE, unit_id=world.units["ward"])
    assert _docs(by_ward) == {world.docs["land"], world.docs["allowance"]}
    assert _docs(search_people(ctx, archivist, "nguyen van", purpose=PURPOSE, unit_id=world.units["other"])) == {
        world.docs["other"]}
    pages = [search_people(ctx, archivist, "thuan", purpose=PURPOSE, limit=1, offset=n) for n in range(4)]
    assert [p.total for p in pages] == [3, 3, 3, 3]  # two names and an address, one per page
    assert sorted(p.groups[0].kind for p in pages[:3]) == ["address", "name", "name"] and pages[3].groups == ()
