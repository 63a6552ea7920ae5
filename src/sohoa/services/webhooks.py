"""Webhooks: subscribers of document events get signed JSON payloads, retried with exponential backoff.

Signature: ``X-Sohoa-Signature: sha256=HEX`` where HEX is HMAC-SHA256(secret, "{timestamp}.{body}") and
``X-Sohoa-Timestamp`` is the Unix time of the attempt. Payloads carry ids and links only, never content, and
never anything about độ mật documents: the subscriber reads the document with its own token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.access.policy import is_secret
from sohoa.db.models import Document, Event, Webhook, WebhookDelivery
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.audit import record_event
from sohoa.services.context import AppContext

__all__ = [
    "EVENTS",
    "MAX_ATTEMPTS",
    "DeliveryReport",
    "WebhookInfo",
    "backoff",
    "create_webhook",
    "delete_webhook",
    "deliver_due",
    "dispatch_events",
    "list_webhooks",
    "sign",
    "verify_signature",
]

EVENTS: tuple[str, ...] = ("document.create", "document.publish", "document.update", "access.change")
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class WebhookInfo:
    id: int
    url: str
    events: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    retrying: int
    failed: int


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a subscriber checks (constant time)."""
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 6 h."""
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 6 * 3600))


def create_webhook(ctx: AppContext, url: str, events: Iterable[str], actor: str) -> tuple[WebhookInfo, str]:
    """A new subscription (starting from now) and its signing secret, shown once."""
    chosen = sorted(set(events))
    if not url.startswith(("http://", "https://")) or not chosen or any(e not in EVENTS for e in chosen):
        raise ValidationFailed("Địa chỉ hoặc sự kiện không hợp lệ",
                               f"Invalid URL or events; events are {', '.join(EVENTS)}")
    secret = secrets.token_urlsafe(32)
    with ctx.db.session() as session:
        last = session.execute(select(func.max(Event.id))).scalar() or 0
        row = Webhook(url=url, secret=secret, events=chosen, created_by=actor, last_event_id=int(last))
        session.add(row)
        session.flush()
        record_event(session, actor, "webhook.create", "webhook", row.id, {"url": url, "events": chosen})
        return WebhookInfo(row.id, url, tuple(chosen), True), secret


def list_webhooks(ctx: AppContext) -> list[WebhookInfo]:
    with ctx.db.session() as session:
        rows = session.execute(select(Webhook).order_by(Webhook.id)).scalars()
        return [WebhookInfo(r.id, r.url, tuple(r.events), r.active) for r in rows]


def delete_webhook(ctx: AppContext, webhook_id: int, actor: str) -> None:
    """Deactivate a subscription (its delivery history stays)."""
    with ctx.db.session() as session:
        row = session.get(Webhook, webhook_id)
        if row is None or not row.active:
            raise NotFound(f"Không có webhook số {webhook_id}", f"No webhook {webhook_id}")
        row.active = False
        record_event(session, actor, "webhook.delete", "webhook", row.id, {"url": row.url})


def _payload(event: Event) -> dict[str, object]:
    return {"event": event.action, "event_id": event.id, "at": event.at.isoformat(),
            "document_id": event.entity_id, "href": f"/api/v1/documents/{event.entity_id}"}


def dispatch_events(session: Session, now: datetime | None = None) -> int:
    """Queue a delivery (due at ``now``) for each new document event each active webhook subscribed to."""
    due = now or datetime.now(UTC)
    queued = 0
    for hook in session.execute(select(Webhook).where(Webhook.active.is_(True))).scalars():
        events = session.execute(select(Event).where(
            Event.id > hook.last_event_id, Event.entity_type == "document", Event.action.in_(hook.events)
        ).order_by(Event.id)).scalars().all()
        for event in events:
            doc = session.get(Document, event.entity_id) if event.entity_id else None
            if doc is not None and not is_secret(doc):
                session.add(WebhookDelivery(webhook_id=hook.id, event_id=event.id, event=event.action,
                                            payload=_payload(event), next_try=due))
                queued += 1
        last = session.execute(select(func.max(Event.id))).scalar() or hook.last_event_id
        hook.last_event_id = int(last)
    return queued


def _attempt(client: httpx.Client, hook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Sohoa-Event": delivery.event,
               "X-Sohoa-Delivery": str(delivery.id), "X-Sohoa-Timestamp": stamp,
               "X-Sohoa-Signature": sign(hook.secret, stamp, body)}
    try:
        response = client.post(hook.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return response.status_code, None if response.is_success else f"HTTP {response.status_code}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _try(client: httpx.Client, hook: Webhook, delivery: WebhookDelivery, moment: datetime) -> str:
    """One attempt; the delivery's new state name ('delivered', 'pending' to retry, or 'failed')."""
    status, error = _attempt(client, hook, delivery)
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = status, error
    if error is None:
        delivery.state, delivery.delivered_at = "delivered", moment
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = "failed"
    else:
        delivery.next_try = moment + backoff(delivery.attempts)
    return delivery.state


def deliver_due(ctx: AppContext, *, now: datetime | None = None, timeout: float = 5.0) -> DeliveryReport:
    """Dispatch new events, then try every delivery that is due; failures wait ``backoff(attempts)``."""
    moment = now or datetime.now(UTC)
    counts = {"delivered": 0, "pending": 0, "failed": 0}
    with ctx.db.session() as session, httpx.Client(timeout=timeout, follow_redirects=False) as client:
        dispatch_events(session, moment)
        session.flush()
        due = session.execute(select(WebhookDelivery).where(WebhookDelivery.state == "pending")
                              .order_by(WebhookDelivery.id)).scalars().all()
        for delivery in due:
            if _aware(delivery.next_try) > moment:
                continue
            hook = session.get(Webhook, delivery.webhook_id)
            assert hook is not None
            counts[_try(client, hook, delivery, moment)] += 1
    return DeliveryReport(delivered=counts["delivered"], retrying=counts["pending"], failed=counts["failed"])
