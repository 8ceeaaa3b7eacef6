"""A forest plot of effect estimates as inline SVG, drawn on the server (no script needed).

One panel per statistic, since a risk difference and a ratio do not share an axis: differences on
a linear axis around 0, ratios on a log axis around 1 (so that 0.5 and 2 sit equally far from no
effect). Estimates a source reported and estimates computed here are told apart by marker (filled
square vs hollow diamond) and by a legend. Which side of no effect is better follows each
endpoint's direction of benefit (``ekg:benefitDirection``: a higher response rate, a lower
progression rate), estimates being of the intervention against the comparator: a panel whose
endpoints agree says so under its axis, and each row carries its own direction. Every row carries
``data-*`` attributes with its numbers, for tests and for anyone scraping the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from api.pages.layout import esc
from kg.describe import EstimateView
from kg.vocab import EKG

RATIOS = frozenset(str(term) for term in (EKG.RelativeRisk, EKG.OddsRatio, EKG.HazardRatio))
"""Ratio statistics: no effect at 1, drawn on a log axis (the ratios the shapes keep positive).
Their logarithms (ekg:LogOddsRatio, ...) are differences: no effect at 0, on a linear axis."""
FIGURE_CONTRASTS = frozenset(
    str(term)
    for term in (
        EKG.RiskDifference,
        EKG.RelativeRisk,
        EKG.LogRelativeRisk,
        EKG.OddsRatio,
        EKG.LogOddsRatio,
        EKG.MeanDifference,
        EKG.LeastSquaresMeanDifference,
        EKG.MedianDifference,
    )
)
"""Statistics that contrast the endpoint's own figures, so that its direction of benefit carries
over to them. A hazard ratio is not among them: it contrasts the hazard of an event, which may be
the bad one (death, for overall survival, where higher figures are better) or the good one
(response, for time to response), and the endpoint does not say which."""
PANEL_ORDER = ("RiskDifference", "RelativeRisk", "OddsRatio", "HazardRatio")

LABEL_WIDTH = 360
PLOT_WIDTH = 340
TEXT_WIDTH = 190
WIDTH = LABEL_WIDTH + PLOT_WIDTH + TEXT_WIDTH
ROW = 26
PANEL_HEAD = 34
AXIS = 34
SIDES = 16
"""Room under a panel's axis for which side favours which arm."""
REPORTED_COLOUR = "#1b1f24"
DERIVED_COLOUR = "#0969da"


def is_ratio(statistic: str) -> bool:
    """Whether a statistic is a ratio (log axis, no effect at 1) rather than a difference."""
    return statistic in RATIOS


def favours_higher(row: EstimateView) -> bool | None:
    """True when a higher estimate favours the intervention, False when a lower one does, None
    when the endpoint does not say or the statistic does not contrast its figures (estimates
    being of the intervention against the comparator)."""
    return row.higher_is_better if row.statistic in FIGURE_CONTRASTS else None


def _panel_key(statistic: str) -> tuple[int, str]:
    local = statistic.rsplit("/", 1)[-1]
    return (PANEL_ORDER.index(local) if local in PANEL_ORDER else len(PANEL_ORDER), statistic)


def _fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) >= 0.01 or value == 0 else f"{value:.3g}"


