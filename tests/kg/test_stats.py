"""Effect-size arithmetic, checked against statsmodels (an independent implementation)."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from kg import stats

TABLES = [
    (50, 174, 11, 86),  # DASCERN MMR at 12 months (approximate counts)
    (111, 174, 35, 86),
    (115, 174, 58, 86),
    (134, 174, 38, 86),
    (1, 10, 9, 10),
    (30, 30 + 70, 45, 100),
]


@pytest.mark.parametrize("table", TABLES, ids=[f"{a}/{b}-vs-{c}/{d}" for a, b, c, d in TABLES])
def test_risk_difference_matches_statsmodels_newcombe(table: tuple[int, int, int, int]) -> None:
    e1, n1, e2, n2 = table
    ours = stats.risk_difference(e1, n1, e2, n2)
    low, high = confint_proportions_2indep(e1, n1, e2, n2, method="newcomb", compare="diff")
    assert ours.value == pytest.approx(e1 / n1 - e2 / n2)
    assert (ours.lower, ours.upper) == pytest.approx((low, high), abs=1e-10)


@pytest.mark.parametrize("table", TABLES, ids=[f"{a}/{b}-vs-{c}/{d}" for a, b, c, d in TABLES])
def test_relative_risk_matches_statsmodels_log(table: tuple[int, int, int, int]) -> None:
    e1, n1, e2, n2 = table
    ours = stats.relative_risk(e1, n1, e2, n2)
    low, high = confint_proportions_2indep(e1, n1, e2, n2, method="log", compare="ratio")
    assert ours.value == pytest.approx((e1 / n1) / (e2 / n2))
    assert (ours.lower, ours.upper) == pytest.approx((low, high), rel=1e-9)


@pytest.mark.parametrize("table", TABLES, ids=[f"{a}/{b}-vs-{c}/{d}" for a, b, c, d in TABLES])
def test_odds_ratio_matches_statsmodels_logit(table: tuple[int, int, int, int]) -> None:
    e1, n1, e2, n2 = table
    ours = stats.odds_ratio(e1, n1, e2, n2)
    low, high = confint_proportions_2indep(e1, n1, e2, n2, method="logit", compare="odds-ratio")
    assert ours.value == pytest.approx((e1 * (n2 - e2)) / (e2 * (n1 - e1)))
    assert (ours.lower, ours.upper) == pytest.approx((low, high), rel=1e-9)


def test_wilson_interval_matches_statsmodels() -> None:
    assert stats.wilson_interval(50, 174) == pytest.approx(
        proportion_confint(50, 174, method="wilson"), abs=1e-12
    )


def test_primary_endpoint_by_hand() -> None:
    """The DASCERN 12-month table worked by hand: RR = (50/174)/(11/86), Katz SE."""
    rr = (50 / 174) / (11 / 86)
    se = math.sqrt(1 / 50 - 1 / 174 + 1 / 11 - 1 / 86)
    estimate = stats.relative_risk(50, 174, 11, 86)
    assert estimate.value == pytest.approx(rr)
    assert estimate.lower == pytest.approx(math.exp(math.log(rr) - 1.959963984540054 * se))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.relative_risk(0, 10, 3, 10), "at least one event"),
        (lambda: stats.odds_ratio(10, 10, 3, 10), "non-zero"),
        (lambda: stats.risk_difference(11, 10, 3, 10), "events <= total"),
        (lambda: stats.z_for(1.0), "confidence level"),
        (lambda: stats.approximate_events(101, 10), "percentage"),
    ],
)
def test_impossible_inputs_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
