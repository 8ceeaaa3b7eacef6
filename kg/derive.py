"""Derived facts: effect estimates (and the event counts they need) computed from reported figures.

Why they live in their own graph and carry PROV: a consumer must always be able to tell a number
a paper reported from a number this software computed, and to see how it was computed. Reported
facts carry ``prov:wasDerivedFrom`` a source; everything made here carries ``prov:wasGeneratedBy``
an :class:`ekg:Computation` naming its :class:`ekg:StatisticalMethod`. Nothing here is ever
written into ``data/`` by hand.

The triples of each derived fact are written by one function per fact (``write_*``) into a
:class:`TripleWriter`: :func:`derive` passes an rdflib graph, :mod:`kg.synth` N-Triples lines
(a graph per synthetic trial would cost more than the corpus is worth), so a synthetic corpus
carries its derived facts in exactly the structure curated data gets here. They stay in this
module, not a module of their own, because a change to them must rebuild stores
(``kg.build.BUILD_MODULES``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from kg import queries, stats
from kg.vocab import EKG, OBO, PROV, RDF, RDFS, SKOS, XSD, bind_prefixes

SOFTWARE = "evidence-kg 0.1.0"
CONFIDENCE_LEVEL = 0.95
DECIMAL_PLACES = 4


@dataclass(frozen=True)
class Method:
    """A statistical method the code applies, as it is described in the graph."""

    slug: str
    label: str
    definition: str


APPROXIMATE_COUNT = Method(
    "approximate-event-count",
    "Approximate event count from a reported percentage",
    "Events = reported percentage x arm size (participants randomized), rounded half up. The "
    "source reports no count, its percentage is itself rounded, and the denominator it used may "
    "differ from the randomized arm size, so the count is approximate.",
)
NEWCOMBE = Method(
    "newcombe-hybrid-score-risk-difference",
    "Risk difference with Newcombe hybrid score interval",
    "Risk difference p1 - p2 from the 2x2 table of (approximate) event counts; the confidence "
    "interval is Newcombe's hybrid score interval (his method 10) built from the Wilson score "
    "interval of each proportion.",
)
KATZ = Method(
    "katz-log-relative-risk",
    "Relative risk with Wald interval on the log scale (Katz)",
    "Relative risk p1 / p2 from the 2x2 table of (approximate) event counts; the confidence "
    "interval is exp(log RR +/- z * SE) with SE = sqrt(1/a - 1/n1 + 1/c - 1/n2) (Katz).",
)
WOOLF = Method(
    "woolf-log-odds-ratio",
    "Odds ratio with Wald interval on the log scale (Woolf)",
    "Odds ratio ad / bc from the 2x2 table of (approximate) event counts; the confidence "
    "interval is exp(log OR +/- z * SE) with SE = sqrt(1/a + 1/b + 1/c + 1/d) (Woolf).",
)

P_VALUE_THRESHOLD = Method(
    "p-value-threshold-significance",
    "Significance judged from the reported p-value at the 0.05 level",
    "Used only when the source reports a p-value but does not say whether the difference is "
    "significant. Significant when the p-value is below the two-sided level 0.05; a reported "
    "bound decides only when it lies wholly on one side of the level (P < .001 is significant, "
    "P > .1 is not, P < .1 decides nothing and no verdict is recorded).",
)

METHODS = (APPROXIMATE_COUNT, NEWCOMBE, KATZ, WOOLF, P_VALUE_THRESHOLD)
"""Every method a derived fact may name."""

Statistic = Callable[[int, int, int, int, float], stats.Estimate]
ESTIMATORS: tuple[tuple[str, URIRef, URIRef, Method, Statistic], ...] = (
    ("risk-difference", EKG.RiskDifference, OBO.STATO_0000424, NEWCOMBE, stats.risk_difference),
    ("relative-risk", EKG.RelativeRisk, OBO.STATO_0000245, KATZ, stats.relative_risk),
    ("odds-ratio", EKG.OddsRatio, OBO.STATO_0000182, WOOLF, stats.odds_ratio),
)


class TripleWriter(Protocol):
    """Where derived facts go. Subjects and linked nodes are IRIs; a literal is given by its
    lexical form (and datatype), so that every writer produces the same terms."""

    def link(self, subject: str, predicate: URIRef, target: str) -> None: ...

    def text(self, subject: str, predicate: URIRef, value: str) -> None: ...

    def typed(self, subject: str, predicate: URIRef, lexical: str, datatype: URIRef) -> None: ...


class GraphWriter:
    """A :class:`TripleWriter` that adds to an rdflib graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def link(self, subject: str, predicate: URIRef, target: str) -> None:
        self.graph.add((URIRef(subject), predicate, URIRef(target)))

    def text(self, subject: str, predicate: URIRef, value: str) -> None:
        self.graph.add((URIRef(subject), predicate, Literal(value)))

    def typed(self, subject: str, predicate: URIRef, lexical: str, datatype: URIRef) -> None:
        self.graph.add((URIRef(subject), predicate, Literal(lexical, datatype=datatype)))


