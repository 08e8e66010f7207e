"""Tiny inline SVG charts for HTML pages and PDFs (no JavaScript, no dependency).

`bar_chart()` draws grouped vertical bars, optionally with a dashed target line, and
returns safe SVG markup to put straight into a template. The SVG is an image with a
<title> and <desc> (role="img"), and each
bar carries its own <title> with the figure, so the chart is not the only place a value
lives: callers always print the same figures in a table next to it.

Known limits: no negative values (they are drawn as zero), a value None (not known yet)
draws no bar, category labels are not
wrapped (keep them short: years, call acronyms), coordinates are Decimal rounded to 0.1.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe and at least 3:1 against white (WCAG 1.4.11 for graphics).
PALETTE = ("#0a4f9e", "#e07b00", "#1d6b2f", "#8c2d86", "#5b6770")
TENTH = Decimal("0.1")
NICE_STEPS = (Decimal("1"), Decimal("2"), Decimal("2.5"), Decimal("5"), Decimal("10"))


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int | None]
    colour: str = ""


def nice_maximum(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `value` (the top of the axis)."""
    if value <= 0:
        return Decimal("1")
    scale = Decimal(10) ** value.adjusted()
    for step in NICE_STEPS:
        if step * scale >= value:
            return step * scale
    return 10 * scale  # pragma: no cover - NICE_STEPS ends at 10


def _n(value: Decimal) -> str:
    """A coordinate as SVG wants it: plain decimal, one digit after the point."""
    return f"{value.quantize(TENTH):f}"


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_format: Callable[[Decimal], str] = str,
    description: str = "",
    width: int = 640,
    height: int = 260,
    target: Decimal | None = None,
    target_label: str = "",
) -> SafeString:
    """Grouped bars: one group per category, one bar per series, axis from zero; with
    `target`, a dashed horizontal line at that value, named in the legend."""
    # Deterministic id (same input, same SVG) so two charts on a page never share one.
    digest = hashlib.sha1("\x1f".join([title, *categories]).encode()).hexdigest()[:8]
    chart_id = f"chart-{digest}"
    left, right, top, bottom = Decimal(78), Decimal(10), Decimal(34), Decimal(28)
    plot_w = Decimal(width) - left - right
    plot_h = Decimal(height) - top - bottom
    values = [Decimal(v) for s in series for v in s.values if v is not None]
    if target is not None:
        values.append(Decimal(target))
    top_value = nice_maximum(max(values, default=Decimal(0)))
    parts: list[str] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'width="{}" height="{}" viewBox="0 0 {} {}" aria-labelledby="{}-t {}-d">'
            '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            width,
            height,
            width,
            height,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            description or title,
        )
    ]
    # Grid and axis labels: 0, ¼, ½, ¾ and the top.
    for i in range(5):
        tick = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke="#c8c8c8" stroke-width="0.6"/>'
            f'<text x="{_n(left - 4)}" y="{_n(y + 3)}" font-size="9" text-anchor="end" '
            f'fill="#333">{escape(value_format(tick))}</text>'
        )
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * Decimal("0.8") / max(len(series), 1)
    for c, category in enumerate(categories):
        group_x = left + group_w * c + group_w * Decimal("0.1")
        for s, serie in enumerate(series):
            value = serie.values[c] if c < len(serie.values) else 0
            if value is None:
                continue
            value = max(Decimal(value), Decimal(0))
            bar_h = plot_h * value / top_value
            x = group_x + bar_w * s
            colour = serie.colour or PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(top + plot_h - bar_h)}" '
                f'width="{_n(bar_w * Decimal("0.92"))}" '
                f'height="{_n(bar_h)}" fill="{escape(colour)}">'
                f"<title>{escape(serie.label)}, {escape(category)}: "
                f"{escape(value_format(Decimal(value)))}</title></rect>"
            )
        parts.append(
            f'<text x="{_n(left + group_w * c + group_w / 2)}" y="{_n(top + plot_h + 16)}" '
            f'font-size="10" text-anchor="middle" fill="#1a1a1a">{escape(category)}</text>'
        )
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(top + plot_h)}" x2="{_n(left + plot_w)}" '
        f'y2="{_n(top + plot_h)}" stroke="#333" stroke-width="1"/>'
    )
    if target is not None:
        y = top + plot_h - plot_h * max(Decimal(target), Decimal(0)) / top_value
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke="#a11d21" stroke-width="1.5" stroke-dasharray="6 3">'
            f"<title>{escape(target_label)}: {escape(value_format(Decimal(target)))}</title>"
            f"</line>"
        )
    # Legend on one line above the plot.
    x = left
    for s, serie in enumerate(series):
        colour = serie.colour or PALETTE[s % len(PALETTE)]
        parts.append(
            f'<rect x="{_n(x)}" y="10" width="10" height="10" fill="{escape(colour)}"/>'
            f'<text x="{_n(x + 14)}" y="19" font-size="10" fill="#1a1a1a">'
            f"{escape(serie.label)}</text>"
        )
        x += 24 + Decimal(len(serie.label)) * Decimal("5.6")
    if target is not None:
        parts.append(
            f'<line x1="{_n(x)}" y1="15" x2="{_n(x + 12)}" y2="15" stroke="#a11d21" '
            f'stroke-width="1.5" stroke-dasharray="4 2"/>'
            f'<text x="{_n(x + 16)}" y="19" font-size="10" fill="#1a1a1a">'
            f"{escape(target_label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
