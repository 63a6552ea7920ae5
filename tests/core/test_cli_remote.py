"""`sohoa status`, `sohoa search` and `sohoa ingest` answered by a running server: the same output and exit
code as the command run locally, nothing heavy imported by the client, and every case the server must not
answer (help, usage errors, other settings, a stale socket, opting out) run locally instead.

The server side here is the control socket with the `cli` operation registered, as `sohoa serve` does,
over the test's own context and a warm pool (the client is a real `sohoa` process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from sohoa.cli.remote import register_cli
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.control import ControlServer
from sohoa.services.platform.warm_pool import WarmPool
from sohoa.settings import Settings
from tests.core._two_documents import add_two_documents
from tests.ingest._helpers import FONT

SOHOA = Path(sys.executable).with_name("sohoa")
HEAVY = ("sqlalchemy", "typer", "click", "pydantic", "pydantic_settings", "rich", "sohoa.settings", "sohoa.db",
         "sohoa.cli.main", "sohoa.cli.common", "sohoa.services.catalogue")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[AppContext, list[str]]]:
    """A context with two documents and a control server answering `cli` for it; the list logs answers."""
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    add_two_documents(ctx)
    answered: list[str] = []
    pool = WarmPool(ctx.settings).start()
    server = ControlServer(ctx.settings)
    register_cli(server, ctx, pool=lambda: pool, on_answer=answered.append)
    assert server.start()
    yield ctx, answered
    server.stop()
    pool.close()
    ctx.close()


def _run(ctx: AppContext, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ctx.settings.data.parent),
            "SOHOA_DATA": str(ctx.settings.data), "SOHOA_WORKERS": "1", "SOHOA_CLI_RESIDENT": "false", **env}
    return subprocess.run([str(SOHOA), *args], env=full, capture_output=True, text=True, timeout=300, cwd=cwd)


def _text_pdf(path: Path, title: str) -> Path:
    """A born-digital PDF (no OCR needed), Liberation Serif embedded."""
    pdfmetrics.registerFont(TTFont("LiberationSerif", FONT))
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.setFont("LiberationSerif", 12)
    lines = ["ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM", "Số: 12/QĐ-UBND", "Hoàn Kiếm, ngày 5 tháng 3 năm 2025",
             "QUYẾT ĐỊNH", title, "Điều 1. Phê duyệt kế hoạch hòa giải ở cơ sở trên địa bàn phường."]
    for n, line in enumerate(lines):
        pdf.drawString(72, 780 - 22 * n, line)
    pdf.save()
    return path


def _same(ctx: AppContext, answered: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``args`` through the server and locally; both must print the same and exit alike."""
    before = len(answered)
    remote = _run(ctx, *args)
    assert len(answered) == before + 1, remote.stderr  # the server answered it
    local = _run(ctx, *args, SOHOA_USE_RUNNING_SERVER="false")
    assert len(answered) == before + 1  # and the opt-out ran it here
    assert (remote.stdout, remote.stderr, remote.returncode) == (local.stdout, local.stderr, local.returncode)
    return remote


def test_status_and_search_answered_by_the_server_print_what_the_command_prints(
        served: tuple[AppContext, list[str]]) -> None:
    ctx, answered = served
    status = _same(ctx, answered, "status", "--json")
    assert json.loads(status.stdout)["documents"]
    _same(ctx, answered, "status")
    found = _same(ctx, answered, "search", "hoa giai", "--json")
    assert json.loads(found.stdout)["total"] == 2
    plain = _same(ctx, answered, "search", "hòa giải", "--limit", "1")
    assert plain.stdout.startswith("2 kết quả / results")


def test_errors_come_back_with_the_same_message_and_exit_code(served: tuple[AppContext, list[str]]) -> None:
    ctx, answered = served
    too_long = _same(ctx, answered, "search", "x" * 5000)
    assert too_long.returncode == 1 and "Lỗi / Error" in too_long.stderr


def test_help_usage_errors_and_other_databases_run_locally(served: tuple[AppContext, list[str]],
                                                             tmp_path: Path) -> None:
    ctx, answered = served
    for args in (["search", "--help"], ["status", "--no-such-option"], ["search"], ["show", "1"]):
        remote = _run(ctx, *args)
        local = _run(ctx, *args, SOHOA_USE_RUNNING_SERVER="false")
        assert (remote.stdout, remote.stderr, remote.returncode) == (local.stdout, local.stderr, local.returncode)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    elsewhere = _run(ctx, "status", "--json", SOHOA_DATABASE_URL=other)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout)["documents"] == {}  # the other (new, empty) database, read here
    assert answered == []  # none of these was answered by the server


def test_the_answered_client_imports_nothing_heavy(served: tuple[AppContext, list[str]]) -> None:
    ctx, answered = served
    script = ("import json, sys\nsys.argv = ['sohoa', 'status', '--json']\nfrom sohoa.cli.launch import main\n"
              "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
              "sys.stderr.write(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "SOHOA_DATA": str(ctx.settings.data)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert answered == ["status"]
    modules = set(json.loads(done.stderr))
    assert sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)) == []


def test_a_stale_socket_or_no_server_runs_locally(tmp_path: Path) -> None:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    try:
        run = ctx.settings.data / "run"
        run.mkdir(mode=0o700, exist_ok=True)
        plain = _run(ctx, "status", "--json")
        (run / "control.sock").write_bytes(b"")  # left behind: nobody listens
        stale = _run(ctx, "status", "--json")
        assert plain.returncode == stale.returncode == 0, stale.stderr
        assert plain.stdout == stale.stdout
    finally:
        ctx.close()


def test_ingest_is_run_by_the_server_with_its_warm_pool(served: tuple[AppContext, list[str]], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, answered = served
    monkeypatch.setenv("SOHOA_NOT_A_SETTING", "x")  # only the settings' variables are compared (make exports others)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _text_pdf(inbox / "qd12.pdf", "Về việc hòa giải ở cơ sở")
    done = _run(ctx, "ingest", "qd12.pdf", "--json", cwd=inbox)  # a path relative to the client's folder
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert answered == ["ingest"]
    assert report["pool"] == "running" and [i["state"] for i in report["items"]] == ["done"]
    again = _run(ctx, "ingest", str(inbox / "qd12.pdf"), "--json", "--local-pool")  # run here, by choice
    assert again.returncode == 0, again.stderr
    assert answered == ["ingest"]
    assert [i["state"] for i in json.loads(again.stdout)["items"]] == ["duplicate"]
    _text_pdf(inbox / "qd13.pdf", "Về việc tổ chức hội nghị")
    text = _run(ctx, "ingest", str(inbox / "qd13.pdf"))
    assert text.returncode == 0, text.stderr
    assert answered == ["ingest", "ingest"]
    assert "Ingest summary" in text.stdout and "pool: running" in text.stdout
    found = _run(ctx, "search", "tổ chức hội nghị", "--json")
    assert json.loads(found.stdout)["total"] >= 1


def test_ingest_with_other_settings_is_not_run_by_the_server(served: tuple[AppContext, list[str]],
                                                             tmp_path: Path) -> None:
    ctx, answered = served
    pdf = _text_pdf(tmp_path / "qd14.pdf", "Về việc khác")
    done = _run(ctx, "ingest", str(pdf), "--json", SOHOA_MIN_TEXT_CHARS_PER_PAGE="10")
    assert done.returncode == 0, done.stderr
    assert [i["state"] for i in json.loads(done.stdout)["items"]] == ["done"]
    assert answered == []  # another setting that shapes ingest: the client ran it (its pages may still be handed)
