"""`sohoa fixity`: audit the stored objects (re-hash each one), report what the audits found, show one object's
history. Exit code 1 while a mismatch or a loss stays unrepaired (for cron and monitoring)."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console, print_json
from sohoa.services.preservation.events import iso_vn
from sohoa.services.preservation.fixity import (
    FixityResult,
    FixitySummary,
    fixity_summary,
    object_history,
    run_fixity,
)
from sohoa.services.preservation.fixity_report import ObjectPlace, RunInfo

app = typer.Typer(help="Kiểm tra toàn vẹn / Fixity audits: re-hash stored objects, report, history per object.",
                  no_args_is_help=True)


def _when(moment: datetime | None) -> str:
    return iso_vn(moment) if moment is not None else "—"


def _places(places: tuple[ObjectPlace, ...] | list[ObjectPlace]) -> str:
    return "; ".join(p.label for p in places) or "không thuộc văn bản nào / not used by any document"


def _result_json(result: FixityResult) -> dict[str, object]:
    return {"run": result.run_id, "state": result.state, "resumed": result.resumed, "checked": result.checked,
            "ok": result.ok, "mismatch": result.mismatch, "missing": result.missing,
            "unreadable": result.unreadable, "repaired": result.repaired, "orphans": result.orphans,
            "bytes_read": result.bytes_read, "replica_checked": result.replica_checked,
            "problems": [{"sha256": s, "outcome": o, "where": w} for s, o, w in result.problems]}


@app.command()
def run(check_all: bool = typer.Option(False, "--all",
                                       help="Mọi đối tượng, kể cả vừa kiểm tra / every object, even those checked "
                                       "within the cycle"),
        rate: float | None = typer.Option(None, "--rate", min=0,
                                          help="Đối tượng/giây, 0 = không giới hạn / objects per second (0: no cap; "
                                          "default SOHOA_FIXITY_RATE)"),
        limit: int | None = typer.Option(None, "--limit", min=1,
                                         help="Nhiều nhất / at most this many objects (the next run continues)"),
        primary_only: bool = typer.Option(False, "--primary-only",
                                          help="Bỏ qua bản sao / leave the replica's copies unchecked"),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Kiểm tra toàn vẹn các đối tượng đến hạn / Check the objects due (resumable; exit 1 on unrepaired damage)."""
    with app_context() as ctx:
        result = run_fixity(ctx, rate=rate, limit=limit, due_only=not check_all, trigger="cli", actor="cli",
                            replica=not primary_only)
    if as_json:
        print_json(_result_json(result))
    else:
        verb = "tiếp tục / continued" if result.resumed else "lượt / pass"
        console.print(f"{verb} #{result.run_id} ({result.state}): {result.checked} đã kiểm tra / checked, "
                      f"{result.ok} nguyên vẹn / ok, {result.mismatch} sai lệch / mismatch, {result.missing} mất / "
                      f"missing, {result.unreadable} không đọc được / unreadable, {result.repaired} đã sửa từ bản "
                      f"sao / repaired from the replica", soft_wrap=True)
        for digest in result.orphans:
            console.print(f"  [yellow]không có trong CSDL / unknown to the database[/yellow] {digest}")
        for digest, outcome, where in result.problems:
            console.print(f"  [red]{outcome}[/red] {digest} — {where}", soft_wrap=True)
    if result.problems:
        raise typer.Exit(1)


def _runs_table(runs: tuple[RunInfo, ...]) -> Table:
    table = Table(title="Các lượt kiểm tra / Fixity passes")
    for col in ("#", "Bắt đầu / Started", "Kết thúc / Finished", "Trạng thái / State", "Nguồn / Trigger",
                "Đã kiểm / Checked", "OK", "Sai / Mismatch", "Mất / Missing", "Lỗi đọc / Unreadable",
                "Đã sửa / Repaired"):
        table.add_column(col)
    for r in runs:
        table.add_row(str(r.id), _when(r.started_at), _when(r.finished_at), r.state, r.trigger, str(r.checked),
                      str(r.ok), str(r.mismatch), str(r.missing), str(r.unreadable), str(r.repaired))
    return table


