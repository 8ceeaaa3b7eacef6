"""Derived facts: what is computed, how it is marked, and that it never leaks into data/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef

from kg.derive import ESTIMATORS, derive
from kg.settings import Settings
from kg.vocab import EKG, OBO, PROV, RDF, SKOS, XSD

BASE = Settings().base_iri
T = f"{BASE}trial/dascern/"


@pytest.fixture(scope="module")
def derived(graph: Graph) -> Graph:
    return derive(graph, base_iri=BASE)


def test_only_comparisons_of_proportions_get_estimates(derived: Graph) -> None:
    """DASCERN's primary comparison (MMR at 12 months, proportions of each arm) gets the three
    estimates; its cumulative MMR rates by 2 and 5 years are cumulative incidences from a
    time-to-event analysis, not counts of the arms, and get none."""
    primary = {
        derived.value(e, EKG.statistic)
        for e in derived.objects(URIRef(T + "comparison-mmr-12m"), EKG.estimate)
    }
    assert primary == {EKG.RiskDifference, EKG.RelativeRisk, EKG.OddsRatio}
    for name in (
        "comparison-cumulative-mmr-2y-crossover-adjusted",
        "comparison-cumulative-mmr-2y-itt",
        "comparison-cumulative-mmr-5y",
        "comparison-os-2y",  # no figures at all: nothing is invented either
    ):
        assert not set(derived.objects(URIRef(T + name), EKG.estimate)), name
    assert not set(derived.subjects(EKG.countFor, URIRef(T + "result-cumulative-mmr-5y-dasatinib")))


def test_estimates_on_reconstructed_counts_are_approximate_and_say_why(derived: Graph) -> None:
    """29% of 174 admits 50 or 51 patients: the count kept is the nearest (50), its range goes
    with it, and every estimate resting on it is flagged approximate with the reason."""
    count = URIRef(T + "result-mmr-12m-dasatinib/approximate-count")
    assert derived.value(count, EKG.countLower) == Literal(50, datatype=XSD.integer)
    assert derived.value(count, EKG.countUpper) == Literal(51, datatype=XSD.integer)
    imatinib = URIRef(T + "result-mmr-12m-imatinib/approximate-count")
    assert derived.value(imatinib, EKG.countLower) == derived.value(imatinib, EKG.countUpper)
    for slug in ("risk-difference", "relative-risk", "odds-ratio"):
        estimate = URIRef(T + f"comparison-mmr-12m/{slug}")
        assert derived.value(estimate, EKG.approximate) == Literal(True)
        note = str(derived.value(estimate, EKG.approximationNote))
        assert "50 of 174 (29% admits 50 to 51)" in note and "11 of 86 (13% admits 11)" in note


def test_primary_endpoint_estimates_are_typed_valued_and_generated(derived: Graph) -> None:
    rd = URIRef(T + "comparison-mmr-12m/risk-difference")
    assert (rd, RDF.type, OBO.STATO_0000424) in derived
    value = derived.value(rd, RDF.value)
    assert isinstance(value, Literal) and value.datatype == XSD.decimal
    assert value.toPython() == Decimal("0.1594")
    assert derived.value(rd, EKG.ciLower).toPython() == Decimal("0.0528")  # type: ignore[union-attr]
    assert derived.value(rd, EKG.ciUpper).toPython() == Decimal("0.2494")  # type: ignore[union-attr]
    assert derived.value(rd, EKG.ciLevel).toPython() == Decimal("0.95")  # type: ignore[union-attr]
    computation = derived.value(rd, PROV.wasGeneratedBy)
    method = derived.value(computation, EKG.method)
    assert "Newcombe" in str(derived.value(method, SKOS.definition))
    association = derived.value(computation, PROV.qualifiedAssociation)
    assert derived.value(association, PROV.hadPlan) == method


def test_approximate_counts_are_derived_and_say_so(derived: Graph) -> None:
    count = URIRef(T + "result-mmr-12m-dasatinib/approximate-count")
    assert (count, RDF.type, EKG.ApproximateEventCount) in derived
    assert derived.value(count, EKG.count) == Literal(50, datatype=XSD.integer)
    assert derived.value(count, EKG.denominator) == Literal(174, datatype=XSD.integer)
    method = derived.value(derived.value(count, PROV.wasGeneratedBy), EKG.method)
    assert "approximate" in str(derived.value(method, SKOS.definition))


def test_reported_counts_win_over_approximation() -> None:
    """A result that reports its count is used as is: no approximate count is minted for it."""
    curated = Graph().parse(
        data="""
        @prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
        <c> a ekg:Comparison ; ekg:intervention <a1> ; ekg:comparator <a2> ;
            ekg:interventionResult <r1> ; ekg:comparatorResult <r2> .
        <a1> ekg:participants 100 . <a2> ekg:participants 100 .
        <r1> ekg:measureType ekg:Proportion ; ekg:count 30 ; ekg:denominator 98 ;
            ekg:percentage 30.6 .
        <r2> ekg:measureType ekg:Proportion ; ekg:percentage 10.0 ;
            ekg:denominatorKind ekg:ArmDenominator .
        """,
        format="turtle",
        publicID=BASE,
    )
    derived = derive(curated, base_iri=BASE)
    assert not set(derived.subjects(EKG.countFor, URIRef(BASE + "r1")))
    assert set(derived.subjects(EKG.countFor, URIRef(BASE + "r2")))
    rd = derived.value(URIRef(BASE + "c/risk-difference"), RDF.value)
    assert float(rd) == pytest.approx(30 / 98 - 10 / 100, abs=1e-4)  # type: ignore[arg-type]


def _zero_cell_comparison() -> Graph:
    """A comparison whose comparator arm has no events: no ratio can be computed from it."""
    return Graph().parse(
        data="""
        @prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
        <c> a ekg:Comparison ; ekg:intervention <a1> ; ekg:comparator <a2> ;
            ekg:interventionResult <r1> ; ekg:comparatorResult <r2> .
        <a1> ekg:participants 50 . <a2> ekg:participants 50 .
        <r1> ekg:measureType ekg:Proportion ; ekg:percentage 20.0 ;
            ekg:denominatorKind ekg:ArmDenominator .
        <r2> ekg:measureType ekg:Proportion ; ekg:percentage 0.0 ;
            ekg:denominatorKind ekg:ArmDenominator .
        """,
        format="turtle",
        publicID=BASE,
    )


@pytest.mark.parametrize(
    ("facts", "derivable"),
    [
        ("ekg:measureType ekg:Proportion ; ekg:denominatorKind ekg:ArmDenominator", True),
        ("ekg:measureType ekg:Proportion ; ekg:denominatorKind ekg:UnknownDenominator", False),
        ("ekg:measureType ekg:Proportion", False),  # whom it is out of is not said
        ("ekg:denominatorKind ekg:ArmDenominator", False),  # what kind of figure is not said
        ("ekg:measureType ekg:CumulativeIncidence ; ekg:denominatorKind ekg:ArmDenominator", False),
        ("ekg:measureType ekg:TimeToEventEstimate ; ekg:denominatorKind ekg:ArmDenominator", False),
        ("ekg:measureType ekg:Median ; ekg:denominatorKind ekg:ArmDenominator", False),
        ("ekg:measureType ekg:Proportion ; ekg:denominatorKind ekg:EvaluableDenominator ; "
         "ekg:denominator 40", True),
        ("ekg:measureType ekg:Proportion ; ekg:denominatorKind ekg:ArmDenominator ; "
         "ekg:decimalPlaces 2", False),  # 31.00% of 50: no whole count rounds to it
    ],
)
def test_the_rule_derives_only_where_its_assumptions_hold(facts: str, derivable: bool) -> None:
    """One rule (kg.derive.two_by_two) decides: a proportion (or count of participants) with a
    known denominator; never a cumulative incidence, a time-to-event estimate, a median, or a
    figure whose kind or denominator is not stated."""
    places = "ekg:decimalPlaces 2" in facts
    share = "31.00" if places else "30.0"  # 31.00% of 50 admits no count: 15/50 is 30.00%
    curated = Graph().parse(
        data=f"""
        @prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
        <c> a ekg:Comparison ; ekg:intervention <a1> ; ekg:comparator <a2> ;
            ekg:interventionResult <r1> ; ekg:comparatorResult <r2> .
        <a1> ekg:participants 50 . <a2> ekg:participants 50 .
        <r1> ekg:percentage {share} ; {facts} .
        <r2> ekg:percentage 10.0 ; ekg:measureType ekg:Proportion ;
            ekg:denominatorKind ekg:ArmDenominator .
        """,
        format="turtle",
        publicID=BASE,
    )
    estimates = set(derive(curated, base_iri=BASE).objects(URIRef(BASE + "c"), EKG.estimate))
    assert bool(estimates) == derivable


def test_zero_cell_claims_no_ratio() -> None:
    curated = _zero_cell_comparison()
    statistics = {
        derive(curated, base_iri=BASE).value(e, EKG.statistic)
        for e in derive(curated, base_iri=BASE).objects(URIRef(BASE + "c"), EKG.estimate)
    }
    assert statistics == {EKG.RiskDifference}


def test_only_methods_some_computation_ran_are_described() -> None:
    """A method is described once a computation names it, not for estimates never made: a zero
    cell leaves the relative risk's and odds ratio's methods (and, with a reported p-value
    absent, the significance rule) out of the graph."""
    curated = _zero_cell_comparison()
    derived = derive(curated, base_iri=BASE)
    described = {str(m) for m in derived.subjects(RDF.type, EKG.StatisticalMethod)}
    assert described == {
        f"{BASE}method/approximate-event-count",
        f"{BASE}method/newcombe-hybrid-score-risk-difference",
    }
    assert described == {str(m) for m in derived.objects(None, EKG.method)}


def test_significance_is_judged_only_from_a_p_value_the_source_gives_no_verdict_for(
    derived: Graph,
) -> None:
    """DASCERN's primary comparison (P = .005, no verdict stated) gets a derived verdict, marked
    with its level and method; comparisons whose source gives a verdict get none, and the
    source's own property ``ekg:significant`` is never written by the code."""
    primary = URIRef(T + "comparison-mmr-12m")
    assessment = derived.value(primary, EKG.significanceAssessment)
    assert assessment == URIRef(T + "comparison-mmr-12m/significance")
    assert (assessment, RDF.type, EKG.SignificanceAssessment) in derived
    assert derived.value(assessment, RDF.value) == Literal(True)
    assert derived.value(assessment, EKG.significanceLevel).toPython() == Decimal("0.05")  # type: ignore[union-attr]
    assert derived.value(assessment, PROV.wasDerivedFrom) == primary
    method = derived.value(derived.value(assessment, PROV.wasGeneratedBy), EKG.method)
    assert "0.05" in str(derived.value(method, SKOS.definition))
    for stated in ("comparison-os-2y", "comparison-pfs-2y", "comparison-cumulative-mmr-5y"):
        assert derived.value(URIRef(T + stated), EKG.significanceAssessment) is None, stated
    assert not set(derived.triples((None, EKG.significant, None)))


