"""`sohoa export-catalogue`: the catalogue of a file or a unit as edXML envelopes or TT 02/2019 CSV, audited."""

from __future__ import annotations

from sohoa.domain.codes import Role
from sohoa.domain.errors import ValidationFailed
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.catalogue_export import collect_records, csv_tt02, record_export
from sohoa.services.sharing.edxml import edxml_catalogue

__all__ = ["FORMATS", "export_catalogue"]

FORMATS: tuple[str, ...] = ("edxml", "csv-tt02")
# Every non-secret record of every unit, as an archivist reads them: never the local operator (who reads độ mật).
_ARCHIVE_EXPORT = Principal(user_id=0, username="export", role=Role.ARCHIVIST.value)


def export_catalogue(ctx: AppContext, fmt: str, *, file_code: str | None = None, unit: str | None = None,
                     internal: bool = False, actor: str = "system") -> bytes:
    """The export's bytes. Public records only unless ``internal`` (then every record but độ mật)."""
    if fmt not in FORMATS:
        raise ValidationFailed(f"Định dạng không hỗ trợ: {fmt}", f"Unsupported format {fmt}; use {', '.join(FORMATS)}")
    records = collect_records(ctx, _ARCHIVE_EXPORT if internal else None, file_code=file_code, unit=unit)
    scope, target = ("file", file_code) if file_code is not None else ("unit", unit or "")
    if fmt == "edxml":
        body = edxml_catalogue(records, scope=scope, target=target, ns=ctx.settings.edxml_namespace)
    else:
        body = csv_tt02(records, ctx.settings.archive_identifier)
    record_export(ctx, actor, fmt, records, {scope: target, "audience": "internal" if internal else "public"})
    return body
