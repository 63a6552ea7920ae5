"""API v1: data exchange with city systems — the events contract (JSON Schema) and record requests."""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from typing import Annotated

from fastapi import Path
from fastapi.responses import Response

from sohoa.api.deps import Anyone, RecordRequester, api_router
from sohoa.api.exchange_schemas import ByCode, ByName, ByParcel, RecordRequestIn, RecordRequestOut
from sohoa.http.deps import Ctx
from sohoa.services.sharing.event_contract import events_schema_bytes
from sohoa.services.sharing.record_requests import RecordAsk, answer_request, fetch_request

__all__ = ["router"]

router = api_router()


@router.get("/schemas/events/v1", response_class=Response,
            summary="Lược đồ sự kiện v1 / the events contract v1 (JSON Schema)",
            responses={200: {"content": {"application/schema+json": {}}}})
def api_events_schema(caller: Anyone) -> Response:
    """The JSON Schema (draft 2020-12) of events feed items and webhook deliveries, version 1; public."""
    return Response(events_schema_bytes(1), media_type="application/schema+json",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.post("/record-requests", response_model=RecordRequestOut,
             summary="Tra cứu hồ sơ cho Bộ phận một cửa / record request (records:request)")
def api_record_request(ctx: Ctx, caller: RecordRequester, body: RecordRequestIn) -> RecordRequestOut:
    """A citizen's prior records by number/sign, land parcel or name; only what the token may see; audited."""
    client = caller.client
    assert client is not None  # the scope check refused anonymous callers
    by = body.criterion
    ask = RecordAsk(purpose=body.purpose, case_reference=body.case_reference, unit=body.unit, limit=body.limit,
                    code=by.code if isinstance(by, ByCode) else None,
                    parcel=by.parcel if isinstance(by, ByParcel) else None,
                    map_sheet=by.map_sheet if isinstance(by, ByParcel) else None,
                    person_name=by.person_name if isinstance(by, ByName) else None)
    return RecordRequestOut.model_validate(answer_request(ctx, client.principal(), client.token_id, ask))


@router.get("/record-requests/{request_id}", response_model=RecordRequestOut,
            summary="Xem lại yêu cầu tra cứu / a record request again (same token)")
def api_record_request_again(ctx: Ctx, caller: RecordRequester,
                             request_id: Annotated[str, Path(max_length=40, pattern=r"^rr_[A-Za-z0-9_-]+$")],
                             ) -> RecordRequestOut:
    client = caller.client
    assert client is not None
    return RecordRequestOut.model_validate(fetch_request(ctx, client.principal(), client.token_id, request_id))