def _ticks(low: float, high: float, ratio: bool) -> list[float]:
    if ratio:
        candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]
        return [t for t in candidates if low <= t <= high]
    span = high - low
    step = 10 ** math.floor(math.log10(span / 4)) if span > 0 else 1
    for multiple in (1, 2, 5, 10):
        if span / (step * multiple) <= 6:
            step *= multiple
            break
    first = math.ceil(low / step) * step
    count = int((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(count)]


def _interval_heading(rows: Sequence[EstimateView]) -> str:
    levels = {row.ci_level for row in rows if row.ci_lower is not None}
    if len(levels) == 1 and None not in levels:
        level = levels.pop()
        assert level is not None
        return f"Estimate ({level * 100:g}% CI)"
    return "Estimate (CI)"


def _better_side(rows: Sequence[EstimateView]) -> bool | None:
    """True when the panel's right side (above no effect) favours the intervention, False when
    it favours the comparator, None when the rows' endpoints do not say or disagree."""
    directions = {favours_higher(row) for row in rows}
    return directions.pop() if len(directions) == 1 else None


def _direction_word(row: EstimateView) -> str:
    higher = favours_higher(row)
    return "" if higher is None else "higher" if higher else "lower"


def _interval_text(row: EstimateView, shared_heading: bool) -> str:
    if row.ci_lower is None or row.ci_upper is None:
        return _fmt(row.value)
    level = f"{row.ci_level * 100:g}% CI " if row.ci_level and not shared_heading else ""
    return f"{_fmt(row.value)} ({level}{_fmt(row.ci_lower)} to {_fmt(row.ci_upper)})"


def _panel(statistic: str, rows: Sequence[EstimateView], top: float) -> tuple[str, float]:
    ratio = is_ratio(statistic)
    null = 1.0 if ratio else 0.0
    values = [null]
    for row in rows:
        values += [v for v in (row.value, row.ci_lower, row.ci_upper) if v is not None]
    if ratio:
        values = [v for v in values if v > 0]
    low, high = min(values), max(values)
    if ratio:
        low, high = math.log(low), math.log(high)
    pad = (high - low) * 0.08 or 0.5
    low, high = low - pad, high + pad

    def x(value: float) -> float:
        position = math.log(value) if ratio else value
        return LABEL_WIDTH + (position - low) / (high - low) * PLOT_WIDTH

    label = rows[0].statistic_label
    parts = [
        f'<g class="panel" data-statistic="{esc(statistic)}" data-scale="'
        f'{"log" if ratio else "linear"}">',
        f'<text x="0" y="{top + 20}" font-weight="600" font-size="14">{esc(label)}'
        f"{' (log scale)' if ratio else ''}</text>",
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 10}" y="{top + 20}" font-size="12" '
        f'fill="#57606a">{esc(_interval_heading(rows))}</text>',
    ]
    shared = _interval_heading(rows) != "Estimate (CI)"
    side = _better_side(rows)
    body_top = top + PANEL_HEAD
    body_bottom = body_top + ROW * len(rows)
    for index in range(0, len(rows), 2):
        parts.append(
            f'<rect x="0" y="{body_top + ROW * index}" width="{WIDTH}" height="{ROW}" '
            'fill="#f6f8fa"/>'
        )
    null_x = x(null)
    parts.append(
        f'<line x1="{null_x:.1f}" y1="{body_top - 4}" x2="{null_x:.1f}" y2="{body_bottom}" '
        'stroke="#8c959f" stroke-dasharray="4 3"/>'
    )
    for index, row in enumerate(rows):
        y = body_top + ROW * index + ROW / 2
        colour = DERIVED_COLOUR if row.derived else REPORTED_COLOUR
        kind = "derived" if row.derived else "reported"
        interval = ""
        if row.ci_lower is not None and row.ci_upper is not None:
            level = f"{row.ci_level * 100:g}% CI " if row.ci_level else ""
            interval = f" ({level}{_fmt(row.ci_lower)} to {_fmt(row.ci_upper)})"
        better = _direction_word(row)
        tooltip = (
            f"{row.comparison_label}: {row.statistic_label} {_fmt(row.value)}{interval}, {kind}"
            f"{f'; {better} is better' if better else ''}"
        )
        attributes = (
            f'class="estimate {kind}" data-estimate="{esc(row.estimate)}" '
            f'data-statistic="{esc(row.statistic)}" data-value="{row.value!r}" '
            f'data-ci-lower="{"" if row.ci_lower is None else repr(row.ci_lower)}" '
            f'data-ci-upper="{"" if row.ci_upper is None else repr(row.ci_upper)}" '
            f'data-derived="{"true" if row.derived else "false"}" data-better="{better}"'
        )
        parts.append(f"<g {attributes}><title>{esc(tooltip)}</title>")
        name = row.comparison_label
        head, _, tail = name.rpartition(": ")
        if head and " vs " in tail:  # "Endpoint: A vs B" -> "Endpoint"; the arms are in the page
            name = head
        if len(name) > 52:
            name = name[:51] + "…"
        if better and side is None:  # the panel mixes directions: each row says its own
            name = f"{name[:44]} ({'↑' if better == 'higher' else '↓'} better)"
        parts.append(f'<text x="4" y="{y + 4:.1f}" font-size="12">{esc(name)}</text>')
        if row.ci_lower is not None and row.ci_upper is not None:
            parts.append(
                f'<line class="ci" x1="{x(row.ci_lower):.1f}" y1="{y:.1f}" '
                f'x2="{x(row.ci_upper):.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>'
            )
        cx = x(row.value)
        if row.derived:
            parts.append(
                f'<path class="marker" d="M{cx:.1f},{y - 6:.1f} L{cx + 6:.1f},{y:.1f} '
                f'L{cx:.1f},{y + 6:.1f} L{cx - 6:.1f},{y:.1f} Z" fill="#fff" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        else:
            parts.append(
                f'<rect class="marker" x="{cx - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 10}" y="{y + 4:.1f}" font-size="12">'
            f"{esc(_interval_text(row, shared))}</text></g>"
        )
    axis_y = body_bottom + 4
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{LABEL_WIDTH + PLOT_WIDTH}" y2="{axis_y}" '
        'stroke="#57606a"/>'
    )
    for tick in _ticks(math.exp(low) if ratio else low, math.exp(high) if ratio else high, ratio):
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{axis_y + 5}" stroke="#57606a"/>'
            f'<text x="{tx:.1f}" y="{axis_y + 18}" font-size="11" text-anchor="middle">'
            f"{esc(f'{tick:g}')}</text>"
        )
    height = body_bottom + AXIS - top
    if side is not None:
        right, left = ("intervention", "comparator") if side else ("comparator", "intervention")
        sides_y = axis_y + 34
        parts.append(
            f'<g class="sides" font-size="11" fill="#57606a" data-right-favours="{right}">'
            f'<text x="{null_x - 6:.1f}" y="{sides_y}" text-anchor="end">← favours {left}</text>'
            f'<text x="{null_x + 6:.1f}" y="{sides_y}">favours {right} →</text></g>'
        )
        height += SIDES
    parts.append("</g>")
    return "".join(parts), height


