"""Snippets with the matched words marked, found tone-insensitively in the original text."""

from __future__ import annotations

import html
import re

from sohoa.index.query import ParsedQuery, fold_aligned

__all__ = ["make_snippet", "make_snippet_html", "make_snippets"]


def make_snippet(text: str, query: ParsedQuery, *, width: int = 160, mark: tuple[str, str] = ("[", "]")) -> str:
    """A window of ``text`` around the first match, each matched phrase wrapped in ``mark``."""
    flat = " ".join(text.split())
    folded = fold_aligned(flat)
    spans: list[tuple[int, int]] = []
    for phrase in query.folded or ([query.code] if query.code else []):
        pattern = r"\b" + r"\W+".join(re.escape(w) for w in phrase) + r"\b"
        spans.extend(m.span() for m in re.finditer(pattern, folded))
    if not spans:
        return flat[:width] + ("…" if len(flat) > width else "")
    spans.sort()
    start = max(0, spans[0][0] - width // 3)
    end = min(len(flat), start + width)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        out += [flat[cursor:s], mark[0], flat[s:e], mark[1]]
        cursor = e
    out.append(flat[cursor:end])
    out.append("…" if end < len(flat) else "")
    return "".join(out)


def make_snippet_html(text: str, query: ParsedQuery, *, width: int = 160) -> str:
    """The snippet, HTML-escaped, with matches in ``<mark>``."""
    raw = make_snippet(text, query, width=width, mark=("\x00", "\x01"))
    return html.escape(raw).replace("\x00", "<mark>").replace("\x01", "</mark>")


def make_snippets(text: str, query: ParsedQuery, *, width: int = 160) -> tuple[str, str]:
    """``(make_snippet(…), make_snippet_html(…))`` from one pass over the text (search results show both)."""
    raw = make_snippet(text, query, width=width, mark=("\x00", "\x01"))
    plain = raw.replace("\x00", "[").replace("\x01", "]")
    return plain, html.escape(raw).replace("\x00", "<mark>").replace("\x01", "</mark>")
