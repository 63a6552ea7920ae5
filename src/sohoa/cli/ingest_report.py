"""The summary `sohoa ingest` prints (embedded or on the cluster) and `sohoa ingest-status` too."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sohoa.services.production.ingest import IngestReport

__all__ = ["print_report"]

_POOLS = {
    "running": "pool: running — OCR trên máy chủ đang chạy / pages done by the running server's warm pool",
    "local": "pool: local — OCR trong tiến trình này / pages done by this process",
    "cluster": "pool: cluster — OCR trên các worker của cụm / pages done by the cluster's workers",
}


def print_report(out: Console, report: IngestReport, pool: str) -> None:
    table = Table(title="Kết quả số hóa / Ingest summary")
    for col in ("Tệp / File", "Trạng thái / State", "Trang / Pages", "Văn bản / Documents", "Lý do / Reason"):
        table.add_column(col)
    for item in report.items:
        table.add_row(item.name, item.state, str(item.pages), ",".join(map(str, item.documents)),
                      item.message or "")
    out.print(table)
    out.print(f"{report.count('done')} xong/done, {report.count('duplicate')} trùng/duplicate, "
              f"{report.count('quarantined')} cách ly/quarantined, {report.count('failed')} lỗi/failed, "
              f"{report.count('busy')} tiến trình khác đang xử lý/busy elsewhere — "
              f"{report.pages} trang/pages in {report.seconds:.1f}s ({report.pages_per_second:.2f} pages/s)")
    out.print(_POOLS.get(pool, _POOLS["local"]))
