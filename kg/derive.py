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
    """Events and total for one arm, and whether the events had to be approximated."""

    result: str
    events: int
    total: int
    approximate: bool


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


def counts_for(
    result: str,
    *,
    percentage: float | None,
    count: int | None = None,
    denominator: int | None = None,
    size: int | None = None,
) -> ArmCounts | None:
    """The 2x2 row for one arm result: its reported count and denominator (or the arm size) if
    given, else the count approximated from its percentage and the arm size, else nothing.

    >>> counts_for("r", percentage=29.0, size=174)
    ArmCounts(result='r', events=50, total=174, approximate=True)
    >>> counts_for("r", percentage=30.6, count=30, denominator=98, size=100).approximate
    False
    """
    if count is not None and (denominator or size):
        return ArmCounts(result, count, denominator or size or 0, approximate=False)
    if percentage is not None and size:
        return ArmCounts(result, stats.approximate_events(percentage, size), size, approximate=True)
    return None


def arm_counts(row: dict[str, Identifier], index: int) -> ArmCounts | None:
    """:func:`counts_for` the arm ``index`` (1 or 2) of a ``derivable_comparisons`` row."""
    result = row[f"result{index}"]
    assert isinstance(result, URIRef)
    percentage = row.get(f"pct{index}")
    return counts_for(
        str(result),
        percentage=float(percentage) if isinstance(percentage, Literal) else None,
        count=_int(row.get(f"count{index}")),
        denominator=_int(row.get(f"den{index}")),
        size=_int(row.get(f"size{index}")),
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
        first, second = arm_counts(row, 1), arm_counts(row, 2)
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
