"""Webhook targets: loopback, private, link-local and reserved addresses are refused at creation and at
delivery (DNS rebinding), unless the operator allows them; the connection goes to the address checked."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sohoa.app import create_app
from sohoa.db.models import Webhook, WebhookDelivery
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.webhook_targets import TargetRefused, is_public
from sohoa.services.sharing.webhooks import create_webhook, deliver_due
from tests.shared._webhook_receiver import serve_receiver
from tests.shared.world import build_world

PUBLIC = "93.184.216.34"
REFUSED_URLS = (
    "http://127.0.0.1:9/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.1.1/hook",
    "http://172.16.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://2130706433/hook",          # 127.0.0.1 written as one number
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[64:ff9b::a00:1]/hook",    # NAT64 of 10.0.0.1
    "http://intranet.example/hook",    # resolves to a private address
    "http://mixed.example/hook",       # one public and one private address
    "ftp://hooks.example.org/hook",
    "http://user:pw@hooks.example.org/hook",
)


class FakeDns:
    """socket.getaddrinfo with some names answered from a table (which may change between calls)."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.table: dict[str, list[str]] = {"hooks.example.org": [PUBLIC], "intranet.example": ["192.168.10.5"],
                                            "mixed.example": [PUBLIC, "10.0.0.7"]}
        self.lookups: list[str] = []

    def __call__(self, host: object, port: object, *args: object, **kwargs: object) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self.table:
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(name)
        number = int(str(port or 0))
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, number, 0, 0)) if ":" in a
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, number)) for a in self.table[name]]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDns]:
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake


def _hooks(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(Webhook)).scalar_one())


def test_address_classes() -> None:
    for text in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "255.255.255.255",
                 "224.0.0.1", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1", "::ffff:10.0.0.1",
                 "2002:7f00:1::1", "64:ff9b::7f00:1", "2001:db8::1"):
        assert not is_public(ipaddress.ip_address(text)), text
    for text in (PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert is_public(ipaddress.ip_address(text)), text


def test_private_targets_are_refused_at_creation(any_ctx: AppContext, dns: FakeDns) -> None:
    for url in REFUSED_URLS:
        with pytest.raises(TargetRefused) as refused:
            create_webhook(any_ctx, url, ["document.publish"], "admin")
        assert "Webhook target refused" in refused.value.en and "Địa chỉ webhook bị từ chối" in refused.value.vi
    assert _hooks(any_ctx) == 0
    create_webhook(any_ctx, "https://hooks.example.org/in", ["document.publish"], "admin")
    assert _hooks(any_ctx) == 1


def test_the_api_refuses_a_loopback_target(any_ctx: AppContext) -> None:
    token, _ = create_token(any_ctx, "ops", ["admin"])
    client = TestClient(create_app(any_ctx, watch_hot_folders=False))
    made = client.post("/api/v1/webhooks", json={"url": "http://[::1]:8000/x", "events": ["document.publish"]},
                       headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 400 and "Webhook target refused" in made.json()["detail"]
    assert _hooks(any_ctx) == 0


def test_an_operator_allows_networks_explicitly(any_ctx: AppContext, dns: FakeDns) -> None:
    any_ctx.settings = any_ctx.settings.model_copy(update={"webhook_allowed_networks": "10.0.0.0/8, 192.168.10.0/24"})
    create_webhook(any_ctx, "http://10.1.2.3/hook", ["document.publish"], "admin")
    create_webhook(any_ctx, "http://intranet.example/hook", ["document.publish"], "admin")
    with pytest.raises(TargetRefused):
        create_webhook(any_ctx, "http://127.0.0.1/hook", ["document.publish"], "admin")
    any_ctx.settings = any_ctx.settings.model_copy(update={"webhook_allow_private": True})
    create_webhook(any_ctx, "http://127.0.0.1/hook", ["document.publish"], "admin")
    assert _hooks(any_ctx) == 3


def _publish_one(ctx: AppContext) -> None:
    world = build_world(ctx)
    with ctx.db.session() as session:
        record_event(session, "u_qc", "document.publish", "document", world.docs[("own", "public")], {})


def test_rebinding_to_loopback_is_refused_at_delivery(any_ctx: AppContext, dns: FakeDns) -> None:
    with serve_receiver() as (url, receiver):
        port = url.split(":")[2].split("/")[0]
        dns.table["rebind.example"] = [PUBLIC]  # public when the webhook is created…
        create_webhook(any_ctx, f"http://rebind.example:{port}/hook", ["document.publish"], "admin")
        _publish_one(any_ctx)
        dns.table["rebind.example"] = ["127.0.0.1"]  # …loopback, where a receiver listens, when it is called
        moment = datetime.now(UTC)
        report = deliver_due(any_ctx, now=moment, timeout=2.0)
        assert (report.delivered, report.retrying, report.failed, report.refused) == (0, 0, 0, 1)
        assert deliver_due(any_ctx, now=moment + timedelta(hours=7), timeout=2.0).refused == 0  # never retried
        assert receiver.attempts == 0  # no connection reached the loopback receiver
    with any_ctx.db.session() as session:
        row = session.execute(select(WebhookDelivery)).scalar_one()
        assert row.state == "refused" and row.attempts == 1 and "127.0.0.1" in (row.last_error or "")


def test_delivery_connects_to_the_address_it_checked(any_ctx: AppContext, dns: FakeDns) -> None:
    any_ctx.settings = any_ctx.settings.model_copy(update={"webhook_allowed_networks": "127.0.0.0/8"})
    with serve_receiver() as (url, receiver):
        port = url.split(":")[2].split("/")[0]
        dns.table["pinned.example"] = ["127.0.0.1"]
        create_webhook(any_ctx, f"http://pinned.example:{port}/hook", ["document.publish"], "admin")
        _publish_one(any_ctx)
        dns.lookups.clear()
        assert deliver_due(any_ctx, timeout=2.0).delivered == 1
    assert dns.lookups == ["pinned.example"]  # one resolution, checked, then connected to: no second look-up
    headers, _ = receiver.received[0]
    assert headers["host"] == f"pinned.example:{port}"
