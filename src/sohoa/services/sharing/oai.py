"""OAI-PMH 2.0 (the six verbs) over the documents a caller may see: anonymous callers see what the public
sees, an API token what its scope sees (the one access policy); personal data in the metadata is masked unless
the token has the personal:read scope (then each record shown is audited as ``personal.view``). Records,
datestamps and deleted records come from ``oai_records`` (sohoa.services.sharing.oai_records); metadata formats
from ``oai_metadata``.

Identifiers are ``oai:<SOHOA_OAI_REPOSITORY_ID>:doc/<document id>``; deletedRecord is ``persistent``.
Each request is one audit event (``oai.request``), whatever it returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import OaiRecord
from sohoa.services.catalogue.personal_masking import audit_personal_views, maskings_for
from sohoa.services.identity.policy import DocumentScope, document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.oai_args import (
    ListArgs,
    OaiError,
    Position,
    check_args,
    decode_token,
    encode_token,
    format_datestamp,
    list_args,
)
from sohoa.services.sharing.oai_metadata import FORMATS, Where, clean_text, format_named
from sohoa.services.sharing.oai_records import in_view, load_documents, reconcile

__all__ = ["OaiCaller", "answer"]

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_O = f"{{{OAI_NS}}}"
_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"


@dataclass(frozen=True)
class OaiCaller:
    """Who harvests: the policy's principal (None: anonymous), a stable key for tokens, the audit actor."""

    principal: Principal | None
    key: str
    actor: str


