"""Web fixtures: an app over a fresh data directory with one user per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers


@pytest.fixture
def staff(ctx: AppContext) -> dict[str, str]:
    return helpers.users(ctx)


@pytest.fixture
def client(ctx: AppContext, staff: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(ctx, watch_hot_folders=False)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
