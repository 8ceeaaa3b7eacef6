"""The forest plot's sides: which side of no effect favours which arm, from the endpoints."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from api.pages.forest import forest_plot
from kg.describe import EstimateView

SVG = "{http://www.w3.org/2000/svg}"


def _estimate(
    name: str, higher_is_better: bool | None, statistic: str = "RiskDifference", value: float = 0.1
) -> EstimateView:
    return EstimateView(
        estimate=f"https://example.org/{name}",
        comparison=f"https://example.org/{name}/comparison",
        comparison_label=f"{name}: intervention vs comparator",
        statistic=f"https://w3id.org/evidence-kg/ontology/{statistic}",
        statistic_label=statistic,
        value=value,
        ci_lower=value - 0.08,
        ci_upper=value + 0.08,
        ci_level=0.95,
        derived=True,
        higher_is_better=higher_is_better,
    )


def _plot(*estimates: EstimateView) -> ElementTree.Element:
    svg = re.search(r"<svg.*?</svg>", forest_plot(estimates, title="t"), re.DOTALL)
    assert svg is not None
    return ElementTree.fromstring(svg.group(0))


def _groups(root: ElementTree.Element, css_class: str) -> list[ElementTree.Element]:
    return [g for g in root.iter(f"{SVG}g") if css_class in g.attrib.get("class", "").split()]


def test_a_panel_of_higher_is_better_endpoints_favours_the_intervention_on_the_right() -> None:
    root = _plot(_estimate("response", True), _estimate("remission", True))
    [sides] = _groups(root, "sides")
    assert sides.attrib["data-right-favours"] == "intervention"
    assert [t.text for t in sides.iter(f"{SVG}text")] == [
        "← favours comparator",
        "favours intervention →",
    ]
    assert {g.attrib["data-better"] for g in _groups(root, "estimate")} == {"higher"}


def test_a_lower_is_better_panel_turns_the_sides_round() -> None:
    root = _plot(_estimate("progression", False))
    [sides] = _groups(root, "sides")
    assert sides.attrib["data-right-favours"] == "comparator"
    [row] = _groups(root, "estimate")
    assert row.attrib["data-better"] == "lower"
    assert "lower is better" in (row.findtext(f"{SVG}title") or "")


def test_a_mixed_panel_labels_each_row_and_draws_no_sides() -> None:
    root = _plot(_estimate("response", True), _estimate("progression", False))
    assert _groups(root, "sides") == []
    labels = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any(label.endswith("(↑ better)") for label in labels)
    assert any(label.endswith("(↓ better)") for label in labels)


def test_endpoints_that_do_not_say_leave_the_sides_unsaid() -> None:
    root = _plot(_estimate("safety", None))
    assert _groups(root, "sides") == []
    [row] = _groups(root, "estimate")
    assert row.attrib["data-better"] == ""


def test_a_hazard_ratio_leaves_the_sides_unsaid() -> None:
    """The endpoint's higher figures (survival) are better, but the hazard is of death."""
    root = _plot(_estimate("overall survival", True, "HazardRatio", 0.8))
    assert _groups(root, "sides") == []
    [row] = _groups(root, "estimate")
    assert row.attrib["data-better"] == ""


def test_ratios_on_a_log_axis_and_their_logarithms_on_a_linear_one() -> None:
    """A log hazard ratio is negative when the hazard falls: no effect at 0, a linear axis
    (it was once taken for a ratio by its name, and the page failed on the negative value)."""
    root = _plot(
        _estimate("death", None, "LogHazardRatio", -0.3),
        _estimate("death", None, "HazardRatio", 0.74),
    )
    scales = {
        g.attrib["data-statistic"].rsplit("/", 1)[-1]: g.attrib["data-scale"]
        for g in _groups(root, "panel")
    }
    assert scales == {"LogHazardRatio": "linear", "HazardRatio": "log"}
