"""Progress dashboard (tiến độ): stages, units, accessions, operators, pages per day, forecast, xlsx export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.production import progress
from sohoa.web.charts import bar_chart, hbar_chart
from sohoa.web.templating import render, request_lang

__all__ = ["router"]

router = APIRouter(prefix="/progress")
Viewer = Annotated[Principal, require(Permission.PROGRESS)]

# Where a stage's figure leads: the first queue of the stage the viewer's role may open (none: plain figure).
STAGE_QUEUES: dict[str, tuple[tuple[str, Permission], ...]] = {
    "review": (("/review", Permission.REVIEW),),
    "qc": (("/qc", Permission.QC),),
    "rework": (("/scanning#rework", Permission.SCAN), ("/review", Permission.REVIEW)),
}


def stage_links(who: Principal) -> dict[str, str]:
    """Stage key → the queue page its figure links to, for the queues ``who`` may open."""
    links = {}
    for stage, queues in STAGE_QUEUES.items():
        href = next((href for href, permission in queues if who.can(permission)), None)
        if href:
            links[stage] = href
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
    return render(request, "progress.html", {"data": data, "charts": charts, "links": stage_links(who),
                                             "accession_links": who.can(Permission.INTAKE_VIEW)})


@router.get("/export.xlsx")
def export(request: Request, ctx: Ctx, _who: Viewer) -> Response:
    return Response(
        progress.export_xlsx(ctx, request_lang(request)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="tien-do.xlsx"'},
    )

