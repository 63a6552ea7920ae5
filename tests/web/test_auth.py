"""Sign-in, throttling, sessions, password change, admin user management, demo users."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sohoa.services.identity import accounts
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers


def test_login_logout_and_wrong_password(client: TestClient) -> None:
    token = helpers.csrf(client)
    bad = client.post("/login", data={"username": "archivist", "password": "sai-mat-khau", "csrf_token": token})
    assert bad.status_code == 401 and "không đúng" in bad.text
    helpers.login(client, "archivist")
    assert "Kiểm duyệt" in client.get("/").text
    token = helpers.csrf(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": helpers.PASSWORD})
    assert response.status_code == 403


def test_five_failures_lock_the_username_from_that_address(ctx: AppContext, staff: dict[str, str]) -> None:
    for _ in range(accounts.MAX_FAILURES):
        assert accounts.authenticate(ctx, "coordinator", "wrong-password", "10.0.0.1") is None
    try:
        accounts.authenticate(ctx, "coordinator", helpers.PASSWORD, "10.0.0.1")
        raise AssertionError("the account should be locked")
    except accounts.LoginLocked as exc:
        assert "15" in exc.vi and "15" in exc.en
    # Another address is not locked out by someone else's guesses.
    assert accounts.authenticate(ctx, "coordinator", helpers.PASSWORD, "10.0.0.2") is not None


def test_locked_login_answers_429(client: TestClient) -> None:
    for _ in range(accounts.MAX_FAILURES):
        token = helpers.csrf(client)
        client.post("/login", data={"username": "admin", "password": "x" * 9, "csrf_token": token})
    token = helpers.csrf(client)
    locked = client.post("/login", data={"username": "admin", "password": helpers.PASSWORD, "csrf_token": token})
    assert locked.status_code == 429


def test_password_change_ends_other_sessions(ctx: AppContext, client: TestClient) -> None:
    from sohoa.app import create_app

    with TestClient(create_app(ctx, watch_hot_folders=False)) as other:
        helpers.login(other, "archivist")
        token = helpers.login(client, "archivist")
        page = client.post(
            "/account/password",
            data={
                "current": helpers.PASSWORD,
                "new": "mat-khau-moi-123",
                "confirm": "mat-khau-moi-123",
                "csrf_token": token,
            },
        )
        assert "Đã đổi mật khẩu" in page.text
        assert client.get("/", follow_redirects=False).status_code == 200  # this session continues
        assert other.get("/", follow_redirects=False).status_code == 303  # the other one ended
    assert accounts.authenticate(ctx, "archivist", "mat-khau-moi-123", "127.0.0.1") is not None


def test_admin_creates_and_disables_a_user(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "admin")
    created = client.post(
        "/admin/users",
        data={"username": "nguyenvana", "password": "mat-khau-dai", "role": "scan_operator", "csrf_token": token},
    )
    assert created.status_code == 200 and "nguyenvana" in created.text
    user = next(u for u in accounts.list_users(ctx) if u.username == "nguyenvana")
    client.post(f"/admin/users/{user.id}", data={"role": "scan_operator", "csrf_token": token})
    assert accounts.authenticate(ctx, "nguyenvana", "mat-khau-dai", "127.0.0.1") is None  # inactive
    short = client.post(
        "/admin/users", data={"username": "b", "password": "short", "role": "admin", "csrf_token": token}
    )
    assert short.status_code == 400 and "8" in short.text


def test_demo_users_one_per_role_and_stable(ctx: AppContext) -> None:
    first = accounts.seed_demo_users(ctx)
    assert {role for _u, _p, role in first} == set(helpers.ROLES)
    assert accounts.seed_demo_users(ctx) == first
    for username, password, _role in first:
        assert accounts.authenticate(ctx, username, password, "127.0.0.1") is not None


def test_english_switch(client: TestClient) -> None:
    helpers.login(client, "coordinator")
    client.get("/lang/en?next=/progress")
    page = client.get("/progress").text
    assert "Progress" in page and '<html lang="en">' in page
    client.get("/lang/vi?next=//evil.example")  # an off-site redirect target is ignored
    assert "Tiến độ" in client.get("/progress").text