@pytest.mark.parametrize(
    ("p_value", "comparator", "verdict"),
    [("0.001", "<", True), ("0.1", "<", None), ("0.2", ">", False), ("0.01", ">", None),
     ("0.05", "", False), ("0.0499", "", True)],
)
def test_a_bound_gives_a_verdict_only_when_it_lies_on_one_side_of_the_level(
    p_value: str, comparator: str, verdict: bool | None
) -> None:
    bound = f'; ekg:pValueComparator "{comparator}"' if comparator else ""
    curated = Graph().parse(
        data=f"""
        @prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
        <c> a ekg:Comparison ; ekg:pValue {p_value} {bound} .
        """,
        format="turtle",
        publicID=BASE,
    )
    derived = derive(curated, base_iri=BASE)
    assessment = derived.value(URIRef(BASE + "c"), EKG.significanceAssessment)
    if verdict is None:
        assert assessment is None
    else:
        assert derived.value(assessment, RDF.value) == Literal(verdict)


def test_curated_data_holds_no_derived_facts(settings: Settings) -> None:
    """Derived numbers are computed by kg, never typed into data/ by hand."""
    from kg.build import read_curated, read_reference
    from kg.records.reference import ReferenceIndex

    index = ReferenceIndex.from_graph(read_reference(settings), settings.base_iri)
    for path in settings.curated_paths:
        curated = read_curated(path, settings, index)
        assert not set(curated.subjects(RDF.type, EKG.EffectEstimate)), path
        assert not set(curated.subjects(RDF.type, EKG.ApproximateEventCount)), path
        assert not set(curated.triples((None, PROV.wasGeneratedBy, None))), path


