"""Effect-size arithmetic for two-arm comparisons of a binary outcome. Pure functions.

Why these methods: they are the defaults of evidence-synthesis tools for a 2x2 table and stay
well-behaved at the proportions trials report. The risk difference uses Newcombe's hybrid score
interval (his method 10), built from Wilson intervals, which keeps its limits inside [-1, 1];
ratios use the Wald interval on the log scale (Katz for the relative risk, Woolf for the odds
ratio).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval at ``level`` (e.g. 0.95)."""

    value: float
    lower: float
    upper: float
    level: float


def z_for(level: float) -> float:
    """Two-sided standard normal quantile for a confidence level.

    >>> round(z_for(0.95), 4)
    1.96
    """
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def _check_counts(events: int, total: int) -> None:
    if total < 1 or not 0 <= events <= total:
        raise ValueError(f"need 0 <= events <= total and total >= 1, got {events}/{total}")


def approximate_events(percentage: float, total: int) -> int:
    """Events implied by a reported percentage of ``total``, rounded half up.

    Reported percentages are themselves rounded, so the count is approximate; callers must mark
    it as derived.

    >>> approximate_events(29, 174)
    50
    >>> approximate_events(12.5, 8)
    1
    """
    if not 0 <= percentage <= 100:
        raise ValueError(f"percentage must be in [0, 100], got {percentage}")
    return math.floor(percentage / 100 * total + 0.5)


def wilson_interval(events: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for one proportion.

    >>> lo, hi = wilson_interval(50, 174)
    >>> round(lo, 4), round(hi, 4)
    (0.2253, 0.3586)
    """
    _check_counts(events, total)
    z = z_for(level)
    p = events / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return centre - half, centre + half


def risk_difference(
    events_1: int, total_1: int, events_2: int, total_2: int, level: float = 0.95
) -> Estimate:
    """Risk difference p1 - p2 with Newcombe's hybrid score interval.

    >>> e = risk_difference(50, 174, 11, 86)
    >>> round(e.value, 4), round(e.lower, 4), round(e.upper, 4)
    (0.1594, 0.0528, 0.2494)
    """
    _check_counts(events_1, total_1)
    _check_counts(events_2, total_2)
    p1, p2 = events_1 / total_1, events_2 / total_2
    l1, u1 = wilson_interval(events_1, total_1, level)
    l2, u2 = wilson_interval(events_2, total_2, level)
    difference = p1 - p2
    lower = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Estimate(difference, lower, upper, level)


def relative_risk(
    events_1: int, total_1: int, events_2: int, total_2: int, level: float = 0.95
) -> Estimate:
    """Relative risk p1 / p2 with the Katz log-scale Wald interval.

    >>> e = relative_risk(50, 174, 11, 86)
    >>> round(e.value, 4), round(e.lower, 4), round(e.upper, 4)
    (2.2466, 1.2337, 4.0912)
    """
    _check_counts(events_1, total_1)
    _check_counts(events_2, total_2)
    if events_1 == 0 or events_2 == 0:
        raise ValueError("relative risk needs at least one event in each arm")
    ratio = (events_1 / total_1) / (events_2 / total_2)
    se = math.sqrt(1 / events_1 - 1 / total_1 + 1 / events_2 - 1 / total_2)
    return _log_scale(ratio, se, level)


def odds_ratio(
    events_1: int, total_1: int, events_2: int, total_2: int, level: float = 0.95
) -> Estimate:
    """Odds ratio with the Woolf log-scale Wald interval.

    >>> e = odds_ratio(50, 174, 11, 86)
    >>> round(e.value, 4), round(e.lower, 4), round(e.upper, 4)
    (2.7493, 1.3477, 5.6083)
    """
    _check_counts(events_1, total_1)
    _check_counts(events_2, total_2)
    cells = (events_1, total_1 - events_1, events_2, total_2 - events_2)
    if 0 in cells:
        raise ValueError("odds ratio needs every cell of the 2x2 table to be non-zero")
    a, b, c, d = cells
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return _log_scale((a * d) / (b * c), se, level)


def _log_scale(ratio: float, se: float, level: float) -> Estimate:
    z = z_for(level)
    return Estimate(
        ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se), level
    )


SIGNIFICANCE_LEVEL = 0.05
"""The conventional two-sided level, used only when a source gives a p-value but no verdict."""


def significance(
    reported: bool | None,
    p_value: float | None,
    p_value_comparator: str | None = None,
    level: float = SIGNIFICANCE_LEVEL,
) -> tuple[bool | None, bool]:
    """Whether a comparison is significant, and whether that verdict is derived (not reported).

    The source's own verdict wins. Otherwise a reported p-value is compared with ``level``; a
    bound ("P < 0.1", "P > 0.01") that straddles the level decides nothing.

    >>> significance(False, 0.001)      # the source's word stands
    (False, False)
    >>> significance(None, 0.005)       # DASCERN's primary endpoint: P = .005, no verdict given
    (True, True)
    >>> significance(None, 0.2)
    (False, True)
    >>> significance(None, 0.001, "<")  # P < .001
    (True, True)
    >>> significance(None, 0.1, "<")    # P < 0.1 may or may not be below 0.05
    (None, False)
    >>> significance(None, 0.05, "<=")  # P <= .05 may be exactly .05
    (None, False)
    >>> significance(None, 0.1, ">")    # P > .1: not significant
    (False, True)
    >>> significance(None, 0.01, ">")   # P > .01 may or may not be below 0.05
    (None, False)
    >>> significance(None, 0.05, ">=")  # P >= .05: not significant
    (False, True)
    >>> significance(None, None)
    (None, False)
    """
    if reported is not None:
        return reported, False
    if p_value is None:
        return None, False
    if p_value_comparator == "<":
        return (True, True) if p_value <= level else (None, False)
    if p_value_comparator == "<=":
        return (True, True) if p_value < level else (None, False)
    if p_value_comparator in (">", ">="):
        return (False, True) if p_value >= level else (None, False)
    return p_value < level, True
