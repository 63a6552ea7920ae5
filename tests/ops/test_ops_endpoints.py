"""/healthz, /readyz and /metrics: answers, failing checks (503), who may read the metrics, values that move."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sohoa.app import create_app
from sohoa.http.rules import route_rules
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests.ingest._helpers import text_page
from tests.web import _helpers as helpers

SECRET = "Pw-not-in-answers-9f2"


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as test_client:
        yield test_client


def _metric(body: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", body, re.MULTILINE)
    assert found, (name, labels)
    return float(found.group(1))


def test_the_probes_are_declared_and_need_nobody(ctx: AppContext) -> None:
    rules = route_rules(create_app(ctx, watch_hot_folders=False))
    for path in ("/healthz", "/readyz", "/metrics"):
        rule = rules[(path, "GET")]
        assert rule is not None and rule.is_public, path


def test_healthz_answers_with_a_request_id(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert client.get("/healthz", headers={"X-Request-ID": "lb-42.a"}).headers["x-request-id"] == "lb-42.a"
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id <script>" + "x" * 200}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)
    assert client.post("/healthz").status_code in (403, 405)


def test_readyz_ready(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": [{"name": "database", "ok": True},
                                                          {"name": "objects", "ok": True}]}


def test_readyz_unreachable_broker_is_503_without_its_password(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, broker_url=f"redis://:{SECRET}@127.0.0.1:1/0")
    context = open_context(settings)
    try:
        with TestClient(create_app(context, watch_hot_folders=False), raise_server_exceptions=False) as client:
            response = client.get("/readyz")
            assert client.get("/healthz").status_code == 200  # liveness does not depend on the broker
    finally:
        context.close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    checks = {c["name"]: c for c in body["checks"]}
    assert checks["database"]["ok"] and checks["objects"]["ok"] and not checks["broker"]["ok"]
    assert "broker" in checks["broker"]["reason"] and " / " in checks["broker"]["reason"]  # vi / en
    assert SECRET not in response.text and "127.0.0.1" not in response.text


def test_readyz_schema_behind_and_store_down(ctx: AppContext, client: TestClient, monkeypatch: Any) -> None:
    with ctx.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    database = response.json()["checks"][0]
    assert database["name"] == "database" and not database["ok"] and "sohoa init" in database["reason"]

    def unreachable(sha256: str) -> bool:
        raise ConnectionError("store host down")

    monkeypatch.setattr(ctx.store, "exists", unreachable)
    objects = client.get("/readyz").json()["checks"][1]
    assert objects["name"] == "objects" and not objects["ok"] and "ConnectionError" in objects["reason"]


def test_metrics_refused_without_scope_or_network(ctx: AppContext, client: TestClient) -> None:
    reader, _ = create_token(ctx, "reader", ["read:public"])
    scraper, _ = create_token(ctx, "prometheus", ["metrics:read"])
    assert client.get("/metrics").status_code == 401  # the test client is no address inside 127.0.0.1/32
    assert client.get("/metrics", headers={"Authorization": "Bearer sohoa_wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {scraper}"})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
    assert "sohoa_pages " in ok.text


def test_metrics_by_network(ctx: AppContext) -> None:
    app = create_app(ctx, watch_hot_folders=False)
    with TestClient(app, client=("127.0.0.1", 5000)) as local, TestClient(app, client=("10.0.0.9", 5000)) as far:
        assert local.get("/metrics").status_code == 200
        assert far.get("/metrics").status_code == 401
    ctx.settings = ctx.settings.model_copy(update={"metrics_allow": "10.0.0.0/8"})
    with TestClient(app, client=("127.0.0.1", 5000)) as local, TestClient(app, client=("10.0.0.9", 5000)) as far:
        assert far.get("/metrics").status_code == 200
        assert local.get("/metrics").status_code == 401


def test_metrics_names_and_values_move_after_an_ingest(ctx: AppContext, tmp_path: Path) -> None:
    app = create_app(ctx, watch_hot_folders=False)
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        before = local.get("/metrics").text
        for name in ("sohoa_pages", "sohoa_pages_per_minute", "sohoa_fixity_failures", "sohoa_audit_events",
                     "sohoa_task_failures"):
            assert _metric(before, name) >= 0
        assert _metric(before, "sohoa_pages") == 0
        assert _metric(before, "sohoa_ingest_items", '{state="done"}') == 0
        helpers.unit(ctx)
        report: Any = helpers.fake_ingest(ctx, [text_page(tmp_path / "p.png", ["Quyết định về việc hòa giải"])],
                                          unit_identifier="000.00.00.H26.T1")
        assert [i.state for i in report.items] == ["done"]
        assert local.get("/search?q=x").status_code in (200, 303)  # counted by route template
        after = local.get("/metrics").text
    assert _metric(after, "sohoa_pages") == 1
    assert _metric(after, "sohoa_ingest_items", '{state="done"}') == 1
    assert _metric(after, "sohoa_pages_per_minute") > 0
    assert _metric(after, "sohoa_audit_events") > _metric(before, "sohoa_audit_events")
    assert _metric(after, "sohoa_http_requests_total", '{method="GET",route="/metrics",status="200"}') >= 1
    assert 'route="/search"' in after and "sohoa_http_request_seconds_bucket" in after
    assert "sohoa_queue_depth" not in after  # no broker: no queues


def test_search_latency_is_observed(ctx: AppContext) -> None:
    from sohoa.services.catalogue.search import SearchRequest, search
    from sohoa.services.platform.metrics import SEARCH_SECONDS

    def count() -> float:
        return sum(s.value for m in SEARCH_SECONDS.collect() for s in m.samples
                   if s.name.endswith("_count") and s.labels.get("channel") == "api")

    before = count()
    search(ctx, None, SearchRequest("hòa giải"), audit=False, channel="api")
    assert count() == before + 1


@pytest.mark.postgres
def test_metrics_and_readyz_on_postgres(pg_ctx: AppContext) -> None:
    app = create_app(pg_ctx, watch_hot_folders=False)
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        assert local.get("/readyz").status_code == 200
        body = local.get("/metrics").text
    assert _metric(body, "sohoa_ingest_items", '{state="failed"}') == 0
    assert _metric(body, "sohoa_task_failures") == 0


def test_metrics_behind_the_proxy_judge_the_real_client(ctx: AppContext) -> None:
    """As `sohoa serve` runs behind nginx (uvicorn's proxy headers, SOHOA_FORWARDED_ALLOW_IPS=127.0.0.1): a scrape
    the proxy forwards from outside is refused although it arrives from 127.0.0.1; one from the allowed monitoring
    host is served; an outsider cannot name an address himself."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    ctx.settings = ctx.settings.model_copy(update={"metrics_allow": "127.0.0.1/32,10.0.0.30/32"})
    proxied = ProxyHeadersMiddleware(create_app(ctx, watch_hot_folders=False), trusted_hosts="127.0.0.1")
    with TestClient(proxied, client=("127.0.0.1", 5000)) as nginx, \
            TestClient(proxied, client=("198.51.100.7", 5000)) as outsider:
        assert nginx.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 401
        assert nginx.get("/metrics", headers={"X-Forwarded-For": "10.0.0.30"}).status_code == 200
        assert nginx.get("/metrics").status_code == 200  # the web host itself
        assert outsider.get("/metrics", headers={"X-Forwarded-For": "10.0.0.30"}).status_code == 401