@dataclass(frozen=True)
class ArmCounts:
    """Events and total for one arm, and whether the events had to be approximated.

    An approximated count carries the range of counts its rounded percentage admits
    (``low``..``high``); a reported count is its own range."""

    result: str
    events: int
    total: int
    approximate: bool
    low: int | None = None
    high: int | None = None
    percentage: str | None = None
    """The reported percentage an approximated count comes from, as written (for notes)."""

    @property
    def admitted(self) -> tuple[int, int]:
        """The counts the source's figure admits (one for a reported count)."""
        return (
            self.events if self.low is None else self.low,
            self.events if self.high is None else self.high,
        )


PROPORTIONS = frozenset({str(EKG.Proportion), str(EKG.Count)})
"""Measure types whose figures are shares of a group counted directly (x of n): the only ones a
2x2 table can be made from."""

NO_TABLE = {
    str(EKG.CumulativeIncidence): "a cumulative incidence comes from a time-to-event analysis that "
    "accounts for censoring; it is not a count of the arm",
    str(EKG.TimeToEventEstimate): "a time-to-event estimate is not a count of the arm",
}


@dataclass(frozen=True)
class ArmFigure:
    """What the 2x2 rule (:func:`two_by_two`) needs to know of one arm's figure.

    ``kind`` is the figure's measure type (the result's own, else its endpoint's); ``percentage``
    is its lexical form as reported, ``decimal_places`` the precision the source gave it."""

    result: str
    kind: str | None
    percentage: str | None = None
    decimal_places: int | None = None
    count: int | None = None
    denominator: int | None = None
    denominator_kind: str | None = None
    arm_size: int | None = None


@dataclass(frozen=True)
class TableVerdict:
    """Whether a 2x2 table can be made of two arms' figures, and if not, why not."""

    first: ArmCounts | None
    second: ArmCounts | None
    reason: str = ""

    @property
    def derivable(self) -> bool:
        return self.first is not None and self.second is not None

    @property
    def approximate(self) -> bool:
        return any(arm is not None and arm.approximate for arm in (self.first, self.second))


def admitted_counts(percentage: str, places: int, total: int) -> tuple[int, int] | None:
    """The counts out of ``total`` whose share rounds (half up) to ``percentage`` at ``places``
    decimal places, as (lowest, highest); None when no count does.

    >>> admitted_counts("29", 0, 174), admitted_counts("13", 0, 86), admitted_counts("29.0", 1, 174)
    ((50, 51), (11, 11), None)
    >>> admitted_counts("0.86", 2, 259), admitted_counts("100", 0, 10), admitted_counts("0", 0, 10)
    (None, (10, 10), (0, 0))
    """
    value = Decimal(percentage)
    half = Decimal(1).scaleb(-places) / 2
    low = max(0, math.ceil((value - half) * total / 100))
    below = (value + half) * total / 100
    high = min(total, math.ceil(below) - 1 if below == int(below) else math.floor(below))
    return (low, high) if low <= high else None


def _places(lexical: str) -> int:
    """Decimal places of a percentage whose precision is not stated: those its value needs."""
    exponent = Decimal(lexical).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def counts_of(figure: ArmFigure) -> ArmCounts | str:
    """The 2x2 row of one arm's figure, or why none can be made (see :func:`two_by_two`)."""
    kind = figure.kind
    if kind is None:
        return "the kind of figure (proportion, cumulative incidence, ...) is not stated"
    if kind in NO_TABLE:
        return NO_TABLE[kind]
    if kind not in PROPORTIONS:
        return f"a {kind.rsplit('/', 1)[-1]} is not a share of the group"
    if figure.denominator_kind == str(EKG.UnknownDenominator):
        return "its denominator is unknown"
    arm_denominator = figure.denominator_kind == str(EKG.ArmDenominator)
    total = figure.denominator or (figure.arm_size if arm_denominator else None)
    if figure.count is not None and total:
        return ArmCounts(figure.result, figure.count, total, approximate=False)
    if figure.percentage is None:
        return "it gives neither a count nor a percentage"
    if figure.denominator_kind is None and figure.denominator is None:
        return "whom its percentage is out of (the arm, the evaluable patients) is not stated"
    if not total:
        return "the size of its denominator is not given"
    places = figure.decimal_places if figure.decimal_places is not None else _places(
        figure.percentage
    )
    admitted = admitted_counts(figure.percentage, places, total)
    if admitted is None:
        return f"no count out of {total} rounds to {figure.percentage}%"
    nearest = min(max(stats.approximate_events(float(figure.percentage), total), admitted[0]),
                  admitted[1])
    return ArmCounts(
        figure.result, nearest, total, approximate=True, low=admitted[0], high=admitted[1],
        percentage=f"{Decimal(figure.percentage):.{places}f}",
    )


