"""A tiny server-side SVG chart helper: line and bar charts that work offline (no JS, no CDN)."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1f6feb", "#d4a72c", "#cf222e", "#2da44e", "#8250df")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 5:
            return step * 5 if value > step * 4 else step * (int(value // step) + 1)
    return value * 1.1


def line_chart(labels: list[str], series: list[tuple[str, list[float]]], *, title: str = "",
               width: int = 640, height: int = 220) -> SafeString:
    """Lines over shared x labels. `series` is [(name, values), ...]."""
    left, right, top, bottom = 44, 12, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for _, values in series for v in values), default=0))
    n = max(len(labels), 1)
    x = (lambda i: left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2))
    y = (lambda v: top + plot_h - plot_h * v / peak)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for k in range(5):
        value = peak * k / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#e1e4e8"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#57606a">{value:g}</text>')
    step = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
                         f'fill="#57606a">{escape(label)}</text>')
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{left + 8 + s * 140}" y="14" font-size="12" fill="{colour}">■ {escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(items: list[tuple[str, float]], *, title: str = "", width: int = 640, bar_height: int = 20) -> SafeString:
    """Horizontal bars, one per (label, value)."""
    label_w, right, gap = 150, 50, 6
    height = max(1, len(items)) * (bar_height + gap) + 10
    peak = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - right
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(items):
        top = 5 + i * (bar_height + gap)
        w = plot_w * value / peak
        parts.append(f'<text x="{label_w - 6}" y="{top + bar_height * 0.7:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#24292f">{escape(str(label)[:20])}</text>'
                     f'<rect x="{label_w}" y="{top}" width="{w:.1f}" height="{bar_height}" fill="{COLOURS[0]}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{top + bar_height * 0.7:.1f}" font-size="12" '
                     f'fill="#24292f">{value:g}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