def test_derivation_is_deterministic(graph: Graph) -> None:
    from rdflib.compare import isomorphic

    assert isomorphic(derive(graph, base_iri=BASE), derive(graph, base_iri=BASE))


def test_a_tiny_ratio_limit_keeps_its_significant_digits_and_stays_above_zero() -> None:
    """Regression: 1 of 300 against 290 of 300 gives an odds ratio whose lower limit rounded to
    4 places was 0, which the shapes (rightly) refuse for a ratio; 10,000 synthetic registry
    records hit it 9 times."""
    from rdflib import Graph, URIRef

    from kg.derive import ArmCounts, GraphWriter, write_estimates
    from kg.vocab import EKG

    graph = Graph()
    write_estimates(GraphWriter(graph), "https://example.org/", "https://example.org/c", "c",
                    ArmCounts("https://example.org/r1", 1, 300, False),
                    ArmCounts("https://example.org/r2", 290, 300, False))
    lower = graph.value(URIRef("https://example.org/c/odds-ratio"), EKG.ciLower)
    assert lower is not None and 0 < float(lower) < 0.0001
    assert str(lower).startswith("0.0000")


def test_each_derived_statistic_names_the_stato_class_the_ontology_maps(ontology: Graph) -> None:
    """kg.derive types its estimates with STATO classes of its own table (it runs without the
    ontology, in kg synth too); the ontology's skos:exactMatch is the source they must equal."""
    mapped = {
        statistic: match
        for statistic, match in ontology.subject_objects(SKOS.exactMatch)
        if str(match).startswith(str(OBO.STATO_))
    }
    for _, statistic, stato, _, _ in ESTIMATORS:
        assert mapped[statistic] == stato, statistic
