"""Celery tasks beyond the happy path, on real processes: a task failing on an unreachable object store retries
and becomes a dead letter shown (and retried) on /staff/tasks; one `sohoa beat` schedules while another stands
by and takes over when it dies; an ingest over RabbitMQ (amqp://) on a vhost of its own."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Event, TaskBatchFile, TaskFailure
from sohoa.samples import generate_corpus
from sohoa.services.platform.context import open_context
from sohoa.services.platform.tasks import celery_app
from sohoa.services.platform.tasks.batches import enqueue_ingest, wait_batch
from sohoa.services.platform.tasks.client import sender
from sohoa.services.preservation.lease import lease_holder
from sohoa.settings import Settings
from tests.cluster import _celery as cel
from tests.web import _helpers as web


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("one")
    generate_corpus(folder, documents=1, seed=7, condition="clean300", multipage=False)
    return folder / "page_0001.png"


@pytest.fixture
def db14() -> Iterator[int]:
    cel.flush(14)
    yield 14
    cel.flush(14)


@pytest.mark.postgres
@pytest.mark.redis
def test_unreachable_store_retries_then_dead_letter_on_the_staff_page(tmp_path: Path, pg_url: str, db14: int,
                                                                      page: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, database_url=pg_url, broker_url=cel.redis_url(db14),
                        secret_key=cel.SECRET)
    ctx = open_context(settings)
    # The worker's object store (and so its staging area) is an S3 server nobody listens on.
    env = cel.environment(tmp_path / "data", pg_url, cel.redis_url(db14), SOHOA_STORAGE_URL="s3://nowhere",
                          SOHOA_S3_ENDPOINT="http://127.0.0.1:9", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y",
                          AWS_DEFAULT_REGION="us-east-1", SOHOA_TASK_MAX_RETRIES="1")
    try:
        with cel.worker(env, tmp_path / "worker.log") as proc:
            batch = enqueue_ingest(ctx, sender(settings), [page], actor="cli")
            report = wait_batch(ctx, batch, timeout=180)
            assert "Retry in" in proc.text() or "retry" in proc.text().lower()
        assert [(i.state, i.reason) for i in report.items] == [("failed", "task_dead")]
        with ctx.db.session() as session:
            dead = session.execute(select(TaskFailure)).scalar_one()
            assert (dead.task_name, dead.state, dead.attempts) == ("sohoa.ingest_file", "dead", 2)
            assert "EndpointConnectionError" in dead.error or "127.0.0.1:9" in dead.error
            assert dead.payload == {"args": [batch, 0], "kwargs": {}}
        web.users(ctx)
        client = TestClient(create_app(ctx, watch_hot_folders=False))
        token = web.login(client, "admin")
        shown = client.get("/staff/tasks")
        assert shown.status_code == 200 and "sohoa.ingest_file" in shown.text and batch in shown.text
        retried = client.post(f"/staff/tasks/{dead.id}/retry", data={"csrf_token": token}, follow_redirects=False)
        assert retried.status_code == 303
        again = client.post(f"/staff/tasks/{dead.id}/discard", data={"csrf_token": token}, follow_redirects=False)
        assert again.status_code >= 400  # handled already
        with ctx.db.session() as session:
            assert session.execute(select(TaskFailure.state, TaskFailure.handled_by)).one() == ("retried", "admin")
            row = session.execute(select(TaskBatchFile)).scalar_one()
            assert (row.state, row.report) == ("queued", None)  # queued again for the task sent again
            actions = set(session.execute(select(Event.action)).scalars())
        assert {"task.dead", "task.retry"} <= actions
        archivist = TestClient(create_app(ctx, watch_hot_folders=False))
        web.login(archivist, "archivist")
        assert archivist.get("/staff/tasks").status_code == 403
    finally:
        ctx.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_one_beat_schedules_the_other_stands_by_and_takes_over(tmp_path: Path, pg_url: str) -> None:
    cel.flush(15)
    env = cel.environment(tmp_path / "data", pg_url, cel.redis_url(15))
    ctx = open_context(Settings(data=tmp_path / "data", workers=1, database_url=pg_url))
    first = cel.Proc(["beat"], env, tmp_path / "beat1.log")
    try:
        first.wait_for("scheduling as")
        second = cel.Proc(["beat"], env, tmp_path / "beat2.log")
        try:
            second.wait_for("standing by")
            holder = lease_holder(ctx, "celery-beat")
            assert holder is not None and f":{first.popen.pid}:" in holder
            assert "scheduling as" not in second.text()
            first.kill9()
            second.wait_for("scheduling as", timeout=60)  # the dead beat's lease is taken over
            holder = lease_holder(ctx, "celery-beat")
            assert holder is not None and f":{second.popen.pid}:" in holder
        finally:
            second.stop()
    finally:
        first.stop()
        ctx.close()
        cel.flush(15)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.tesseract
def test_ingest_over_rabbitmq(tmp_path: Path, pg_url: str, page: Path) -> None:
    vhost = f"sohoa-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    try:
        subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                       capture_output=True)
        env = cel.environment(tmp_path / "data", pg_url, f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
        with cel.worker(env, tmp_path / "worker.log"):
            started = time.monotonic()
            code, report = cel.sohoa_json(["ingest", str(page), "--wait"], env)
            # A periodic pass as `sohoa beat` sends it, its result in the default backend (PostgreSQL for amqp://).
            app = celery_app(Settings(data=tmp_path / "data", database_url=pg_url, broker_url=env["SOHOA_BROKER_URL"]))
            assert app.send_task("sohoa.periodic.webhooks").get(timeout=120) == "done"
        assert code == 0, report
        assert [(i["name"], i["state"], len(i["documents"])) for i in report["items"]] == [("page_0001.png", "done", 1)]
        assert report["seconds"] <= time.monotonic() - started
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False, capture_output=True)


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_cluster_commands_need_a_broker(tmp_path: Path, command: str) -> None:
    env = {k: v for k, v in cel.environment(tmp_path / "data", "", "").items() if k not in (
        "SOHOA_BROKER_URL", "SOHOA_DATABASE_URL")}
    done = subprocess.run([cel.SOHOA, command], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "SOHOA_BROKER_URL" in done.stderr and "cấu hình cụm" in done.stderr and "cluster profile" in done.stderr
