"""The format policy of the migration watch: which PRONOM formats are preferred, acceptable or at risk.

The shipped policy is ``format_policy.toml`` beside this module; ``SOHOA_FORMAT_RISK_FILE`` names an operator's
file of the same layout whose ``[formats]`` entries override or add to it (its ``[identification]`` and
``[flags]`` lists, when present, replace the shipped ones). An object is at risk when it was not identified,
when only its name matched (outside the formats where a name is all there is), when opening it found something
that makes it hard to keep (a PDF's encryption, JavaScript, embedded files), when its format is listed at risk,
or when its format is not in the policy at all (nobody has decided how to keep it).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sohoa.domain.errors import SohoaError

__all__ = ["LEVELS", "Assessment", "FormatPolicy", "load_policy"]

LEVELS = ("preferred", "acceptable", "at_risk")
_UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Assessment:
    """What the policy says of one identification: its level, whether it is at risk and why ("vi / en")."""

    level: str
    reason: str

    @property
    def at_risk(self) -> bool:
        return self.level == "at_risk"


_FLAG_REASONS = {
    "encrypted": "PDF có mật khẩu hoặc mã hóa / PDF with a password or encryption",
    "javascript": "PDF chứa JavaScript / PDF with JavaScript",
    "embedded_files": "PDF chứa tệp đính kèm / PDF with embedded files",
    "unreadable": "PDF không mở được (hỏng?) / PDF that cannot be opened (damaged?)",
    "missing": "Không đọc được đối tượng trong kho / The stored object could not be read",
}


@dataclass(frozen=True)
class FormatPolicy:
    """Levels and reasons per PUID, the PUIDs a name-only match is enough for, and the flags that put at risk."""

    formats: dict[str, tuple[str, str]]
    extension_only_ok: frozenset[str]
    risky_flags: frozenset[str]
    source: str

    def assess(self, puid: str, *, warning: str = "", flags: tuple[str, ...] | str = ()) -> Assessment:
        """The level of an object identified as ``puid`` with siegfried's ``warning`` and inspection ``flags``."""
        flag_list = tuple(f for f in (flags.split(",") if isinstance(flags, str) else flags) if f)
        if "missing" in flag_list:
            return Assessment("at_risk", _FLAG_REASONS["missing"])
        if not puid or puid == _UNKNOWN:
            return Assessment("at_risk", "Không nhận dạng được định dạng / Format not identified")
        risky = [f for f in flag_list if f in self.risky_flags]
        if risky:
            return Assessment("at_risk", "; ".join(_FLAG_REASONS.get(f, f) for f in risky))
        name_only = "match on extension only" in warning or "match on filename only" in warning
        if name_only and puid not in self.extension_only_ok:
            return Assessment("at_risk", "Chỉ nhận theo tên tệp, nội dung không khớp chữ ký nào / Matched by "
                                         "the file name only: no signature matched the bytes")
        level, reason = self.formats.get(puid, ("at_risk", f"{puid} chưa có trong chính sách định dạng / "
                                                           f"{puid} is not in the format policy"))
        return Assessment(level, reason)


def _parse(data: dict[str, Any], where: str) -> tuple[dict[str, tuple[str, str]], list[str] | None,
                                                       list[str] | None]:
    formats: dict[str, tuple[str, str]] = {}
    for puid, entry in dict(data.get("formats", {})).items():
        level = str(entry.get("level", "")) if isinstance(entry, dict) else ""
        if level not in LEVELS:
            raise SohoaError(f"Chính sách định dạng {where}: {puid} có mức '{level}' không hợp lệ "
                             f"(preferred, acceptable, at_risk)",
                             f"Format policy {where}: {puid} has an invalid level '{level}' "
                             f"(preferred, acceptable, at_risk)")
        formats[str(puid)] = (level, str(entry.get("reason", "")))
    ident = data.get("identification", {}).get("extension_only_ok")
    flags = data.get("flags", {}).get("at_risk")
    return formats, (list(map(str, ident)) if ident is not None else None), \
        (list(map(str, flags)) if flags is not None else None)


def _read(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text = resources.files("sohoa.services.preservation").joinpath("format_policy.toml").read_text("utf-8")
        return tomllib.loads(text), "format_policy.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), str(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SohoaError(f"Không đọc được tệp chính sách định dạng {path}: {exc}",
                         f"Cannot read the format policy file {path}: {exc}") from exc


@functools.cache
def load_policy(override: Path | None = None) -> FormatPolicy:
    """The shipped policy, with ``override`` (SOHOA_FORMAT_RISK_FILE) laid over it."""
    shipped, _ = _read(None)
    formats, ident, flags = _parse(shipped, "format_policy.toml")
    source = "format_policy.toml"
    if override is not None:
        data, where = _read(override)
        extra, extra_ident, extra_flags = _parse(data, where)
        formats.update(extra)
        ident = extra_ident if extra_ident is not None else ident
        flags = extra_flags if extra_flags is not None else flags
        source = f"format_policy.toml + {where}"
    return FormatPolicy(formats, frozenset(ident or ()), frozenset(flags or ()), source)
