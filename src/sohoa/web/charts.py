"""Server-rendered SVG charts (no JavaScript, no CDN): vertical bars over days, horizontal bars by label."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart", "hbar_chart"]


def bar_chart(values: Sequence[tuple[str, int]], *, title: str, width: int = 620, height: int = 180) -> Markup:
    """Vertical bars (e.g. pages per day) with an accessible title and per-bar tooltips."""
    top = max((v for _l, v in values), default=0) or 1
    slot = (width - 40) / max(len(values), 1)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title>',
        f'<text x="4" y="12" font-size="11">{top}</text>',
        f'<line x1="34" y1="{height - 20}" x2="{width}" y2="{height - 20}" stroke="#8c959f"/>',
    ]
    for index, (label, value) in enumerate(values):
        bar = (height - 40) * value / top
        x = 36 + index * slot
        parts.append(
            f'<rect x="{x:.1f}" y="{height - 20 - bar:.1f}" width="{max(slot - 2, 1):.1f}" '
            f'height="{bar:.1f}" fill="#0b5394"><title>{escape(label)}: {value}</title></rect>'
        )
        if index % max(len(values) // 6, 1) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 5}" font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(values: Sequence[tuple[str, int]], *, title: str, width: int = 620) -> Markup:
    """Horizontal bars with labels (e.g. documents per stage)."""
    top = max((v for _l, v in values), default=0) or 1
    height = 24 * len(values) + 8
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(values):
        y = 4 + index * 24
        bar = (width - 260) * value / top
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>'
            f'<rect x="200" y="{y}" width="{bar:.1f}" height="18" fill="#0b5394"/>'
            f'<text x="{204 + bar:.1f}" y="{y + 14}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
