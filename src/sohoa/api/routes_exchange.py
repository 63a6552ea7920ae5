"""API v1: data exchange with city systems — the events contract (JSON Schema) and record requests."""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from fastapi.responses import Response

from sohoa.api.deps import Anyone, api_router
from sohoa.services.sharing.event_contract import events_schema_bytes

__all__ = ["router"]

router = api_router()


@router.get("/schemas/events/v1", response_class=Response,
            summary="Lược đồ sự kiện v1 / the events contract v1 (JSON Schema)",
            responses={200: {"content": {"application/schema+json": {}}}})
def api_events_schema(caller: Anyone) -> Response:
    """The JSON Schema (draft 2020-12) of events feed items and webhook deliveries, version 1; public."""
    return Response(events_schema_bytes(1), media_type="application/schema+json",
                    headers={"Cache-Control": "public, max-age=3600"})
