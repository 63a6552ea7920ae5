"""Unit commands: `sohoa units import-hanoi-2025`."""

from __future__ import annotations

import typer

from sohoa.cli.common import app_context, console
from sohoa.services.registry.units import import_hanoi_2025

units_app = typer.Typer(help="Đơn vị / Units (cơ quan, đơn vị and their succession).")


@units_app.command("import-hanoi-2025")
def import_hanoi() -> None:
    """Nạp 126 đơn vị mới và 526 đơn vị cũ của Hà Nội / Load Hanoi's 2025 units with succession links."""

    with app_context() as ctx:
        summary = import_hanoi_2025(ctx, actor="cli")
    console.print(f"Đơn vị mới / new: {summary.new_units}, cũ / old: {summary.old_units}, "
                  f"cấp huyện / districts: {summary.districts}, liên kết / links: {summary.links}")