def two_by_two(first: ArmFigure, second: ArmFigure) -> TableVerdict:
    """The one rule for deriving risk difference, relative risk and odds ratio, used for curated
    trials, records, registry imports and synthetic corpora alike.

    A table is made only of two proportions (or counts of participants) whose denominators are
    known: a reported count with its denominator is exact; a percentage out of the arm (or out of
    a stated number of evaluable patients) gives a count reconstructed at the nearest whole
    number, with the range of counts the rounded percentage admits, and every estimate resting on
    it is approximate. Cumulative incidences, time-to-event estimates, means, medians and figures
    of an unstated kind or denominator give no table.

    >>> dasatinib = ArmFigure("r1", str(EKG.Proportion), "29.0", 0, denominator_kind=str(
    ...     EKG.ArmDenominator), arm_size=174)
    >>> imatinib = ArmFigure("r2", str(EKG.Proportion), "13.0", 0, denominator_kind=str(
    ...     EKG.ArmDenominator), arm_size=86)
    >>> verdict = two_by_two(dasatinib, imatinib)
    >>> verdict.first.events, verdict.first.admitted, verdict.approximate
    (50, (50, 51), True)
    >>> print(two_by_two(ArmFigure("r1", str(EKG.Mean), "64.0"), imatinib).reason)
    r1: a Mean is not a share of the group
    """
    made = [counts_of(first), counts_of(second)]
    reasons = [
        f"{figure.result}: {outcome}"
        for figure, outcome in zip((first, second), made, strict=True)
        if isinstance(outcome, str)
    ]
    if reasons:
        return TableVerdict(None, None, "; ".join(reasons))
    one, two = made
    assert isinstance(one, ArmCounts) and isinstance(two, ArmCounts)
    return TableVerdict(one, two)


def approximation_note(first: ArmCounts, second: ArmCounts) -> str | None:
    """Why estimates from these counts are approximate, or None when both were reported.

    >>> a = ArmCounts("r1", 50, 174, True, 50, 51, "29")
    >>> approximation_note(a, ArmCounts("r2", 11, 86, False))  # doctest: +ELLIPSIS
    'Rests on a count reconstructed from a rounded percentage: 50 of 174 (29% admits 50 to 51)...'
    """
    parts = []
    for arm in (first, second):
        if arm.approximate:
            low, high = arm.admitted
            admits = f"{low}" if low == high else f"{low} to {high}"
            parts.append(f"{arm.events} of {arm.total} ({arm.percentage}% admits {admits})")
    if not parts:
        return None
    noun = "a count" if len(parts) == 1 else "counts"
    return (
        f"Rests on {noun} reconstructed from a rounded percentage: {', '.join(parts)}. "
        "Left out of pooled analyses."
    )


def decimal_lexical(value: float) -> str:
    """The lexical form of a derived decimal, rounded to a fixed number of places (stable
    across runs), as rdflib writes a :class:`~decimal.Decimal`; a value too small for those
    places keeps as many significant digits instead, so that a ratio's lower limit of 0.00002
    is not written as 0, which no ratio can be.

    >>> decimal_lexical(0.95), decimal_lexical(0.15944), decimal_lexical(2.0)
    ('0.9500', '0.1594', '2.0000')
    >>> decimal_lexical(0.0000231946), decimal_lexical(-0.00004)
    ('0.00002319', '-0.00004000')
    """
    exact = Decimal(repr(value))
    if exact and abs(exact) < Decimal(10) ** -(DECIMAL_PLACES - 1):
        places = DECIMAL_PLACES - 1 - exact.adjusted()
        return f"{round(exact, places):f}"
    return f"{round(exact, DECIMAL_PLACES):f}"


