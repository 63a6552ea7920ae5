"""Who sees personal data unmasked, and SOHOA_PERSONAL_MASK: which kinds are masked at which access level."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sohoa.domain.codes import AccessLevel, Role
from sohoa.domain.personal import PersonalKind
from sohoa.services.catalogue.documents import view_document
from sohoa.services.catalogue.personal_policy import mask_policy, policy_of, reads_restricted, sees_personal_data
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.identity.tokens import SCOPES, ApiClient
from sohoa.services.platform.context import open_context
from sohoa.settings import ACCESS_LEVELS, PERSONAL_KINDS, Settings
from tests.shared._personal_doc import CCCD, NAME, PHONE, add_rows, build_personal_doc

EVERY = frozenset(PersonalKind)


def test_the_settings_name_the_domain_kinds_and_levels() -> None:
    assert set(PERSONAL_KINDS) == {k.value for k in PersonalKind}
    assert set(ACCESS_LEVELS) == {a.value for a in AccessLevel}


def test_default_masks_every_kind_at_every_level() -> None:
    assert mask_policy("") == {level.value: EVERY for level in AccessLevel}


def test_levels_named_take_their_kinds_others_keep_every_kind() -> None:
    policy = mask_policy(" public = cccd, name ; internal= ; conditional=* ")
    assert policy["public"] == {PersonalKind.CCCD, PersonalKind.NAME}
    assert policy["internal"] == frozenset()
    assert policy["conditional"] == EVERY
    assert policy["secret"] == EVERY


@pytest.mark.parametrize("spec", ["public=cccd,passport", "everyone=cccd", "public", "public:cccd"])
def test_a_wrong_policy_stops_the_start(spec: str) -> None:
    with pytest.raises(ValidationError, match="SOHOA_PERSONAL_MASK"):
        Settings(personal_mask=spec)


def test_a_session_carries_the_policy_of_its_settings(tmp_path: Path) -> None:
    ctx = open_context(Settings(data=tmp_path / "d", workers=1, personal_mask="public=phone"))
    try:
        with ctx.db.session() as session:
            assert policy_of(session)["public"] == {PersonalKind.PHONE}
            assert policy_of(session)["internal"] == EVERY
    finally:
        ctx.close()


@pytest.mark.parametrize(("role", "sees"), [
    (Role.ADMIN, True), (Role.ARCHIVIST, True), (Role.QC_INSPECTOR, True), (Role.UNIT_OFFICER, True),
    (Role.COORDINATOR, False), (Role.SCAN_OPERATOR, False), (Role.UNIT_CLERK, False), ("public", False)])
def test_staff_roles_that_read_personal_data(role: str, sees: bool) -> None:
    assert sees_personal_data(Principal(user_id=7, username="u", role=role)) is sees


def test_anonymous_and_tokens_without_the_scope_see_masks() -> None:
    assert "personal:read" in SCOPES
    assert not sees_personal_data(None)
    for scopes in ({"read:public"}, {"read:unit"}, {"admin"}, {"admin", "read:unit", "records:request"}):
        client = ApiClient(token_id=3, name="t", scopes=frozenset(scopes), unit_id=1)
        assert not sees_personal_data(client.principal()), scopes
    reader = ApiClient(token_id=3, name="t", scopes=frozenset({"read:unit", "personal:read"}), unit_id=1)
    assert sees_personal_data(reader.principal())


def test_restricted_values_are_read_by_admins_only() -> None:
    assert reads_restricted(SYSTEM)
    assert reads_restricted(Principal(user_id=1, username="a", role=Role.ADMIN))
    assert not reads_restricted(Principal(user_id=2, username="b", role=Role.ARCHIVIST))
    admin_token = ApiClient(token_id=4, name="t", scopes=frozenset({"admin", "personal:read"}), unit_id=None)
    assert not reads_restricted(admin_token.principal())
    assert not reads_restricted(None)


def test_the_policy_decides_what_the_public_reads(tmp_path: Path) -> None:
    """With 'public=cccd' the public reads the citizen's name and phone, never the CCCD (known or found)."""
    ctx = open_context(Settings(data=tmp_path / "d", workers=1, personal_mask="public=cccd"))
    try:
        with ctx.db.session() as session:
            built = build_personal_doc(ctx, session)
            add_rows(session, built.document_id, built.page)
        text = view_document(ctx, None, built.document_id).text
        assert NAME in text and PHONE in text and CCCD not in text
    finally:
        ctx.close()