def forest_plot(estimates: Sequence[EstimateView], *, title: str) -> str:
    """The whole figure: a legend, then one panel per statistic (empty string if no estimates)."""
    if not estimates:
        return ""
    panels: dict[str, list[EstimateView]] = {}
    for estimate in estimates:
        panels.setdefault(estimate.statistic, []).append(estimate)
    legend_height = 30
    top = float(legend_height)
    drawn = []
    for statistic in sorted(panels, key=_panel_key):
        rows = sorted(panels[statistic], key=lambda e: (e.comparison_label, e.derived))
        svg, height = _panel(statistic, rows, top)
        drawn.append(svg)
        top += height + 8
    legend = (
        '<g class="legend" font-size="12">'
        f'<rect x="4" y="9" width="10" height="10" fill="{REPORTED_COLOUR}"/>'
        '<text x="20" y="18">Reported by a source</text>'
        f'<path d="M190,8 L196,14 L190,20 L184,14 Z" fill="#fff" stroke="{DERIVED_COLOUR}" '
        'stroke-width="2"/>'
        '<text x="202" y="18">Derived here (computed from reported figures)</text>'
        '<line x1="520" y1="14" x2="550" y2="14" stroke="#8c959f" stroke-dasharray="4 3"/>'
        '<text x="556" y="18">No effect</text></g>'
    )
    height = int(top)
    return (
        f'<figure class="forest"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{esc(title)}" width="{WIDTH}" height="{height}" style="max-width:100%;height:auto" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="system-ui, sans-serif">'
        f"<title>{esc(title)}</title>{legend}{''.join(drawn)}</svg>"
        "<figcaption>Point estimates with confidence intervals; hover a row for details."
        "</figcaption></figure>"
    )
