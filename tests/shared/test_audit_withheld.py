"""The network's audit viewer and export keep an event about a độ mật document, not its payload."""

from __future__ import annotations

from sohoa.services.catalogue.audit_view import AuditFilter, export_events, list_audit_events
from sohoa.services.identity.withheld import WITHHELD
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

from .world import World


def test_secret_payloads_are_withheld_from_the_network_only(ctx: AppContext, fresh_world: World) -> None:
    public = fresh_world.docs[("own", "public")]
    with ctx.db.session() as session:
        record_event(session, "u_archivist", "document.update", "document", fresh_world.marked_secret,
                     {"before": {"subject": "bí mật"}})
        record_event(session, "u_archivist", "document.update", "document", public,
                     {"before": {"subject": "công khai"}})
    filt = AuditFilter(action="document.update")
    shown, _ = list_audit_events(ctx, filt, withhold_secret=True)
    payloads = {row.entity_id: row.payload for row in shown}
    assert payloads[fresh_world.marked_secret] == WITHHELD
    assert payloads[public] == {"before": {"subject": "công khai"}}
    local, _ = list_audit_events(ctx, filt)
    assert {row.entity_id: row.payload for row in local}[fresh_world.marked_secret] == {"before": {"subject": "bí mật"}}
    content, _media, _name = export_events(ctx, filt, "csv", withhold_secret=True)
    text = content.decode("utf-8-sig") if content.startswith(b"\xef\xbb\xbf") else content.decode("utf-8")
    assert "công khai" in text and "bí mật" not in text