@dataclass(frozen=True)
class _Request:
    ctx: AppContext
    caller: OaiCaller
    scope: DocumentScope
    where: Where
    now: datetime

    @property
    def repository(self) -> str:
        return self.ctx.settings.oai_repository_id


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A child element; text and attributes (echoed arguments among them) stripped of what XML forbids."""
    node = etree.SubElement(parent, _O + tag, {k: clean_text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = clean_text(text)
    return node


def _envelope(base_url: str, now: datetime, echo: Mapping[str, str]) -> etree._Element:
    root = etree.Element(_O + "OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _el(root, "responseDate", format_datestamp(now))
    _el(root, "request", f"{base_url}/oai", **echo)
    return root


# --- identifiers and visibility ----------------------------------------------------------------------

def _oai_id(req: _Request, doc_id: int) -> str:
    return f"oai:{req.repository}:doc/{doc_id}"


def _doc_id(req: _Request, identifier: str) -> int:
    prefix = f"oai:{req.repository}:doc/"
    tail = identifier[len(prefix):] if identifier.startswith(prefix) else ""
    if not tail.isdigit() or not tail.isascii() or len(tail) > 9:  # document ids are 32-bit integers
        raise OaiError("idDoesNotExist", f"không có bản ghi / no record with identifier {identifier}")
    return int(tail)


def _candidates(scope: DocumentScope) -> ColumnElement[bool]:
    """Rows the caller was ever offered: records once public, and those of its units or granted files."""
    if scope.unit_ids is None:
        return OaiRecord.offered.is_(True)
    conditions: list[ColumnElement[bool]] = [OaiRecord.ever_public.is_(True)]
    if scope.unit_ids:
        conditions.append(OaiRecord.last_unit_id.in_(sorted(scope.unit_ids)))
    if scope.grant_file_ids:
        conditions.append(OaiRecord.last_file_id.in_(sorted(scope.grant_file_ids)))
    return or_(*conditions)


def _is_candidate(scope: DocumentScope, row: OaiRecord) -> bool:
    if scope.unit_ids is None:
        return bool(row.offered)
    return bool(row.ever_public or row.last_unit_id in scope.unit_ids or row.last_file_id in scope.grant_file_ids)


# --- headers and records -----------------------------------------------------------------------------

def _header(parent: etree._Element, req: _Request, row: OaiRecord, deleted: bool) -> None:
    header = _el(parent, "header", **({"status": "deleted"} if deleted else {}))
    _el(header, "identifier", _oai_id(req, row.document_id))
    _el(header, "datestamp", format_datestamp(row.datestamp))
    for spec in (row.unit_spec, row.fonds_spec, row.type_spec):
        if spec:
            _el(header, "setSpec", spec)


def _write_rows(session: Session, req: _Request, parent: etree._Element, rows: Sequence[OaiRecord],
                prefix: str, with_metadata: bool) -> None:
    docs = load_documents(session, [r.document_id for r in rows])
    fmt = format_named(prefix)
    assert fmt is not None
    live_docs = [d.doc for d in docs.values() if in_view(req.scope, d.doc)] if with_metadata else []
    maskings = maskings_for(session, live_docs, req.caller.principal)
    audit_personal_views(session, req.caller.principal, [d for d, m in maskings.items() if m is None], "oai")
    for row in rows:
        loaded = docs.get(row.document_id)
        live = loaded is not None and in_view(req.scope, loaded.doc)
        if not with_metadata:
            _header(parent, req, row, deleted=not live)
            continue
        record = _el(parent, "record")
        _header(record, req, row, deleted=not live)
        if live and loaded is not None:
            masking = maskings.get(row.document_id)
            shown = loaded.record if masking is None else replace(
                loaded.record, subject=masking.optional_text(loaded.record.subject),
                file_title=masking.optional_text(loaded.record.file_title))
            _el(record, "metadata").append(fmt.build(shown, _oai_id(req, row.document_id), req.where))


# --- the verbs ---------------------------------------------------------------------------------------

def _identify(session: Session, req: _Request, root: etree._Element) -> None:
    earliest = session.scalar(select(func.min(OaiRecord.datestamp)).where(_candidates(req.scope)))
    node = _el(root, "Identify")
    _el(node, "repositoryName", req.ctx.settings.copy_agency)
    _el(node, "baseURL", f"{req.where.base_url}/oai")
    _el(node, "protocolVersion", "2.0")
    _el(node, "adminEmail", req.ctx.settings.oai_admin_email)
    _el(node, "earliestDatestamp", format_datestamp(earliest or req.now))
    _el(node, "deletedRecord", "persistent")
    _el(node, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    about = etree.SubElement(_el(node, "description"), f"{{{_ID_NS}}}oai-identifier", nsmap={None: _ID_NS})
    about.set(f"{{{XSI_NS}}}schemaLocation", f"{_ID_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    for tag, value in (("scheme", "oai"), ("repositoryIdentifier", req.repository), ("delimiter", ":"),
                       ("sampleIdentifier", _oai_id(req, 1))):
        etree.SubElement(about, f"{{{_ID_NS}}}{tag}").text = value


def _one_row(session: Session, req: _Request, identifier: str) -> tuple[OaiRecord, bool]:
    """The record behind an identifier and whether it is live, or ``idDoesNotExist`` (also for records the
    caller was never offered: their existence is not told)."""
    doc_id = _doc_id(req, identifier)
    reconcile(req.ctx, [doc_id])
    row = session.get(OaiRecord, doc_id)
    loaded = load_documents(session, [doc_id]).get(doc_id)
    live = loaded is not None and in_view(req.scope, loaded.doc)
    if row is None or not (live or _is_candidate(req.scope, row)):
        raise OaiError("idDoesNotExist", f"không có bản ghi / no record with identifier {identifier}")
    return row, live


def _list_formats(session: Session, req: _Request, root: etree._Element, given: Mapping[str, str]) -> None:
    if "identifier" in given:
        _, live = _one_row(session, req, given["identifier"])
        if not live:
            raise OaiError("noMetadataFormats", "bản ghi đã xóa không có siêu dữ liệu / a deleted record has none")
    node = _el(root, "ListMetadataFormats")
    for fmt in FORMATS:
        item = _el(node, "metadataFormat")
        _el(item, "metadataPrefix", fmt.prefix)
        _el(item, "schema", f"{req.where.base_url}{fmt.schema}" if fmt.schema.startswith("/") else fmt.schema)
        _el(item, "metadataNamespace", fmt.namespace)


_SET_ROOTS = {"unit": "Cơ quan, đơn vị / Units", "fonds": "Phông lưu trữ / Fonds",
              "type": "Loại văn bản / Document types"}


def _set_rows(session: Session, req: _Request) -> list[tuple[int, tuple[tuple[str, str], ...]]]:
    """(document id, its (setSpec, setName) pairs) of every row the caller may have been offered."""
    stmt = (select(OaiRecord.document_id, OaiRecord.unit_spec, OaiRecord.unit_name, OaiRecord.fonds_spec,
                   OaiRecord.fonds_name, OaiRecord.type_spec, OaiRecord.type_name)
            .where(_candidates(req.scope), OaiRecord.gone.is_(False)).order_by(OaiRecord.document_id))
    out = []
    for doc_id, *cells in session.execute(stmt):
        pairs = ((cells[0], cells[1]), (cells[2], cells[3]), (cells[4], cells[5]))
        out.append((doc_id, tuple((spec, name or spec) for spec, name in pairs if spec)))
    return out


def _visible_sets(session: Session, req: _Request) -> dict[str, str]:
    """The sets holding a record the caller sees now: each set is confirmed by one document the policy lets
    the caller see, checked in batches until every set is confirmed (most sets by their first document)."""
    rows = _set_rows(session, req)
    pending = {spec for _, pairs in rows for spec, _ in pairs}
    found: dict[str, str] = {}
    for start in range(0, len(rows), 500):
        batch = [r for r in rows[start:start + 500] if any(spec in pending for spec, _ in r[1])]
        docs = load_documents(session, [doc_id for doc_id, _ in batch]) if batch else {}
        for doc_id, pairs in batch:
            loaded = docs.get(doc_id)
            if loaded is not None and in_view(req.scope, loaded.doc):
                for spec, name in pairs:
                    found.setdefault(spec, name)
                    found.setdefault(spec.split(":", 1)[0], _SET_ROOTS[spec.split(":", 1)[0]])
                    pending.discard(spec)
        if not pending:
            break
    return found


def _list_sets(session: Session, req: _Request, root: etree._Element) -> None:
    reconcile(req.ctx, max_age=req.ctx.settings.oai_sync_seconds)
    found = _visible_sets(session, req)
    if not found:
        raise OaiError("noSetHierarchy", "không có tập hợp nào / no sets hold records you may see")
    node = _el(root, "ListSets")
    for spec in sorted(found):
        item = _el(node, "set")
        _el(item, "setSpec", spec)
        _el(item, "setName", found[spec])


def _get_record(session: Session, req: _Request, root: etree._Element, given: Mapping[str, str]) -> int:
    if format_named(given["metadataPrefix"]) is None:
        raise OaiError("cannotDisseminateFormat", f"metadataPrefix {given['metadataPrefix']} không hỗ trợ")
    row, _ = _one_row(session, req, given["identifier"])
    _write_rows(session, req, _el(root, "GetRecord"), [row], given["metadataPrefix"], with_metadata=True)
    return 1


def _filters(req: _Request, args: ListArgs) -> list[ColumnElement[bool]]:
    out = [_candidates(req.scope)]
    if args.start:
        out.append(OaiRecord.datestamp >= args.start)
    if args.end:
        out.append(OaiRecord.datestamp < args.end)
    if args.set_spec:
        kind, _, rest = args.set_spec.partition(":")
        column = {"unit": OaiRecord.unit_spec, "fonds": OaiRecord.fonds_spec, "type": OaiRecord.type_spec}.get(kind)
        if column is None:
            out.append(false())
        else:
            out.append(column == args.set_spec if rest else column.is_not(None))
    return out


def _start(session: Session, req: _Request, verb: str, given: Mapping[str, str]) -> Position:
    """The position of a list's first page: arguments checked, table reconciled, size counted."""
    args = list_args(given)
    if format_named(args.prefix) is None:
        raise OaiError("cannotDisseminateFormat", f"metadataPrefix {args.prefix} không hỗ trợ / not supported")
    reconcile(req.ctx, max_age=req.ctx.settings.oai_sync_seconds)
    total = session.scalar(select(func.count()).select_from(OaiRecord).where(*_filters(req, args))) or 0
    if total == 0:
        raise OaiError("noRecordsMatch", "không có bản ghi nào phù hợp / no records match")
    expires = req.now + timedelta(hours=req.ctx.settings.oai_token_hours)
    return Position(verb, args.prefix, args.set_spec, args.start.isoformat() if args.start else None,
                    args.end.isoformat() if args.end else None, 0, 0, total, req.caller.key, expires.isoformat())


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _list(session: Session, req: _Request, root: etree._Element, verb: str, given: Mapping[str, str]) -> int:
    key = req.ctx.secret_key
    if "resumptionToken" in given:
        position = decode_token(key, given["resumptionToken"], verb, req.caller.key, req.now)
    else:
        position = _start(session, req, verb, given)
    args = ListArgs(position.prefix, position.set_spec, _moment(position.start), _moment(position.end))
    filters = [*_filters(req, args), OaiRecord.document_id > position.after_id]
    size = req.ctx.settings.oai_page_size
    rows = list(session.scalars(select(OaiRecord).where(and_(*filters))
                                .order_by(OaiRecord.document_id).limit(size + 1)))
    more, rows = len(rows) > size, rows[:size]
    node = _el(root, verb)
    _write_rows(session, req, node, rows, position.prefix, with_metadata=verb == "ListRecords")
    _resumption(node, req, position, rows, more)
    return len(rows)


