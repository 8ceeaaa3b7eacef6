"""The competency questions give the same answers over /sparql as over `kg export` output.

Client: SPARQLWrapper, as a linked-data consumer would use it, against the real server.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.export import export
from tests.servers import KgServer

QUESTIONS = Path(__file__).resolve().parents[2] / "competency"


def _value(term: URIRef | Literal) -> object:
    """A term as a comparable Python value: numbers by value, not by lexical form."""
    if isinstance(term, URIRef):
        return term
    value = term.toPython()
    return Decimal(str(value)) if isinstance(value, float) else value


def _typed(binding: dict[str, str]) -> object:
    """A SPARQL JSON results binding, compared like :func:`_value`."""
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    datatype = URIRef(binding["datatype"]) if "datatype" in binding else None
    return _value(Literal(binding["value"], datatype=datatype))


@pytest.fixture(scope="module")
def exported(dataset: Dataset) -> Graph:
    return Graph().parse(data=export(dataset, "turtle"), format="turtle")


@pytest.mark.parametrize("question", sorted(p.stem for p in QUESTIONS.glob("*.rq")))
def test_competency_question_over_http_matches_export(
    server: KgServer, exported: Graph, question: str
) -> None:
    text = (QUESTIONS / f"{question}.rq").read_text()
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    over_http = {tuple(sorted((k, _typed(v)) for k, v in row.items())) for row in bindings}
    from_file = {
        tuple(sorted((k, _value(v)) for k, v in row.asdict().items()))  # type: ignore[union-attr]
        for row in exported.query(text)
    }
    assert over_http, f"{question} answered nothing over HTTP"
    assert over_http == from_file