def decimal(value: float) -> Literal:
    """An ``xsd:decimal`` literal rounded to a fixed number of places (stable across runs)."""
    return Literal(decimal_lexical(value), datatype=XSD.decimal)


def _int(term: Identifier | None) -> int | None:
    return int(term) if isinstance(term, Literal) else None


def arm_figure(row: dict[str, Identifier], index: int) -> ArmFigure:
    """The :class:`ArmFigure` of arm ``index`` (1 or 2) of a ``derivable_comparisons`` row."""
    result = row[f"result{index}"]
    assert isinstance(result, URIRef)

    def text(name: str) -> str | None:
        value = row.get(f"{name}{index}")
        return str(value) if value is not None else None

    return ArmFigure(
        str(result),
        kind=text("kind"),
        percentage=text("pct"),
        decimal_places=_int(row.get(f"places{index}")),
        count=_int(row.get(f"count{index}")),
        denominator=_int(row.get(f"den{index}")),
        denominator_kind=text("denKind"),
        arm_size=_int(row.get(f"size{index}")),
    )


def agent_iri(base_iri: str) -> str:
    return f"{base_iri}agent/evidence-kg"


def method_iri(base_iri: str, method: Method) -> str:
    return f"{base_iri}method/{method.slug}"


def count_iri(arm: ArmCounts) -> str:
    """The node an estimate's events come from: the approximate count, or the result itself."""
    return f"{arm.result}/approximate-count" if arm.approximate else arm.result


def write_agent(out: TripleWriter, base_iri: str) -> None:
    """The software agent every computation is associated with."""
    agent = agent_iri(base_iri)
    out.link(agent, RDF.type, PROV.SoftwareAgent)
    out.text(agent, RDFS.label, SOFTWARE)


def write_method(out: TripleWriter, base_iri: str, method: Method) -> None:
    node = method_iri(base_iri, method)
    out.link(node, RDF.type, EKG.StatisticalMethod)
    out.link(node, RDF.type, PROV.Plan)
    out.text(node, RDFS.label, method.label)
    out.text(node, SKOS.definition, method.definition)


def _computation(
    out: TripleWriter,
    node: str,
    label: str,
    base_iri: str,
    method: Method,
    used: Iterable[str],
) -> str:
    agent, plan = agent_iri(base_iri), method_iri(base_iri, method)
    out.link(node, RDF.type, EKG.Computation)
    out.link(node, RDF.type, PROV.Activity)
    out.text(node, RDFS.label, label)
    out.link(node, EKG.method, plan)
    out.link(node, PROV.wasAssociatedWith, agent)
    # The same fact in plain PROV-O, for consumers who do not read our ontology.
    association = f"{node}/association"
    out.link(node, PROV.qualifiedAssociation, association)
    out.link(association, RDF.type, PROV.Association)
    out.link(association, PROV.agent, agent)
    out.link(association, PROV.hadPlan, plan)
    for entity in used:
        out.link(node, PROV.used, entity)
    return node


def write_approximate_count(out: TripleWriter, base_iri: str, arm: ArmCounts) -> None:
    """The derived count node of an approximated arm (nothing for a reported count)."""
    if not arm.approximate:
        return
    node = count_iri(arm)
    activity = _computation(
        out,
        f"{node}/computation",
        "Approximating an event count",
        base_iri,
        APPROXIMATE_COUNT,
        [arm.result],
    )
    out.link(node, RDF.type, EKG.ApproximateEventCount)
    out.text(node, RDFS.label, f"Approximately {arm.events} of {arm.total} (derived)")
    out.link(node, EKG.countFor, arm.result)
    out.typed(node, EKG.count, str(arm.events), XSD.integer)
    out.typed(node, EKG.denominator, str(arm.total), XSD.integer)
    low, high = arm.admitted
    out.typed(node, EKG.countLower, str(low), XSD.integer)
    out.typed(node, EKG.countUpper, str(high), XSD.integer)
    out.link(node, PROV.wasGeneratedBy, activity)
    out.link(node, PROV.wasDerivedFrom, arm.result)