def _resumption(node: etree._Element, req: _Request, position: Position, rows: Sequence[OaiRecord],
                more: bool) -> None:
    if not more and not position.cursor:
        return  # a complete list in one response carries no token
    sent = position.cursor + len(rows)  # the last page knows the list's size; before it, the first page's count
    attrs = {"completeListSize": str(max(position.total, sent + 1) if more else sent), "cursor": str(position.cursor)}
    if not more:
        _el(node, "resumptionToken", "", **attrs)  # the last page: an empty token ends the list
        return
    following = replace(position, after_id=rows[-1].document_id, cursor=sent)
    token = encode_token(req.ctx.secret_key, following)
    _el(node, "resumptionToken", token, expirationDate=format_datestamp(datetime.fromisoformat(position.expires)),
        **attrs)


def _dispatch(session: Session, req: _Request, root: etree._Element, verb: str, given: Mapping[str, str]) -> int:
    if verb == "Identify":
        _identify(session, req, root)
    elif verb == "ListMetadataFormats":
        _list_formats(session, req, root, given)
    elif verb == "ListSets":
        if "resumptionToken" in given:
            raise OaiError("badResumptionToken", "ListSets không phân trang / ListSets is never split")
        _list_sets(session, req, root)
    elif verb == "GetRecord":
        return _get_record(session, req, root, given)
    else:
        return _list(session, req, root, verb, given)
    return 0


def answer(ctx: AppContext, caller: OaiCaller, args: Mapping[str, Sequence[str]], base_url: str) -> bytes:
    """The XML answer to one OAI-PMH request (``args``: every value given for each argument name)."""
    now = datetime.now(UTC).replace(microsecond=0)
    with ctx.db.session() as session:
        scope = document_scope(session, caller.principal)
    req = _Request(ctx, caller, scope, Where(base_url, ctx.settings.copy_agency), now)
    audit: dict[str, Any] = {}
    try:
        verb, given = check_args(args)
        root = _envelope(base_url, now, {"verb": verb, **given})
        with ctx.db.session() as session:
            audit = {"verb": verb, **{k: v[:200] for k, v in given.items()}}
            audit["returned"] = _dispatch(session, req, root, verb, given)
    except OaiError as error:
        echo = {} if error.code in ("badVerb", "badArgument") else {"verb": verb, **given}
        root = _envelope(base_url, now, echo)
        _el(root, "error", error.message, code=error.code)
        audit = {**(audit or {"verb": str(args.get("verb", [""])[0])[:40]}), "error": error.code}
    with ctx.db.session() as session:
        record_event(session, caller.actor, "oai.request", payload=audit)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
