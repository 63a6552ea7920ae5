"""Every route declares an authorization rule, and every route × role answers as the rule says."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.domain.codes import Role
from sohoa.http.rules import route_rules
from sohoa.services.identity.permissions import ROLE_PERMISSIONS, Permission
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers

# Routes that stream for minutes are called in their one-shot form.
QUERY = {"/scanning/events": "?once=1"}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_declares_a_rule(ctx: AppContext) -> None:
    rules = route_rules(create_app(ctx, watch_hot_folders=False))
    assert len(rules) > 40
    missing = [key for key, rule in rules.items() if rule is None]
    assert missing == []


def test_a_route_without_a_rule_is_reported_and_closed(ctx: AppContext, staff: dict[str, str]) -> None:
    rogue = APIRouter()

    @rogue.get("/rogue")
    def _rogue() -> dict[str, str]:
        return {"secret": "yes"}

    app = create_app(ctx, routers=[rogue], watch_hot_folders=False)
    assert route_rules(app)[("/rogue", "GET")] is None
    with TestClient(app) as client:
        helpers.login(client, "admin")
        assert client.get("/rogue").status_code == 403


def _cases(ctx: AppContext) -> list[tuple[str, str, Permission | None]]:
    rules = route_rules(create_app(ctx, watch_hot_folders=False))
    return [
        (path, method, rule.permission)
        for (path, method), rule in rules.items()
        if rule is not None and path != "/static"
    ]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_route_role_matrix(ctx: AppContext, client: TestClient, role: str) -> None:
    token = helpers.login(client, role)
    for path, method, permission in _cases(ctx):
        if path in ("/logout", "/login") and method == "POST":
            continue  # these change the session itself; covered in test_auth
        url = _concrete(path) + QUERY.get(path, "")
        response = client.request(method, url, headers={"X-CSRF-Token": token}, follow_redirects=False)
        allowed = permission is None or permission in ROLE_PERMISSIONS[Role(role)]
        if allowed:
            assert response.status_code != 403, (role, method, path, response.text[:200])
            assert response.status_code < 500, (role, method, path, response.text[:300])
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)


def test_anonymous_is_sent_to_login(ctx: AppContext, client: TestClient) -> None:
    for path, method, permission in _cases(ctx):
        if permission is None or method != "GET":
            continue
        response = client.get(_concrete(path) + QUERY.get(path, ""), follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_unsafe_request_without_csrf_token_is_refused(client: TestClient) -> None:
    helpers.login(client, "admin")
    response = client.post("/admin/units", data={"identifier": "X1", "name": "Đơn vị X"})
    assert response.status_code == 403
    token = helpers.csrf(client, "/admin")
    ok = client.post("/admin/units", data={"identifier": "X1", "name": "Đơn vị X", "csrf_token": token})
    assert ok.status_code == 200 and "Đơn vị X" in ok.text