def write_significance(
    out: TripleWriter,
    base_iri: str,
    comparison: str,
    title: str,
    p_value: float,
    p_value_comparator: str | None,
) -> None:
    """A derived verdict for a comparison that reports a p-value but no verdict of its own
    (nothing when the p-value decides nothing).

    Why a node and not ``ekg:significant`` on the comparison: that property is the source's word;
    a consumer must be able to tell it from this software's judgement and see the rule applied.
    """
    verdict, _ = stats.significance(None, p_value, p_value_comparator)
    if verdict is None:
        return
    node = f"{comparison}/significance"
    activity = _computation(
        out,
        f"{node}/computation",
        f"Judging significance: {P_VALUE_THRESHOLD.label}",
        base_iri,
        P_VALUE_THRESHOLD,
        [comparison],
    )
    word = "significant" if verdict else "not significant"
    out.link(comparison, EKG.significanceAssessment, node)
    out.link(node, RDF.type, EKG.SignificanceAssessment)
    out.text(node, RDFS.label, f"{title}: {word} at the 0.05 level (derived)")
    out.typed(node, RDF.value, "true" if verdict else "false", XSD.boolean)
    out.typed(node, EKG.significanceLevel, decimal_lexical(stats.SIGNIFICANCE_LEVEL), XSD.decimal)
    out.link(node, PROV.wasGeneratedBy, activity)
    out.link(node, PROV.wasDerivedFrom, comparison)


def write_estimates(
    out: TripleWriter,
    base_iri: str,
    comparison: str,
    title: str,
    first: ArmCounts,
    second: ArmCounts,
) -> None:
    """Every estimate the 2x2 table of ``first`` (intervention) against ``second``
    (comparator) allows. The approximate counts they rest on are written by
    :func:`write_approximate_count`, once per result however many comparisons use it."""
    inputs = [count_iri(first), count_iri(second)]
    note = approximation_note(first, second)
    for slug, statistic, stato_class, method, estimator in ESTIMATORS:
        try:
            estimate = estimator(
                first.events, first.total, second.events, second.total, CONFIDENCE_LEVEL
            )
        except ValueError:
            continue  # e.g. a zero cell: no ratio can be formed, so none is claimed
        node = f"{comparison}/{slug}"
        activity = _computation(
            out, f"{node}/computation", f"Computing: {method.label}", base_iri, method, inputs
        )
        out.link(comparison, EKG.estimate, node)
        out.link(node, RDF.type, EKG.EffectEstimate)
        out.link(node, RDF.type, stato_class)
        out.text(node, RDFS.label, f"{method.label.split(' with ')[0]}, {title} (derived)")
        out.link(node, EKG.statistic, statistic)
        out.typed(node, RDF.value, decimal_lexical(estimate.value), XSD.decimal)
        out.typed(node, EKG.ciLower, decimal_lexical(estimate.lower), XSD.decimal)
        out.typed(node, EKG.ciUpper, decimal_lexical(estimate.upper), XSD.decimal)
        out.typed(node, EKG.ciLevel, decimal_lexical(estimate.level), XSD.decimal)
        if note is not None:
            out.typed(node, EKG.approximate, "true", XSD.boolean)
            out.text(node, EKG.approximationNote, note)
        out.link(node, PROV.wasGeneratedBy, activity)
        for entity in inputs:
            out.link(node, PROV.wasDerivedFrom, entity)


def derive(curated: Graph, *, base_iri: str) -> Graph:
    """Compute every derivable estimate and verdict in ``curated``; returns only the new triples."""
    derived = bind_prefixes(Graph())
    out = GraphWriter(derived)
    write_agent(out, base_iri)
    for result_row in curated.query(queries.load("significance_inputs")):
        row = result_row.asdict()  # type: ignore[union-attr]
        comparison, p_value = row["comparison"], row["pValue"]
        assert isinstance(comparison, URIRef) and isinstance(p_value, Literal)
        comparator = row.get("comparator")
        title = str(row.get("label") or comparison)
        write_significance(
            out,
            base_iri,
            str(comparison),
            title,
            float(p_value),
            str(comparator) if comparator is not None else None,
        )
    for result_row in curated.query(queries.load("derivable_comparisons")):
        row = result_row.asdict()  # type: ignore[union-attr]
        comparison = row["comparison"]
        assert isinstance(comparison, URIRef)
        verdict = two_by_two(arm_figure(row, 1), arm_figure(row, 2))
        first, second = verdict.first, verdict.second
        if first is None or second is None:
            continue
        write_approximate_count(out, base_iri, first)
        write_approximate_count(out, base_iri, second)
        title = str(row.get("label") or comparison)
        write_estimates(out, base_iri, str(comparison), title, first, second)
    # A method is described where some computation ran it, and only then.
    for method in METHODS:
        if (None, EKG.method, URIRef(method_iri(base_iri, method))) in derived:
            write_method(out, base_iri, method)
    return derived
