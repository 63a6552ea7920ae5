"""Server commands: `sohoa serve` (the web application) and `sohoa demo` (sample box, ready to browse)."""

from __future__ import annotations

import typer

from sohoa.cli.common import app_context, console
from sohoa.samples import generate_corpus
from sohoa.services.identity.accounts import seed_demo_users
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.control import Handler
from sohoa.services.platform.logs import configure_logging
from sohoa.services.production.demo import publish_sample_file
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.registry.units import import_hanoi_2025
from sohoa.settings import Settings

DEMO_UNIT = "HN.MOI.00070"  # Phường Hoàn Kiếm
DEMO_FILES = (("clean300", "H26.00070.2025.01.VP"), ("yellow_seal", "H26.00070.2025.02.VP"))
# Ward documents with fictitious personal data (marked so on the page), published: the portal shows them masked.
DEMO_PERSONAL_FILE = "H26.00070.2025.03.VP"


def serve(host: str | None = typer.Option(None, "--host"), port: int | None = typer.Option(None, "--port")) -> None:
    """Chạy ứng dụng web / Run the web application.

    Start-up builds the warm page pool (every worker with its OCR engine loaded) that uploads, hot folders,
    the API and `sohoa ingest` on the same data directory use; the control socket answers once it is warm,
    and also runs `sohoa status`, `sohoa search` and `sohoa ingest` for clients on the same data directory.
    """
    import uvicorn

    from sohoa.app import create_app
    from sohoa.cli.remote import cli_handler

    settings = Settings()
    configure_logging(settings)  # SOHOA_LOG_FORMAT: text or JSON lines, with each request's id
    ctx = open_context(settings)
    console.print(f"Sohoa: http://{host or settings.host}:{port or settings.port}/")
    # Rate limits and login throttles count per client address: only the configured proxies may name it.
    control_ops: dict[str, Handler] = {}  # read when the control socket opens, after the app exists
    app = create_app(ctx, warm_pool=True, control_ops=control_ops)
    # `sohoa status`, `search` and `ingest` of the same data directory are answered here (ingest by the warm pool)
    control_ops["cli"] = cli_handler(ctx, pool=lambda: getattr(app.state, "warm_pool", None))
    uvicorn.run(app, host=host or settings.host, port=port or settings.port,
                log_level="info", log_config=None,  # uvicorn's loggers reach configure_logging's handler
                proxy_headers=bool(settings.forwarded_allow_ips.strip()),
                forwarded_allow_ips=settings.forwarded_allow_ips.strip() or "")


def demo(documents: int = typer.Option(6, "--documents", help="Documents per sample file.")) -> None:
    """Số hóa một hộp mẫu và tạo người dùng mẫu / Digitize a sample box and create demo users."""

    with app_context() as ctx:
        import_hanoi_2025(ctx, actor="demo")
        boxes = [(condition, code, False) for condition, code in DEMO_FILES] + [("clean300", DEMO_PERSONAL_FILE, True)]
        for condition, file_code, personal in boxes:
            folder = ctx.settings.data / "samples" / file_code
            if not (folder / "truth.json").exists():
                generate_corpus(folder, documents=documents, seed=2025, condition=condition, personal=personal)
            pages = sorted(p for p in folder.iterdir() if p.name.startswith("page_"))
            report = ingest_paths(ctx, pages, unit_identifier=DEMO_UNIT, file_code=file_code, actor="demo")
            console.print(f"{file_code}: {report.count('done')} tệp mới / new files, "
                          f"{report.count('duplicate')} đã có / already done, {report.pages} trang / pages, "
                          f"{report.pages_per_second:.2f} trang/s")
        published_code = DEMO_FILES[0][1]
        public = publish_sample_file(ctx, published_code, actor="demo")
        console.print(f"{published_code}: {public} văn bản công khai trên cổng tra cứu / public records on the "
                      f"portal (/portal, /oai, /iiif/3); {DEMO_FILES[1][1]} chờ kiểm duyệt / waits for review")
        public = publish_sample_file(ctx, DEMO_PERSONAL_FILE, actor="demo")
        console.print(f"{DEMO_PERSONAL_FILE}: {public} văn bản có dữ liệu cá nhân hư cấu, công khai đã che / "
                      "records with fictitious personal data, public and masked")
        _demo_users(ctx)


def _demo_users(ctx: AppContext) -> None:
    console.print("[bold]Tài khoản mẫu / Demo accounts[/bold] (username / password / role):")
    for username, password, role in seed_demo_users(ctx):
        console.print(f"  {username} / {password} / {role}")
