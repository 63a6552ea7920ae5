"""Webhooks: subscribers of document events get signed JSON payloads, retried with exponential backoff.

Signature: ``X-Sohoa-Signature: sha256=HEX`` where HEX is HMAC-SHA256(secret, "{timestamp}.{body}") and
``X-Sohoa-Timestamp`` is the Unix time of the attempt. Payloads carry ids and links only, never content. A
webhook has the scope of an anonymous caller: it announces only events of documents the portal shows (public,
reviewed, never độ mật), checked when the event is queued and again before each attempt. A system that must
follow internal documents reads the events feed (``/api/v1/events``) with a token of the right scope.
Targets must be public addresses, checked at creation and at every attempt (see
:mod:`sohoa.services.sharing.webhook_targets`); an attempt whose target is refused is recorded as ``refused`` and
never retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Event, Webhook, WebhookDelivery
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.workflow import WebhookDeliveryState, transition
from sohoa.services.identity.policy import can_view_document
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.event_contract import EVENT_KINDS, EVENTS_SCHEMA_URL
from sohoa.services.sharing.webhook_targets import TargetPolicy, TargetRefused, check_target, pinned_post

__all__ = [
    "EVENTS",
    "MAX_ATTEMPTS",
    "DeliveryReport",
    "WebhookInfo",
    "WebhookStatus",
    "backoff",
    "create_webhook",
    "delete_webhook",
    "deliver_due",
    "delivery_task",
    "dispatch_events",
    "list_webhooks",
    "sign",
    "verify_signature",
    "webhook_statuses",
]

EVENTS: tuple[str, ...] = EVENT_KINDS
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
    refused: int = 0  # the target resolved to an address the policy refuses (e.g. rebound to 127.0.0.1)


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
    if not chosen or any(e not in EVENTS for e in chosen):
        raise ValidationFailed("Sự kiện không hợp lệ", f"Invalid events; events are {', '.join(EVENTS)}")
    check_target(url, TargetPolicy.of(ctx.settings))  # http(s) only; loopback, private, link-local…: refused
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


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC); the contract's times carry their offset.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _payload(event: Event) -> dict[str, object]:
    return {"event": event.action, "event_id": event.id, "at": _aware(event.at).isoformat(),
            "document_id": event.entity_id, "href": f"/api/v1/documents/{event.entity_id}",
            "schema": EVENTS_SCHEMA_URL}


def _advance(session: Session, hook: Webhook, top: int) -> bool:
    """Move the hook's high-water mark to ``top``; False when another dispatcher moved it first."""
    moved = session.execute(update(Webhook).where(Webhook.id == hook.id, Webhook.last_event_id == hook.last_event_id)
                            .values(last_event_id=top).execution_options(synchronize_session=False))
    return getattr(moved, "rowcount", 0) == 1


def dispatch_events(session: Session, now: datetime | None = None) -> int:
    """Queue a delivery (due at ``now``) for each new document event each active webhook subscribed to.

    Safe with several dispatchers (web app thread, cron): the high-water mark moves by a conditional
    update, so an event is queued once; events are read up to a fixed top so none is skipped.
    """
    due = now or datetime.now(UTC)
    queued = 0
    top = int(session.execute(select(func.max(Event.id))).scalar() or 0)
    for hook in session.execute(select(Webhook).where(Webhook.active.is_(True))).scalars().all():
        if hook.last_event_id >= top:
            continue
        events = session.execute(select(Event).where(
            Event.id > hook.last_event_id, Event.id <= top, Event.entity_type == "document",
            Event.action.in_(hook.events)).order_by(Event.id)).scalars().all()
        if not _advance(session, hook, top):
            continue
        for event in events:
            doc = session.get(Document, event.entity_id) if event.entity_id else None
            if doc is not None and can_view_document(session, None, doc):  # a webhook's scope: the public
                session.add(WebhookDelivery(webhook_id=hook.id, event_id=event.id, event=event.action,
                                            payload=_payload(event), next_try=due, attempts=0,
                                            state=WebhookDeliveryState.PENDING))
                queued += 1
    return queued


@dataclass(frozen=True)
class _Claimed:
    """A delivery this process took: what the HTTP attempt needs, outside any transaction."""

    id: int
    url: str
    secret: str
    event: str
    payload: dict[str, object]
    attempts: int


def _claim(session: Session, delivery: WebhookDelivery, moment: datetime) -> _Claimed | None:
    """Take a due delivery by counting its attempt up front (and scheduling the retry as if it failed):
    a second deliverer loses the conditional update, and a crash mid-attempt is retried after backoff."""
    attempts = delivery.attempts + 1
    taken = session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == delivery.id, WebhookDelivery.state == WebhookDeliveryState.PENDING,
        WebhookDelivery.attempts == delivery.attempts,
    ).values(attempts=attempts, next_try=moment + backoff(attempts)).execution_options(synchronize_session=False))
    if getattr(taken, "rowcount", 0) != 1:
        return None
    hook = session.get(Webhook, delivery.webhook_id)
    assert hook is not None
    return _Claimed(delivery.id, hook.url, hook.secret, delivery.event, dict(delivery.payload), attempts)


def _withheld(session: Session, delivery: WebhookDelivery) -> bool:
    """A document marked độ mật (or no longer public) after its event was queued is never announced."""
    doc_id = delivery.payload.get("document_id") if isinstance(delivery.payload, dict) else None
    doc = session.get(Document, doc_id) if isinstance(doc_id, int) else None
    return doc is not None and not can_view_document(session, None, doc)


