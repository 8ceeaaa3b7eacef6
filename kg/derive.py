"""Derived facts: effect estimates (and the event counts they need) computed from reported figures.

Why they live in their own graph and carry PROV: a consumer must always be able to tell a number
a paper reported from a number this software computed, and to see how it was computed. Reported
facts carry ``prov:wasDerivedFrom`` a source; everything made here carries ``prov:wasGeneratedBy``
an :class:`ekg:Computation` naming its :class:`ekg:StatisticalMethod`. Nothing here is ever
written into ``data/`` by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

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

Statistic = Callable[[int, int, int, int, float], stats.Estimate]
ESTIMATORS: tuple[tuple[str, URIRef, URIRef, Method, Statistic], ...] = (
    ("risk-difference", EKG.RiskDifference, OBO.STATO_0000424, NEWCOMBE, stats.risk_difference),
    ("relative-risk", EKG.RelativeRisk, OBO.STATO_0000245, KATZ, stats.relative_risk),
    ("odds-ratio", EKG.OddsRatio, OBO.STATO_0000182, WOOLF, stats.odds_ratio),
)


@dataclass(frozen=True)
class ArmCounts:
    """Events and total for one arm, and whether the events had to be approximated."""

    result: URIRef
    events: int
    total: int
    approximate: bool


def decimal(value: float) -> Literal:
    """An ``xsd:decimal`` literal rounded to a fixed number of places (stable across runs)."""
    return Literal(round(Decimal(repr(value)), DECIMAL_PLACES), datatype=XSD.decimal)


def _int(term: Identifier | None) -> int | None:
    return int(term) if isinstance(term, Literal) else None


def arm_counts(row: dict[str, Identifier], index: int) -> ArmCounts | None:
    """The 2x2 row for one arm: reported count and denominator if given, else approximated."""
    result = row[f"result{index}"]
    assert isinstance(result, URIRef)
    count, denominator = _int(row.get(f"count{index}")), _int(row.get(f"den{index}"))
    size = _int(row.get(f"size{index}"))
    if count is not None and (denominator or size):
        return ArmCounts(result, count, denominator or size or 0, approximate=False)
    percentage = row.get(f"pct{index}")
    if isinstance(percentage, Literal) and size:
        return ArmCounts(
            result, stats.approximate_events(float(percentage), size), size, approximate=True
        )
    return None


def _describe_method(graph: Graph, base_iri: str, method: Method) -> URIRef:
    node = URIRef(f"{base_iri}method/{method.slug}")
    graph.add((node, RDF.type, EKG.StatisticalMethod))
    graph.add((node, RDF.type, PROV.Plan))
    graph.add((node, RDFS.label, Literal(method.label)))
    graph.add((node, SKOS.definition, Literal(method.definition)))
    return node


def _computation(
    graph: Graph, node: URIRef, label: str, method: URIRef, used: Iterable[URIRef], agent: URIRef
) -> URIRef:
    graph.add((node, RDF.type, EKG.Computation))
    graph.add((node, RDF.type, PROV.Activity))
    graph.add((node, RDFS.label, Literal(label)))
    graph.add((node, EKG.method, method))
    graph.add((node, PROV.wasAssociatedWith, agent))
    # The same fact in plain PROV-O, for consumers who do not read our ontology.
    association = URIRef(f"{node}/association")
    graph.add((node, PROV.qualifiedAssociation, association))
    graph.add((association, RDF.type, PROV.Association))
    graph.add((association, PROV.agent, agent))
    graph.add((association, PROV.hadPlan, method))
    for entity in used:
        graph.add((node, PROV.used, entity))
    return node


def _count_node(graph: Graph, base_iri: str, agent: URIRef, arm: ArmCounts) -> URIRef:
    """The derived count node for an approximated arm, or the result itself when reported."""
    if not arm.approximate:
        return arm.result
    node = URIRef(f"{arm.result}/approximate-count")
    method = _describe_method(graph, base_iri, APPROXIMATE_COUNT)
    activity = _computation(
        graph,
        URIRef(f"{node}/computation"),
        "Approximating an event count",
        method,
        [arm.result],
        agent,
    )
    graph.add((node, RDF.type, EKG.ApproximateEventCount))
    graph.add((node, RDFS.label, Literal(f"Approximately {arm.events} of {arm.total} (derived)")))
    graph.add((node, EKG.countFor, arm.result))
    graph.add((node, EKG.count, Literal(arm.events, datatype=XSD.integer)))
    graph.add((node, EKG.denominator, Literal(arm.total, datatype=XSD.integer)))
    graph.add((node, PROV.wasGeneratedBy, activity))
    graph.add((node, PROV.wasDerivedFrom, arm.result))
    return node


def _assess_significance(curated: Graph, derived: Graph, base_iri: str, agent: URIRef) -> None:
    """A derived verdict for each comparison that reports a p-value but no verdict of its own.

    Why a node and not ``ekg:significant`` on the comparison: that property is the source's word;
    a consumer must be able to tell it from this software's judgement and see the rule applied.
    """
    for result_row in curated.query(queries.load("significance_inputs")):
        row = result_row.asdict()  # type: ignore[union-attr]
        comparison, p_value = row["comparison"], row["pValue"]
        assert isinstance(comparison, URIRef) and isinstance(p_value, Literal)
        comparator = row.get("comparator")
        verdict, _ = stats.significance(
            None, float(p_value), str(comparator) if comparator is not None else None
        )
        if verdict is None:
            continue
        node = URIRef(f"{comparison}/significance")
        method = _describe_method(derived, base_iri, P_VALUE_THRESHOLD)
        activity = _computation(
            derived,
            URIRef(f"{node}/computation"),
            f"Judging significance: {P_VALUE_THRESHOLD.label}",
            method,
            [comparison],
            agent,
        )
        title = str(row.get("label") or comparison)
        word = "significant" if verdict else "not significant"
        derived.add((comparison, EKG.significanceAssessment, node))
        derived.add((node, RDF.type, EKG.SignificanceAssessment))
        derived.add((node, RDFS.label, Literal(f"{title}: {word} at the 0.05 level (derived)")))
        derived.add((node, RDF.value, Literal(verdict)))
        derived.add((node, EKG.significanceLevel, decimal(stats.SIGNIFICANCE_LEVEL)))
        derived.add((node, PROV.wasGeneratedBy, activity))
        derived.add((node, PROV.wasDerivedFrom, comparison))


def derive(curated: Graph, *, base_iri: str) -> Graph:
    """Compute every derivable estimate and verdict in ``curated``; returns only the new triples."""
    derived = bind_prefixes(Graph())
    agent = URIRef(f"{base_iri}agent/evidence-kg")
    derived.add((agent, RDF.type, PROV.SoftwareAgent))
    derived.add((agent, RDFS.label, Literal(SOFTWARE)))
    _assess_significance(curated, derived, base_iri, agent)
    for result_row in curated.query(queries.load("derivable_comparisons")):
        row = result_row.asdict()  # type: ignore[union-attr]
        comparison = row["comparison"]
        assert isinstance(comparison, URIRef)
        first, second = arm_counts(row, 1), arm_counts(row, 2)
        if first is None or second is None:
            continue
        inputs = [
            _count_node(derived, base_iri, agent, first),
            _count_node(derived, base_iri, agent, second),
        ]
        title = str(row.get("label") or comparison)
        for slug, statistic, stato_class, method, estimator in ESTIMATORS:
            try:
                estimate = estimator(
                    first.events, first.total, second.events, second.total, CONFIDENCE_LEVEL
                )
            except ValueError:
                continue  # e.g. a zero cell: no ratio can be formed, so none is claimed
            node = URIRef(f"{comparison}/{slug}")
            method_node = _describe_method(derived, base_iri, method)
            activity = _computation(
                derived,
                URIRef(f"{node}/computation"),
                f"Computing: {method.label}",
                method_node,
                inputs,
                agent,
            )
            derived.add((comparison, EKG.estimate, node))
            derived.add((node, RDF.type, EKG.EffectEstimate))
            derived.add((node, RDF.type, stato_class))
            derived.add(
                (node, RDFS.label, Literal(f"{method.label.split(' with ')[0]}, {title} (derived)"))
            )
            derived.add((node, EKG.statistic, statistic))
            derived.add((node, RDF.value, decimal(estimate.value)))
            derived.add((node, EKG.ciLower, decimal(estimate.lower)))
            derived.add((node, EKG.ciUpper, decimal(estimate.upper)))
            derived.add((node, EKG.ciLevel, decimal(estimate.level)))
            derived.add((node, PROV.wasGeneratedBy, activity))
            for entity in inputs:
                derived.add((node, PROV.wasDerivedFrom, entity))
    return derived
