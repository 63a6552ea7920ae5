"""The API's OpenAPI document declares what every route answers: a response model, or the non-JSON media types
of a file; the token layer's and the services' errors; the cursor's form."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from sohoa.api.schemas import CURSOR_PATTERN
from sohoa.app import create_app
from sohoa.services.platform.context import AppContext

ERRORS = {"400", "401", "403", "404", "429"}


def _spec(ctx: AppContext) -> dict[str, Any]:
    spec: dict[str, Any] = TestClient(create_app(ctx, watch_hot_folders=False)).get("/api/v1/openapi.json").json()
    return spec


def test_every_api_route_declares_a_model_or_its_media_types(ctx: AppContext) -> None:
    app = create_app(ctx, watch_hot_folders=False)
    routes = [(c.path, c.original_route) for c in iter_route_contexts(app.routes)
              if c.path and c.path.startswith("/api/") and isinstance(c.original_route, APIRoute)]
    assert len(routes) >= 18
    for path, route in routes:
        if not route.include_in_schema:
            assert path == "/api/v1/openapi.json"
            continue
        success = {code: answer for code, answer in route.responses.items() if str(code).startswith("2")}
        binary = [m for answer in success.values() for m in answer.get("content", {}) if m != "application/json"]
        assert route.response_model is not None or binary or route.status_code == 204, path


def test_the_document_states_every_answer(ctx: AppContext) -> None:
    spec = _spec(ctx)
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) >= 18
    for path, method, op in operations:
        responses = op["responses"]
        assert set(responses) >= ERRORS, (method, path)
        assert responses["429"]["headers"]["Retry-After"] and responses["401"]["headers"]["WWW-Authenticate"]
        for code, answer in responses.items():
            for media, body in answer.get("content", {}).items():
                if media == "application/json" and code != "422":
                    assert body.get("schema"), (method, path, code)
        names = {p["name"]: p for p in op.get("parameters", [])}
        if "cursor" in names:
            cursor = names["cursor"]["schema"]
            assert CURSOR_PATTERN in (cursor.get("pattern"), *(s.get("pattern") for s in cursor.get("anyOf", [])))
            assert "304" in responses and "ETag" in responses["200"]["headers"]
    export = spec["paths"]["/api/v1/search/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