def _due(ctx: AppContext, moment: datetime, limit: int) -> list[_Claimed]:
    claimed: list[_Claimed] = []
    with ctx.db.session() as session:
        rows = session.execute(select(WebhookDelivery).where(WebhookDelivery.state == WebhookDeliveryState.PENDING)
                               .order_by(WebhookDelivery.next_try, WebhookDelivery.id)).scalars().all()
        hooks_active = set(session.execute(select(Webhook.id).where(Webhook.active.is_(True))).scalars())
        for delivery in rows:
            if len(claimed) >= limit or _aware(delivery.next_try) > moment:
                continue
            if delivery.webhook_id not in hooks_active or _withheld(session, delivery):
                delivery.state = transition(delivery.state, WebhookDeliveryState.WITHHELD)
                continue
            got = _claim(session, delivery, moment)
            if got is not None:
                claimed.append(got)
    return claimed


def _attempt(policy: TargetPolicy, claim: _Claimed, timeout: float) -> tuple[int | None, str | None, bool]:
    """(HTTP status, error, refused): the target is checked again now and the connection pinned to it."""
    # Deliveries queued before the payload named its schema get the reference too (an additive v1 field).
    sent = {**claim.payload, "schema": EVENTS_SCHEMA_URL}
    body = json.dumps(sent, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Sohoa-Event": claim.event,
               "X-Sohoa-Delivery": str(claim.id), "X-Sohoa-Timestamp": stamp,
               "X-Sohoa-Signature": sign(claim.secret, stamp, body)}
    try:
        response = pinned_post(claim.url, policy, content=body, headers=headers, timeout=timeout)
    except TargetRefused as exc:
        return None, str(exc)[:500], True
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500], False
    return response.status_code, None if response.is_success else f"HTTP {response.status_code}", False


def _settle(ctx: AppContext, claim: _Claimed, outcome: tuple[int | None, str | None, bool], moment: datetime) -> str:
    """Record an attempt's outcome: 'delivered', 'pending' (retry already scheduled by the claim), 'failed',
    or 'refused' (the target is not allowed: nothing was sent, and nothing will be retried)."""
    status, error, refused = outcome
    with ctx.db.session() as session:
        delivery = session.get(WebhookDelivery, claim.id)
        assert delivery is not None
        delivery.last_status, delivery.last_error = status, error
        if refused:
            delivery.state = transition(delivery.state, WebhookDeliveryState.REFUSED)
        elif error is None:
            delivery.state = transition(delivery.state, WebhookDeliveryState.DELIVERED)
            delivery.delivered_at = moment
        elif claim.attempts >= MAX_ATTEMPTS:
            delivery.state = transition(delivery.state, WebhookDeliveryState.FAILED)
        return delivery.state


def deliver_due(ctx: AppContext, *, now: datetime | None = None, timeout: float = 5.0,
                limit: int = 200) -> DeliveryReport:
    """Dispatch new events, then try up to ``limit`` due deliveries; failures wait ``backoff(attempts)``.

    No transaction is open during an HTTP attempt: a slow subscriber never holds the database.
    """
    moment = now or datetime.now(UTC)
    with ctx.db.session() as session:
        dispatch_events(session, moment)
    counts = {"delivered": 0, "pending": 0, "failed": 0, "refused": 0}
    policy = TargetPolicy.of(ctx.settings)
    for claim in _due(ctx, moment, limit):
        counts[_settle(ctx, claim, _attempt(policy, claim, timeout), moment)] += 1
    return DeliveryReport(delivered=counts["delivered"], retrying=counts["pending"], failed=counts["failed"],
                          refused=counts["refused"])


def delivery_task(ctx: AppContext, *, interval: float = 15.0, timeout: float = 5.0,
                  clock: Callable[[], datetime] | None = None) -> PeriodicTask:
    """The background thread of the web app: ``deliver_due`` every ``interval`` seconds (not started)."""
    def run() -> None:
        deliver_due(ctx, now=clock() if clock else None, timeout=timeout)

    return PeriodicTask("sohoa-webhooks", run, interval)


@dataclass(frozen=True)
class WebhookStatus:
    """A subscription with its delivery counts by state and its latest error."""

    info: WebhookInfo
    counts: dict[str, int]
    last_error: str | None


def webhook_statuses(ctx: AppContext) -> list[WebhookStatus]:
    """Every webhook (active or not) with how its deliveries stand."""
    with ctx.db.session() as session:
        counts: dict[int, dict[str, int]] = {}
        for hook_id, state, n in session.execute(select(
                WebhookDelivery.webhook_id, WebhookDelivery.state, func.count()).group_by(
                WebhookDelivery.webhook_id, WebhookDelivery.state)).all():
            counts.setdefault(int(hook_id), {})[str(state)] = int(n)
        result = []
        for row in session.execute(select(Webhook).order_by(Webhook.id)).scalars():
            error = session.execute(select(WebhookDelivery.last_error).where(
                WebhookDelivery.webhook_id == row.id, WebhookDelivery.last_error.is_not(None))
                .order_by(WebhookDelivery.id.desc()).limit(1)).scalar()
            result.append(WebhookStatus(WebhookInfo(row.id, row.url, tuple(row.events), row.active),
                                        counts.get(row.id, {}), error))
        return result
