"""Property-based run of schemathesis over the API's own OpenAPI document: no server errors anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from sohoa.app import create_app
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

from .world import build_world

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    context = open_context(Settings(data=data, workers=1, api_rate_per_minute=10_000_000))
    build_world(context)
    TOKEN["admin"], _ = create_token(context, "fuzzer", ["admin"])
    yield context
    context.close()


@pytest.fixture(scope="module")
def api_schema(api_ctx: AppContext) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(api_ctx))


def test_api_has_no_server_errors(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, 15 generated cases each (the pytest plugin does not load on this pytest)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {TOKEN['admin']}"})
            case.validate_response(response, checks=[not_a_server_error])

        check()
