"""A staff account's own preferences: its interface language and its time zone (both optional).

A language left unset keeps the browser session's choice; a time zone left unset is the installation's
``SOHOA_TIME_ZONE``. Time zones are IANA names checked with :mod:`zoneinfo`; every change is audited.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sohoa.db.models import User
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["LANGUAGES", "check_language", "check_zone", "save_language", "save_preferences", "zone_choices"]

LANGUAGES = ("vi", "en")
HOME_ZONE = "Asia/Ho_Chi_Minh"


# The continents and oceans of the IANA database: its legacy aliases ("US/Pacific", "Etc/GMT+7") are not offered.
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


@cache
def zone_choices() -> tuple[str, ...]:
    """The IANA zones offered: Asia/Ho_Chi_Minh first, then UTC, then every other regional zone by name."""
    others = sorted(name for name in available_timezones() if name != HOME_ZONE and name.split("/")[0] in REGIONS)
    return (HOME_ZONE, "UTC", *others)


def check_language(language: str | None) -> str | None:
    """``language`` when it is one of the interface languages, None for blank; refuses anything else."""
    if language in (None, ""):
        return None
    if language not in LANGUAGES:
        raise ValidationFailed(f"Ngôn ngữ không hợp lệ: {language}", f"Unknown language: {language}")
    return language


def check_zone(name: str | None) -> str | None:
    """An IANA time zone name that :mod:`zoneinfo` knows, None for blank; refuses anything else."""
    value = (name or "").strip()
    if not value:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"Múi giờ không hợp lệ: {value}", f"Unknown time zone: {value}") from exc
    return value


def save_preferences(ctx: AppContext, user_id: int, language: str | None, time_zone: str | None) -> bool:
    """Store both preferences of an account (validated first); True when something changed (then audited)."""
    lang, zone = check_language(language), check_zone(time_zone)
    with ctx.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Không tìm thấy tài khoản", "Account not found")
        changes = {
            key: value
            for key, old, value in (("language", user.language, lang), ("time_zone", user.time_zone, zone))
            if old != value
        }
        if not changes:
            return False
        user.language, user.time_zone = lang, zone
        record_event(session, user.username, "user.preferences", "user", user.id, changes)
        return True


def save_language(ctx: AppContext, user_id: int, language: str) -> bool:
    """Keep the language a signed-in user switched to (the header's switch); True when it changed."""
    lang = check_language(language)
    with ctx.db.session() as session:
        user = session.get(User, user_id)
        if user is None or user.language == lang:
            return False
        user.language = lang
        record_event(session, user.username, "user.preferences", "user", user.id, {"language": lang})
        return True
