"""Fixtures of the shared-database tests: one built world per module (building takes a second)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

from .world import World, build_world


@pytest.fixture(scope="module")
def wctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """A context whose database holds the world; shared by a module's read-only tests."""
    data: Path = tmp_path_factory.mktemp("world") / "data"
    context = open_context(Settings(data=data, workers=1))
    yield context
    context.close()


@pytest.fixture(scope="module")
def world(wctx: AppContext) -> World:
    return build_world(wctx)


@pytest.fixture
def fresh_world(ctx: AppContext) -> World:
    """A world of its own, for tests that change grants or rows."""
    return build_world(ctx)