def _summary_json(summary: FixitySummary) -> dict[str, object]:
    return {"objects": summary.objects, "checked_in_cycle": summary.checked_in_cycle,
            "never_checked": summary.never_checked, "overdue": summary.overdue, "cycle_days": summary.cycle_days,
            "oldest_check": _when(summary.oldest_check), "running": summary.running,
            "runs": [{"id": r.id, "started_at": _when(r.started_at), "finished_at": _when(r.finished_at),
                      "state": r.state, "trigger": r.trigger, "checked": r.checked, "ok": r.ok,
                      "mismatch": r.mismatch, "missing": r.missing, "unreadable": r.unreadable,
                      "repaired": r.repaired, "orphans": r.orphans} for r in summary.runs],
            "problems": [{"object_id": p.object_id, "sha256": p.sha256, "outcome": p.outcome,
                          "checked_at": _when(p.checked_at), "detail": p.detail,
                          "where": [p_.label for p_ in p.places]} for p in summary.problems]}


@app.command()
def report(as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Báo cáo kiểm tra toàn vẹn / What the audits found: coverage, last passes, open problems (exit 1 if any)."""
    with app_context() as ctx, ctx.db.session() as session:
        summary = fixity_summary(session)
    if as_json:
        print_json(_summary_json(summary))
    else:
        console.print(f"{summary.objects} đối tượng / objects; {summary.checked_in_cycle} đã kiểm tra trong "
                      f"{summary.cycle_days} ngày / checked within {summary.cycle_days} days; "
                      f"{summary.never_checked} chưa kiểm tra / never checked; kiểm tra cũ nhất / oldest check "
                      f"{_when(summary.oldest_check)}", soft_wrap=True)
        if summary.runs:
            console.print(_runs_table(summary.runs))
        if summary.healthy:
            console.print("[green]Không có vấn đề / no open problem[/green]")
        for p in summary.problems:
            console.print(f"  [red]{p.outcome}[/red] #{p.object_id} {p.sha256} {_when(p.checked_at)} — "
                          f"{_places(p.places)}", soft_wrap=True)
    if summary.problems:
        raise typer.Exit(1)


@app.command()
def history(key: str = typer.Argument(..., help="SHA-256 hoặc số của đối tượng / the object's SHA-256 or id"),
            as_json: bool = typer.Option(False, "--json", help="Print the history as JSON.")) -> None:
    """Lịch sử kiểm tra của một đối tượng / One object's checks and PREMIS events."""
    with app_context() as ctx, ctx.db.session() as session:
        found = object_history(session, key)
    if found is None:
        console.print(f"[red]Không có đối tượng / no such object:[/red] {key}")
        raise typer.Exit(2)
    if as_json:
        print_json({"object_id": found.object_id, "sha256": found.sha256, "size": found.size,
                    "media_type": found.media_type, "kind": found.kind, "last_fixity_at": _when(found.last_fixity_at),
                    "where": [p.label for p in found.places],
                    "checks": [{"run": c.run_id, "at": _when(c.checked_at), "store": c.store, "outcome": c.outcome,
                                "actual_sha256": c.actual_sha256, "detail": c.detail} for c in found.checks],
                    "events": [{"identifier": e.identifier, "at": _when(e.at), "type": e.event_type,
                                "outcome": e.outcome, "detail": e.outcome_detail, "agent": e.agent}
                               for e in found.events]})
        return
    console.print(f"#{found.object_id} {found.sha256} {found.kind} {found.media_type} {found.size} B — "
                  f"{_places(found.places)}", soft_wrap=True)
    table = Table(title="Kiểm tra / Checks")
    for col in ("Lúc / At", "Bản / Copy", "Kết quả / Outcome", "Chi tiết / Detail"):
        table.add_column(col)
    for c in found.checks:
        table.add_row(_when(c.checked_at), c.store, c.outcome, c.detail or "")
    console.print(table)
    events = Table(title="Sự kiện PREMIS / PREMIS events")
    for col in ("Lúc / At", "Loại / Type", "Kết quả / Outcome", "Chi tiết / Detail"):
        events.add_column(col)
    for e in found.events:
        events.add_row(_when(e.at), e.event_type, e.outcome, e.outcome_detail or "")
    console.print(events)
