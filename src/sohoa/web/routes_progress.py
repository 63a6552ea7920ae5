"""Progress dashboard (tiến độ): stages, units, accessions, operators, pages per day, forecast, xlsx export."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import progress, qc, queues
from sohoa.services.sharing.worklists import worklist_counts
from sohoa.web.charts import bar_chart, hbar_chart
from sohoa.web.templating import render, request_lang

__all__ = ["router"]

router = APIRouter(prefix="/progress")
Viewer = Annotated[Principal, require(Permission.PROGRESS)]

# Where a stage's figure leads: the first queue of the stage the viewer's role may open (none: plain figure),
# as (queue, its view's query string, permission); "rework" is the scanning page's rework list.
STAGE_QUEUES: dict[str, tuple[tuple[str, str, Permission], ...]] = {
    "review": (("review", "", Permission.REVIEW),),
    "qc": (("qc", "", Permission.QC),),
    "rework": (("rework", "", Permission.SCAN), ("review", "state=rework_review", Permission.REVIEW)),
}
QUEUE_PATHS = {"review": "/review", "qc": "/qc", "rework": "/scanning#rework"}


def stage_links(ctx: AppContext, who: Principal) -> dict[str, tuple[str, int]]:
    """Stage key → (the queue view its figure links to, the size of that view for ``who``): the figure is
    the number of documents the linked page lists (the same states, filter and access scope)."""
    links: dict[str, tuple[str, int]] = {}
    waiting = worklist_counts(ctx, who)
    for stage, choices in STAGE_QUEUES.items():
        found = next(((q, query) for q, query, permission in choices if who.can(permission)), None)
        if found is None:
            continue
        queue, query = found
        if queue == "rework":
            links[stage] = (QUEUE_PATHS[queue], waiting.get("rework", 0))
            continue
        view = queues.QueueFilter.from_params(parse_qsl(query), queue)
        href = QUEUE_PATHS[queue] + (f"?{query}" if query else "")
        links[stage] = (href, queues.queue_count(ctx, queue, view, principal=who))
    return links


@router.get("")
def dashboard(request: Request, ctx: Ctx, who: Viewer) -> Response:
    data = progress.dashboard(ctx)
    en = request_lang(request) == "en"
    stages = [(e if en else v, n) for _k, v, e, n in data.stages]
    days = [(d.strftime("%d/%m"), p) for d, p in data.per_day]
    charts = {
        "stages": hbar_chart(stages, title="Documents by stage" if en else "Văn bản theo giai đoạn"),
        "days": bar_chart(days, title="Pages per day" if en else "Số trang mỗi ngày"),
    }
    values = {
        "data": data, "charts": charts, "links": stage_links(ctx, who),
        "accession_links": who.can(Permission.INTAKE_VIEW),
        "unit_queues": queues.unit_counts(ctx, principal=who), "can_review": who.can(Permission.REVIEW),
        "can_qc": who.can(Permission.QC), "sampling": qc.sampling_status(ctx), "can_plan": who.can(Permission.QC_PLAN),
    }
    return render(request, "progress.html", values)


@router.get("/export.xlsx")
def export(request: Request, ctx: Ctx, _who: Viewer) -> Response:
    return Response(
        progress.export_xlsx(ctx, request_lang(request)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="tien-do.xlsx"'},
    )

