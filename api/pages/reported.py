"""What a trial's sources reported, endpoint by endpoint: the section a trial page leads with.

Why first: a reader comes to a trial for its results as published ("29% vs 13%, P = .005"), and
the page drew only the estimates computed here. Each figure shows as its source gave it (value,
unit, measure, analysis population, the p-value with its bound), with the keys of its sources
linked to their DOI; what this software derived (approximate counts, effect estimates, a
significance verdict) stands beside it, marked derived, with its method.

Why from GraphQL data (``api/pages/queries/trial_page.graphql``): the read model maps the graph
to these fields once for the API and for the page, so a trial imported from a registry, with
other kinds of figures and sources, renders through this same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from api.pages.layout import esc, link

Data = Mapping[str, Any]
LocalHref = Callable[[str], str | None]

STATISTIC_NAMES = {
    "RISK_DIFFERENCE": "Risk difference",
    "RELATIVE_RISK": "Relative risk",
    "ODDS_RATIO": "Odds ratio",
    "HAZARD_RATIO": "Hazard ratio",
    "PROPORTION": "Proportion",
    "OTHER": "Estimate",
}


def number(value: float | int) -> str:
    """A figure as a source writes it: no trailing ``.0``, no float noise.

    >>> number(29.0), number(0.1594), number(2.2466), number(1e-05)
    ('29', '0.1594', '2.2466', '0.00001')
    """
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def figure(result: Data) -> str:
    """An arm's reported figure with its unit and measure, its digits as the source wrote them.

    >>> figure({"value": 29.0, "unit": "%"})
    '29%'
    >>> figure({"value": 14.2, "unit": "months", "measure": "median"})
    'median 14.2 months'
    >>> figure({"value": None, "count": 12, "denominator": 40, "countDerived": False})
    '12/40'
    >>> figure({"value": 7.0, "valueAsReported": "7.0", "unit": "percentage of subjects"})
    '7.0 percentage of subjects'
    >>> figure({"value": None, "valueAsReported": "NA", "unit": "µg/mL"})
    'NA'
    """
    value, as_reported = result.get("value"), result.get("valueAsReported")
    if value is None and as_reported is not None:
        return str(as_reported)  # "NA", "≥4-fold": no number, so no unit either
    if value is None:
        count, denominator = result.get("count"), result.get("denominator")
        if count is None or result.get("countDerived"):
            return "not reported"
        return f"{count}/{denominator}" if denominator is not None else str(count)
    digits = str(as_reported) if as_reported is not None else number(value)
    unit = result.get("unit") or ""
    text = f"{digits}{unit}" if unit == "%" else f"{digits} {unit}".strip()
    spread = _spread(result)
    text = f"{text} ({spread})" if spread else text
    measure = result.get("measure")
    return f"{measure} {text}" if measure else text


def _as_given(data: Data, field: str) -> str | None:
    """A figure's ``field`` in the source's own digits (its ``…AsReported`` text when kept)."""
    text = data.get(f"{field}AsReported")
    if text is not None:
        return str(text)
    value = data.get(field)
    return number(value) if value is not None else None


def _spread(result: Data) -> str:
    """The spread or interval a source gives beside an arm's figure.

    >>> _spread({"dispersion": 1.5, "dispersionType": "Standard deviation"})
    'Standard deviation 1.5'
    >>> _spread({"lowerLimit": 0.1, "upperLimit": 0.7, "dispersionType": "Geometric coefficient of variation"})
    'Geometric coefficient of variation 0.1 to 0.7'
    >>> _spread({"lowerLimit": 2.0, "lowerLimitAsReported": "2.0", "upperLimit": None,
    ...          "upperLimitAsReported": "NA", "ciLevel": 0.95})
    '95% CI 2.0 to NA'
    """
    kind = result.get("dispersionType") or ""
    parts = []
    dispersion = _as_given(result, "dispersion")
    if dispersion is not None:
        parts.append(f"{kind or 'spread'} {dispersion}")
    low, high = _as_given(result, "lowerLimit"), _as_given(result, "upperLimit")
    if low is not None or high is not None:
        level = result.get("ciLevel")
        name = f"{number(100 * level)}% CI" if level else "" if dispersion is not None else kind or "range"
        parts.append(f"{name} {low or '?'} to {high or '?'}".strip())
    return "; ".join(parts)


def p_value(value: float, comparator: str | None = None, as_reported: str | None = None) -> str:
    """A p-value as journals print it (no leading zero), with its bound when only one is given;
    a source's own text ("<0.001", "=0.247") keeps its digits.

    >>> p_value(0.005), p_value(0.001, "<"), p_value(0.52)
    ('P = .005', 'P < .001', 'P = .52')
    >>> p_value(0.001, "<", "<0.001"), p_value(0.247, None, "=0.247"), p_value(0.05, "<=", "≤ 0.05")
    ('P < 0.001', 'P = 0.247', 'P ≤ 0.05')
    """
    if as_reported:
        text = str(as_reported).strip()
        bound = next((b for b in ("<=", ">=", "≤", "≥", "<", ">", "=") if text.startswith(b)), "=")
        return f"P {bound} {text.removeprefix(bound).strip()}"
    digits = number(value)
    digits = digits[1:] if digits.startswith("0.") else digits
    return f"P {comparator or '='} {digits}"


def _cite(source: Data) -> str:
    document = source.get("document") or {}
    publication = source.get("publication") or {}
    key = publication.get("key") or document.get("key") or document.get("label") or "source"
    url = publication.get("url") or document.get("url")
    title = source.get("statement") or document.get("label") or ""
    if url:
        return f'<a href="{esc(url)}" title="{esc(title)}" rel="noreferrer noopener">{esc(key)}</a>'
    return f'<span title="{esc(title)}">{esc(key)}</span>'


def citations(sources: Sequence[Data] | None) -> str:
    """The keys of ``sources``, each linked to its DOI, its statement as a tooltip."""
    if not sources:
        return '<span class="dt">no source given</span>'
    return '<span class="cite">[' + ", ".join(_cite(s) for s in sources) + "]</span>"


def _derived(text: str, method: str | None) -> str:
    how = f": {esc(method)}" if method else ""
    return f'<span class="derived">{esc(text)} <span class="dt">(derived{how})</span></span>'


def _estimate(estimate: Data) -> str:
    name = estimate.get("statisticAsReported") or STATISTIC_NAMES.get(str(estimate.get("statistic")), "Estimate")
    value, as_reported = estimate.get("value"), estimate.get("valueAsReported")
    digits = as_reported if as_reported is not None else number(value) if value is not None else None
    text = f"{name} {digits}" if digits is not None else name
    low, high, level = _as_given(estimate, "ciLower"), _as_given(estimate, "ciUpper"), estimate.get("ciLevel")
    if low is not None and high is not None:
        text += (
            f" ({number(100 * level) + '% ' if level else ''}CI {low} to {high})"
        )
    if estimate.get("derived"):
        return _derived(text, (estimate.get("method") or {}).get("name"))
    return f"{esc(text)} {citations(estimate.get('sources'))}"


def _label(node: Data | None) -> str:
    return str((node or {}).get("label") or "")


def headline(comparison: Data, results: Mapping[str, Data]) -> str:
    """One line as a paper would put it: each arm's figure, then the p-value.

    >>> headline(
    ...     {"interventionResult": {"id": "a"}, "comparatorResult": {"id": "b"},
    ...      "pValue": 0.005, "pValueComparator": None},
    ...     {"a": {"value": 29.0, "unit": "%"}, "b": {"value": 13.0, "unit": "%"}},
    ... )
    '29% vs 13%, P = .005'
    """
    left = results.get((comparison.get("interventionResult") or {}).get("id", ""))
    right = results.get((comparison.get("comparatorResult") or {}).get("id", ""))
    parts = []
    if left is not None and right is not None:
        parts.append(f"{figure(left)} vs {figure(right)}")
    if comparison.get("pValue") is not None or comparison.get("pValueAsReported"):
        parts.append(p_value(comparison.get("pValue") or 0.0, comparison.get("pValueComparator"),
                             comparison.get("pValueAsReported")))
    return ", ".join(parts)


def _significance(comparison: Data) -> str:
    significant = comparison.get("significant")
    if significant is None:
        return "significance not stated"
    verdict = "significant" if significant else "not significant"
    if not comparison.get("significanceDerived"):
        return f"{verdict} (as reported)"
    assessment = comparison.get("significanceAssessment") or {}
    level = assessment.get("level")
    method = (assessment.get("method") or {}).get("name")
    at = f" at the {number(level)} level" if level is not None else ""
    return _derived(f"{verdict}{at}", method)


def _comparison(comparison: Data, results: Mapping[str, Data]) -> str:
    line = headline(comparison, results)
    arms = f"{_label(comparison.get('intervention'))} vs {_label(comparison.get('comparator'))}"
    estimates = comparison.get("estimates") or []
    reported = [e for e in estimates if not e.get("derived")]
    derived = [e for e in estimates if e.get("derived")]
    details = [f"<li>{_significance(comparison)}</li>"]
    population = _label(comparison.get("analysisPopulation"))
    if population or comparison.get("analysisMethod"):
        analysis = ", ".join(x for x in (population, comparison.get("analysisMethod") or "") if x)
        details.append(f"<li>Analysis: {esc(analysis)}</li>")
    details += [f"<li>Reported: {_estimate(e)}</li>" for e in reported]
    details += [f"<li>{_estimate(e)}</li>" for e in derived]
    report = _label(comparison.get("report"))
    return (
        '<div class="comparison">'
        f'<p class="headline"><strong>{esc(line) or "No figures reported"}</strong> '
        f"{citations(comparison.get('sources'))}</p>"
        f'<p class="dt">{esc(arms)}{" · " + esc(report) if report else ""}</p>'
        f"<ul>{''.join(details)}</ul></div>"
    )


def _result_row(result: Data, local_href: LocalHref) -> str:
    arm = result.get("arm") or {}
    href = local_href(str(arm.get("id", "")))
    name = link(href, _label(arm)) if href else esc(_label(arm))
    shown = esc(figure(result))
    if result.get("derived"):
        shown = _derived(figure(result), None)
    elif result.get("note"):
        shown += f' <span class="dt">({esc(result["note"])})</span>'
    count = ""
    if result.get("count") is not None and result.get("countDerived"):
        approx = f"≈{result['count']}/{result.get('denominator')}"
        count = _derived(approx, result.get("countMethod"))
    elif result.get("count") is not None and result.get("value") is not None:
        count = esc(f"{result['count']}/{result.get('denominator')}")
    return (
        f'<tr><td>{name}</td><td class="num">{shown}</td><td>{count}</td>'
        f"<td>{esc(_label(result.get('analysisPopulation')) or 'not stated')}</td>"
        f"<td>{esc(_label(result.get('report')))}</td>"
        f"<td>{citations(result.get('sources'))}</td></tr>"
    )


def _endpoint(endpoint: Data, local_href: LocalHref) -> str:
    results = endpoint.get("results") or []
    comparisons = endpoint.get("comparisons") or []
    if not results and not comparisons:
        return ""
    by_id = {r["id"]: r for r in results}
    about = " · ".join(
        esc(x)
        for x in (str(endpoint.get("kind") or "").lower(), endpoint.get("timeFrame") or "")
        if x
    )
    href = local_href(str(endpoint.get("id", "")))
    name = str(endpoint.get("name") or endpoint.get("id"))
    title = link(href, name) if href else esc(name)
    rows = "".join(_result_row(r, local_href) for r in results)
    table = (
        "<table><thead><tr><th>Arm</th><th>Reported</th><th>Count</th>"
        "<th>Analysis population</th><th>Report</th><th>Sources</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if results
        else ""
    )
    body = "".join(_comparison(c, by_id) for c in comparisons)
    return f'<section class="endpoint"><h3>{title} <span class="dt">{about}</span></h3>{body}{table}</section>'


def _documents(endpoints: Iterable[Data]) -> list[Data]:
    """Every source document the section cites, once, by key."""
    seen: dict[str, Data] = {}

    def collect(sources: Iterable[Data] | None) -> None:
        for source in sources or ():
            document = source.get("document") or {}
            if document.get("id") and document["id"] not in seen:
                seen[document["id"]] = {**document, **(source.get("publication") or {})}

    for endpoint in endpoints:
        for result in endpoint.get("results") or []:
            collect(result.get("sources"))
        for comparison in endpoint.get("comparisons") or []:
            collect(comparison.get("sources"))
            for estimate in comparison.get("estimates") or []:
                collect(estimate.get("sources"))
    return sorted(seen.values(), key=lambda d: (str(d.get("key") or "~"), str(d.get("label"))))


def reported_section(trial: Data, local_href: LocalHref) -> str:
    """The section a trial page leads with (empty when the trial has no results yet)."""
    endpoints = trial.get("endpoints") or []
    parts = [_endpoint(e, local_href) for e in endpoints]
    if not any(parts):
        return ""
    sources = "".join(
        f"<li><strong>{esc(d.get('key') or '')}</strong> "
        + (
            link(d["url"], d.get("label") or d["url"], external=True)
            if d.get("url")
            else esc(d.get("label") or "")
        )
        + (f' <span class="dt">doi:{esc(d["doi"])}</span>' if d.get("doi") else "")
        + "</li>"
        for d in _documents(endpoints)
    )
    return (
        '<section id="reported"><h2>What was reported</h2>'
        "<p>Each figure as its source gave it, the source's key linked to it (its statement on "
        "hover); figures computed here are marked <em>derived</em>, with their method.</p>"
        f'{"".join(parts)}<h3>Sources</h3><ul class="sources">{sources}</ul></section>'
    )
