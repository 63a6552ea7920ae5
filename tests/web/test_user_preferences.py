"""One language and one time zone per user (#17 item 9): kept on the account, not only in the browser session.

The account page saves the interface language and an IANA time zone (validated, CSRF-protected, audited); the
saved language comes back at sign-in and the header's switch keeps it; the pages (the audit log included) show
times in the user's zone while the audit export stays ISO 8601 with the installation's offset.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Event, User
from sohoa.domain.errors import ValidationFailed
from sohoa.services.identity import accounts, preferences
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers

VIETNAMESE = re.compile(r"[^\W\d_a-zA-Z]")  # a letter outside ASCII


@pytest.fixture
def second(ctx: AppContext, staff: dict[str, str]) -> Iterator[TestClient]:
    """Another browser (its own cookies) on the same application and data."""
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as other:
        yield other


def _saved(ctx: AppContext, username: str) -> tuple[str | None, str | None]:
    with ctx.db.session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        return user.language, user.time_zone


def _save(client: TestClient, token: str, language: str = "", time_zone: str = "") -> int:
    response = client.post(
        "/account/preferences",
        data={"language": language, "time_zone": time_zone, "csrf_token": token},
        follow_redirects=False,
    )
    return response.status_code


def _logout(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": helpers.csrf(client, "/")})


def test_the_saved_language_survives_sign_out_and_comes_back_at_sign_in(
    ctx: AppContext, client: TestClient, second: TestClient
) -> None:
    token = helpers.login(client, "archivist")
    assert _save(client, token, language="en") == 303
    page = client.get("/account/password").text
    assert 'lang="en"' in page and "Preferences saved" in page
    _logout(client)
    assert _saved(ctx, "archivist") == ("en", None)
    # Another browser, whose anonymous session speaks Vietnamese: signing in brings the account's language.
    assert '<html lang="vi"' in second.get("/login").text
    helpers.login(second, "archivist")
    assert '<html lang="en"' in second.get("/").text
    # Someone else signing in on that browser keeps the browser's language (their own is not set).
    _logout(second)
    second.get("/lang/vi")
    helpers.login(second, "coordinator")
    assert '<html lang="vi"' in second.get("/").text


def test_the_header_switch_is_kept_for_a_signed_in_user_only(
    ctx: AppContext, client: TestClient, second: TestClient
) -> None:
    client.get("/lang/en")  # anonymous (as on the portal): the session only
    assert _saved(ctx, "qc_inspector") == (None, None)
    helpers.login(client, "qc_inspector")
    client.get("/lang/vi")
    client.get("/lang/en")
    assert _saved(ctx, "qc_inspector") == ("en", None)
    client.get("/lang/vi", headers={"sec-fetch-site": "cross-site"})  # a link on another site: the session only
    assert _saved(ctx, "qc_inspector") == ("en", None)
    client.get("/lang/en")
    helpers.login(second, "qc_inspector")  # a fresh browser, anonymous in Vietnamese until signed in
    assert '<html lang="en"' in second.get("/").text
    with ctx.db.session() as session:
        changes = (
            session.execute(select(Event.payload).where(Event.action == "user.preferences").order_by(Event.id))
            .scalars()
            .all()
        )
    assert changes == [{"language": "vi"}, {"language": "en"}]  # audited, each change once


def _audit_times(page: str) -> dict[str, str]:
    return dict(re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page))


def test_audit_times_follow_each_users_time_zone_and_the_export_keeps_the_offset(
    ctx: AppContext, client: TestClient, second: TestClient
) -> None:
    with ctx.db.session() as session:
        record_event(session, "admin", "document.update", "document", 7, {"subject": "Về việc hòa giải"})
    accounts.create_user(ctx, "admin_utc", helpers.PASSWORD, "admin")
    helpers.login(client, "admin")  # the installation's zone (Asia/Ho_Chi_Minh)
    token = helpers.login(second, "admin_utc")
    assert _save(second, token, time_zone="UTC") == 303
    assert _saved(ctx, "admin_utc") == (None, "UTC")
    default_page, utc_page = client.get("/admin/audit").text, second.get("/admin/audit").text
    default_times, utc_times = _audit_times(default_page), _audit_times(utc_page)
    assert default_times and default_times.keys() == utc_times.keys()
    for stored, shown in utc_times.items():
        moment = datetime.fromisoformat(stored)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        assert shown == moment.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S")
        assert default_times[stored] == moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M:%S")
        assert shown != default_times[stored]
    assert "múi giờ UTC" in utc_page and "Asia/Ho_Chi_Minh" in default_page
    assert "ISO 8601" in utc_page
    # The export is the installation's record (TT 05/2025): ISO 8601 with +07:00, whoever downloads it.
    exported = second.get("/admin/audit/export?format=csv").content.decode("utf-8-sig")
    assert all(row["at"].endswith("+07:00") for row in csv.DictReader(io.StringIO(exported)))


def test_an_unknown_zone_or_language_is_refused(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    assert _save(client, token, time_zone="Asia/Ho_Chi_Minh") == 303
    for language, zone in (("", "Mars/Olympus_Mons"), ("", "../../etc/passwd"), ("fr", "UTC")):
        response = client.post(
            "/account/preferences", data={"language": language, "time_zone": zone, "csrf_token": token}
        )
        assert response.status_code == 400 and 'role="alert"' in response.text
    assert _saved(ctx, "archivist") == (None, "Asia/Ho_Chi_Minh")
    with pytest.raises(ValidationFailed):
        preferences.check_zone("Not/AZone")
    assert preferences.check_zone(" ") is None


def test_the_preferences_form_needs_its_csrf_token(ctx: AppContext, client: TestClient) -> None:
    helpers.login(client, "archivist")
    response = client.post("/account/preferences", data={"language": "en", "time_zone": "UTC"})
    assert response.status_code == 403
    assert _saved(ctx, "archivist") == (None, None)


def test_the_account_page_offers_the_zones_and_speaks_english(client: TestClient) -> None:
    helpers.login(client, "unit_clerk")
    page = client.get("/account/password").text
    zones = re.findall(r'<option value="([^"]*)"', page.split('id="time_zone"')[1].split("</select>")[0])
    assert zones[:3] == ["", "Asia/Ho_Chi_Minh", "UTC"] and "Europe/Paris" in zones and "Etc/GMT+7" not in zones
    assert '<label for="language">' in page and '<label for="time_zone">' in page
    client.get("/lang/en")
    english = client.get("/account/password").text
    body = english.split("<body", 1)[1]
    text = re.sub(r"<script.*?</script>|<[^>]*>", " ", body, flags=re.S)
    assert [word for word in text.split() if VIETNAMESE.search(word)] == []
    assert "Interface language" in english and "Time zone" in english and "Change password" in english
