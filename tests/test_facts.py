"""Every figure in data/ is a fact from the curators' fact sheet, cited to the right source.

The table below is the fact sheet's figures, each with the source keys (S1-S5) the fact sheet gives.
The test proves both directions: each numeric or date literal in data/ is in the table, each row of
the table is in data/, and the node holding the figure cites (prov:wasDerivedFrom) every listed source.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef

from kg.settings import Settings
from kg.vocab import EKG, PROV, SCHEMA, XSD

FIGURE_TYPES = {XSD.integer, XSD.decimal, XSD.date, XSD.gYear, XSD.gYearMonth, XSD.duration}

# (node relative to the base, property local name, value as written, source keys from the fact sheet)
FACT_SHEET: list[tuple[str, str, str, set[str]]] = [
    ("trial/dascern", "enrollment", "262", {"S3"}),
    ("trial/dascern", "randomized", "260", {"S1", "S2", "S5"}),
    ("trial/dascern", "startDate", "2012-09-12", {"S3"}),
    ("trial/dascern", "primaryCompletionDate", "2017-11-08", {"S3"}),
    ("trial/dascern", "resultsFirstPosted", "2019-04-11", {"S3"}),
    ("trial/dascern/arm-dasatinib", "participants", "174", {"S3", "S1"}),
    ("trial/dascern/arm-imatinib", "participants", "86", {"S3", "S1"}),
    # 2:1 randomization (S1, S2, S3, S4): each arm's term in the ratio
    ("trial/dascern/arm-dasatinib", "allocationWeight", "2", {"S1", "S2"}),
    ("trial/dascern/arm-imatinib", "allocationWeight", "1", {"S1", "S2"}),
    ("trial/dascern/intervention-dasatinib", "doseValue", "100.0", {"S3", "S1"}),
    ("trial/dascern/intervention-dasatinib", "maximumDuration", "P60M", {"S3"}),
    ("trial/dascern/intervention-imatinib", "doseValue", "400.0", {"S3", "S4", "S1"}),
    ("trial/dascern/intervention-imatinib", "maximumDuration", "P60M", {"S3"}),
    ("trial/dascern/result-mmr-12m-dasatinib", "percentage", "29.0", {"S1", "S2", "S5"}),
    ("trial/dascern/result-mmr-12m-imatinib", "percentage", "13.0", {"S1", "S2", "S5"}),
    ("trial/dascern/comparison-mmr-12m", "pValue", "0.005", {"S1", "S2"}),
    (
        "trial/dascern/result-cumulative-mmr-2y-crossover-adjusted-dasatinib",
        "percentage",
        "64.0",
        {"S1", "S2"},
    ),
    (
        "trial/dascern/result-cumulative-mmr-2y-crossover-adjusted-imatinib",
        "percentage",
        "41.0",
        {"S1", "S2"},
    ),
    ("trial/dascern/result-cumulative-mmr-2y-itt-dasatinib", "percentage", "66.0", {"S1"}),
    ("trial/dascern/result-cumulative-mmr-2y-itt-imatinib", "percentage", "67.0", {"S1"}),
    ("trial/dascern/result-mmr-after-crossover-imatinib", "percentage", "30.0", {"S2"}),
    ("trial/dascern/result-cumulative-mmr-5y-dasatinib", "percentage", "77.0", {"S5"}),
    ("trial/dascern/result-cumulative-mmr-5y-imatinib", "percentage", "44.0", {"S5"}),
    ("trial/dascern/crossover-2y", "count", "45", {"S1", "S2"}),
    ("trial/dascern/crossover-2y", "percentage", "52.0", {"S1", "S2"}),
    ("trial/dascern/crossover-2y", "medianTimeToCrossoverMonths", "9.0", {"S1", "S2"}),
    ("trial/dascern/crossover-5y", "count", "46", {"S5"}),
    ("trial/dascern/crossover-5y", "percentage", "53.0", {"S5"}),
    ("trial/dascern/report-final-5y", "minimumFollowUp", "P60M", {"S5"}),
    # publication dates: the node is the source itself
    ("publication/cortes-2020-leukemia", "datePublished", "2020-04-07", {"S1"}),
    ("publication/ash-2018-blood-abstract", "datePublished", "2018", {"S4"}),
    ("publication/cortes-2024-haematologica", "datePublished", "2024-05", {"S5"}),
]


@pytest.fixture(scope="module")
def curated(settings: Settings) -> Graph:
    graph = Graph()
    for path in settings.curated_paths:
        graph.parse(path, publicID=settings.base_iri)
    return graph


def _local(term: URIRef, base: str) -> str:
    value = str(term)
    for namespace in (base, str(EKG._NS), str(SCHEMA)):
        if value.startswith(namespace):
            return value[len(namespace) :]
    return value


def _normalised(literal: Literal) -> str:
    """One spelling per value: 29.0 and 29 are one decimal; P60M and P5Y are one duration."""
    if literal.datatype == XSD.decimal:
        return str(Decimal(str(literal)).normalize())
    return str(literal)


def _expected(value: str) -> str:
    if value.startswith("P"):
        return _normalised(Literal(value, datatype=XSD.duration))
    return str(Decimal(value).normalize()) if "." in value else value


def test_every_figure_in_data_is_on_the_fact_sheet(curated: Graph, settings: Settings) -> None:
    found = {
        (_local(s, settings.base_iri), _local(p, settings.base_iri), _normalised(o))  # type: ignore[arg-type]
        for s, p, o in curated
        if isinstance(o, Literal) and o.datatype in FIGURE_TYPES
    }
    expected = {(node, prop, _expected(value)) for node, prop, value, _ in FACT_SHEET}
    assert found - expected == set(), "figures in data/ that the fact sheet does not list"
    assert expected - found == set(), "fact-sheet figures missing from data/"


@pytest.mark.parametrize(
    ("node", "prop", "value", "keys"), FACT_SHEET, ids=[f"{n}.{p}" for n, p, _, _ in FACT_SHEET]
)
def test_figure_cites_its_sources(
    curated: Graph, settings: Settings, node: str, prop: str, value: str, keys: set[str]
) -> None:
    subject = URIRef(settings.base_iri + node)
    own_key = curated.value(subject, EKG.sourceKey)
    if own_key is not None:  # a source's own metadata
        assert {str(own_key)} == keys
        return
    cited = {
        str(curated.value(source, EKG.sourceKey))
        for source in curated.objects(subject, PROV.wasDerivedFrom)
    }
    assert keys <= cited, f"{node} cites {sorted(cited)}, fact sheet gives {sorted(keys)}"
    statements = {
        str(curated.value(derivation, PROV.entity))
        for derivation in curated.objects(subject, PROV.qualifiedDerivation)
        if curated.value(derivation, EKG.statement)
    }
    cited_iris = {str(s) for s in curated.objects(subject, PROV.wasDerivedFrom)}
    assert cited_iris <= statements, (
        "every cited source needs a statement of what the fact rests on"
    )


def test_source_keys_are_the_fact_sheets(curated: Graph) -> None:
    assert sorted(str(k) for k in curated.objects(None, EKG.sourceKey)) == [
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
    ]
