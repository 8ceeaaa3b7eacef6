"""The competency questions give the same answers over /sparql as over `kg export` output.

Client: SPARQLWrapper, as a linked-data consumer would use it, against the real server.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.backends import SPARQL_BACKENDS
from tests.competency import QUESTIONS, comparable, question
from tests.servers import KgServer

pytestmark = pytest.mark.backends(*SPARQL_BACKENDS)


def _binding(binding: dict[str, str]) -> object:
    """A SPARQL JSON results binding, compared like the exported file's terms."""
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    datatype = URIRef(binding["datatype"]) if "datatype" in binding else None
    return comparable(Literal(binding["value"], datatype=datatype))


@pytest.mark.parametrize("name", sorted(p.stem for p in QUESTIONS.glob("*.rq")))
def test_competency_question_over_http_matches_export(
    server: KgServer, exported: Graph, name: str
) -> None:
    text = question(name)
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    over_http = {tuple(sorted((k, _binding(v)) for k, v in row.items())) for row in bindings}
    from_file = {
        tuple(sorted((k, comparable(v)) for k, v in row.asdict().items()))  # type: ignore[union-attr]
        for row in exported.query(text)
    }
    assert over_http, f"{name} answered nothing over HTTP"
    assert over_http == from_file
