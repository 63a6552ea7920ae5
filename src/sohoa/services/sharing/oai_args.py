"""OAI-PMH requests: the verbs' arguments checked, UTC dates parsed, and stateless resumption tokens.

A resumption token is the list's position, not a stored cursor: the verb, prefix, set and dates, the last
document id sent (lists go in document id order), the cursor and the list size, and an expiry; signed with
the server's secret key (HMAC-SHA-256) so that a harvester can neither forge nor alter one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

__all__ = ["VERBS", "ListArgs", "OaiError", "Position", "check_args", "decode_token", "encode_token",
           "format_datestamp", "list_args",
           "parse_datestamp"]

# verb → (required, optional, exclusive) arguments
VERBS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "Identify": (frozenset(), frozenset(), None),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), None),
    "ListSets": (frozenset(), frozenset(), "resumptionToken"),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# The syntax OAI-PMH.xsd gives these arguments (the request element echoes them, so they must fit it).
_SYNTAX = {"metadataPrefix": re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$"),
           "set": re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")}


class OaiError(Exception):
    """An OAI-PMH error condition (answered with HTTP 200 and an ``<error code=...>``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def format_datestamp(moment: datetime) -> str:
    """UTC, second granularity: 2026-12-04T16:00:05Z."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(value: str, *, end: bool) -> tuple[datetime, str]:
    """A from/until argument as a UTC bound and its granularity ('day' or 'second'). ``end``: the exclusive
    upper bound that ``until`` means (the next second, or the next day)."""
    try:
        if _SECOND.match(value):
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return (moment + timedelta(seconds=1) if end else moment), "second"
        if _DAY.match(value):
            day = datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
            return (day + timedelta(days=1) if end else day), "day"
    except ValueError:
        pass
    raise OaiError("badArgument", f"'{value}' is not a UTC date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")


def check_args(args: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    """The verb and its single-valued arguments, or ``badVerb``/``badArgument``."""
    verbs = args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "Thiếu verb hoặc verb không hợp lệ / missing, repeated or illegal verb")
    verb = verbs[0]
    required, optional, exclusive = VERBS[verb]
    repeated = sorted(k for k, v in args.items() if len(v) > 1)
    if repeated:
        raise OaiError("badArgument", f"repeated argument(s): {', '.join(repeated)}")
    given = {k: v[0] for k, v in args.items() if k != "verb"}
    allowed = required | optional | ({exclusive} if exclusive else set())
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise OaiError("badArgument", f"illegal argument(s) for {verb}: {', '.join(unknown)}")
    if exclusive and exclusive in given:
        if len(given) > 1:
            raise OaiError("badArgument", f"{exclusive} is an exclusive argument")
        return verb, given
    missing = sorted(required - set(given))
    if missing:
        raise OaiError("badArgument", f"missing argument(s): {', '.join(missing)}")
    malformed = sorted(k for k, rule in _SYNTAX.items() if k in given and not rule.match(given[k]))
    if malformed:
        raise OaiError("badArgument", f"malformed argument(s): {', '.join(malformed)}")
    return verb, given


@dataclass(frozen=True)
class ListArgs:
    """What a list asks for: format, set, and the [start, end) datestamp bounds (None: open)."""

    prefix: str
    set_spec: str | None
    start: datetime | None
    end: datetime | None


def list_args(given: Mapping[str, str]) -> ListArgs:
    """The list arguments of a first request (dates checked, same granularity, from ≤ until)."""
    start = parse_datestamp(given["from"], end=False) if "from" in given else None
    end = parse_datestamp(given["until"], end=True) if "until" in given else None
    if start and end:
        if start[1] != end[1]:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if start[0] >= end[0]:
            raise OaiError("badArgument", "from is later than until")
    return ListArgs(given["metadataPrefix"], given.get("set"), start and start[0], end and end[0])


@dataclass(frozen=True)
class Position:
    """Where a list stands: its arguments, the last document id sent, cursor, first count, caller, expiry."""

    verb: str
    prefix: str
    set_spec: str | None
    start: str | None
    end: str | None
    after_id: int
    cursor: int
    total: int
    caller: str
    expires: str


def _sign(key: str, body: bytes) -> str:
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()[:32]


def encode_token(key: str, position: Position) -> str:
    body = base64.urlsafe_b64encode(json.dumps(asdict(position), separators=(",", ":")).encode()).rstrip(b"=")
    return f"{body.decode('ascii')}.{_sign(key, body)}"


def decode_token(key: str, token: str, verb: str, caller: str, now: datetime) -> Position:
    """The position a token holds, or ``badResumptionToken`` (altered, expired, another verb or caller)."""
    body, _, signature = token.partition(".")
    if not body or not hmac.compare_digest(_sign(key, body.encode("ascii", "replace")), signature):
        raise OaiError("badResumptionToken", "resumptionToken không hợp lệ / invalid resumptionToken")
    try:
        raw = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        position = Position(**raw)
    except (ValueError, TypeError) as exc:
        raise OaiError("badResumptionToken", "resumptionToken không hợp lệ / invalid resumptionToken") from exc
    if position.verb != verb or position.caller != caller:
        raise OaiError("badResumptionToken", "resumptionToken của yêu cầu khác / token of another request")
    if datetime.fromisoformat(position.expires) <= now:
        raise OaiError("badResumptionToken", "resumptionToken đã hết hạn / expired resumptionToken")
    return position
