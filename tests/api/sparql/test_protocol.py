"""SPARQL 1.1 Protocol behaviours, against a real uvicorn, named after what they pin.

Clients: SPARQLWrapper (what people use) and httpx (for exact headers and statuses). The
protocol is the API's own, so these run on one embedded and one remote store
(``tests.backends.LAYER_BACKENDS``); the W3C protocol suite runs on every persistent backend.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, URLENCODED, XML, SPARQLWrapper

from tests.backends import LAYER_BACKENDS
from tests.servers import KgServer

pytestmark = pytest.mark.backends(*LAYER_BACKENDS)

ARM_SIZES = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT ?arm ?n WHERE { ?arm a ekg:Arm ; ekg:participants ?n } ORDER BY DESC(?n)
"""
ONTOLOGY_GRAPH = "https://w3id.org/evidence-kg/id/graph/ontology"
DATA_GRAPH = "https://w3id.org/evidence-kg/id/graph/data/dascern"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _arm_sizes(document: dict[str, object]) -> list[int]:
    results = document["results"]
    assert isinstance(results, dict)
    return [int(b["n"]["value"]) for b in results["bindings"]]


def _count(server: KgServer, **params: str | list[str]) -> int:
    response = httpx.get(server.sparql_url, params={"query": COUNT, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_query_via_get(server: KgServer) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(ARM_SIZES)
    client.setReturnFormat(JSON)
    assert _arm_sizes(client.queryAndConvert()) == [174, 86]


def test_query_via_url_encoded_post(server: KgServer) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(ARM_SIZES)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setReturnFormat(JSON)
    assert _arm_sizes(client.queryAndConvert()) == [174, 86]


def test_query_via_direct_post(server: KgServer) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(ARM_SIZES)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    values = [int(node.firstChild.data) for node in document.getElementsByTagName("literal")]
    assert values == [174, 86]


def test_select_as_csv_via_sparqlwrapper(server: KgServer) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(ARM_SIZES)
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.queryAndConvert().decode())))
    assert rows[0] == ["arm", "n"] and [r[1] for r in rows[1:]] == ["174", "86"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_result_formats(server: KgServer, accept: str, media_type: str) -> None:
    response = httpx.get(server.sparql_url, params={"query": ARM_SIZES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "accept" in response.headers["vary"].lower()
    text = response.text
    if "json" in accept:
        assert _arm_sizes(json.loads(text)) == [174, 86]
    elif "xml" in accept:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        literals = ET.fromstring(text).findall(".//r:literal", ns)
        assert [int(e.text or 0) for e in literals] == [174, 86]
    elif accept == "text/csv":
        assert text.splitlines()[0] == "arm,n" and text.endswith("\r\n")
    else:
        lines = text.splitlines()
        assert lines[0] == "?arm\t?n"
        assert lines[1].startswith("<https://w3id.org/evidence-kg/id/trial/dascern/arm-dasatinib>")
        assert lines[1].endswith('"174"^^<http://www.w3.org/2001/XMLSchema#integer>')


def test_ask_as_json_and_xml(server: KgServer) -> None:
    query = "ASK { ?s a <https://w3id.org/evidence-kg/ontology/Trial> }"
    as_json = httpx.get(server.sparql_url, params={"query": query})
    assert as_json.json() == {"head": {}, "boolean": True}
    as_xml = httpx.get(
        server.sparql_url,
        params={"query": query},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert "<boolean>true</boolean>" in as_xml.text


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats(server: KgServer, accept: str, rdflib_format: str) -> None:
    query = """PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
    CONSTRUCT { ?arm ekg:participants ?n } WHERE { ?arm ekg:participants ?n }"""
    response = httpx.get(server.sparql_url, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert sorted(int(o) for o in graph.objects()) == [86, 174]


def test_describe_returns_turtle_by_default(server: KgServer) -> None:
    query = "DESCRIBE <https://w3id.org/evidence-kg/id/trial/dascern/arm-dasatinib>"
    response = httpx.get(server.sparql_url, params={"query": query})
    assert response.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=response.text, format="turtle")) > 5


def test_accept_q_values_choose_the_preferred_format(server: KgServer) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = httpx.get(server.sparql_url, params={"query": ARM_SIZES}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_unacceptable_accept_406(server: KgServer) -> None:
    response = httpx.get(
        server.sparql_url, params={"query": ARM_SIZES}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    turtle_for_select = httpx.get(
        server.sparql_url, params={"query": ARM_SIZES}, headers={"Accept": "text/turtle"}
    )
    assert turtle_for_select.status_code == 406


def test_malformed_query_400(server: KgServer) -> None:
    response = httpx.get(server.sparql_url, params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "Malformed query" in response.text and "Expected" in response.text


UPDATES = [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <http://example.org/g>",
    f"ADD <{DATA_GRAPH}> TO <http://example.org/g>",
    f"MOVE <{DATA_GRAPH}> TO <http://example.org/g>",
    f"COPY <{DATA_GRAPH}> TO <http://example.org/g>",
]


@pytest.mark.parametrize("update", UPDATES, ids=lambda u: u.split()[0])
def test_update_refused_403(server: KgServer, update: str) -> None:
    before = _count(server)
    as_update = httpx.post(server.sparql_url, data={"update": update})
    as_query = httpx.post(server.sparql_url, data={"query": update})
    as_query_get = httpx.get(server.sparql_url, params={"query": update})
    direct = httpx.post(
        server.sparql_url, content=update, headers={"Content-Type": "application/sparql-update"}
    )
    assert [r.status_code for r in (as_update, as_query, as_query_get, direct)] == [403] * 4
    assert "read-only" in as_query.text
    assert _count(server) == before


def test_default_graph_uri(server: KgServer) -> None:
    whole = _count(server)
    ontology = _count(server, **{"default-graph-uri": ONTOLOGY_GRAPH})
    both = _count(server, **{"default-graph-uri": [ONTOLOGY_GRAPH, DATA_GRAPH]})
    assert 0 < ontology < both < whole


def test_named_graph_uri(server: KgServer) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = httpx.get(
        server.sparql_url, params={"query": query, "named-graph-uri": ONTOLOGY_GRAPH}
    )
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == [ONTOLOGY_GRAPH]


def test_unknown_default_graph_uri_is_an_empty_graph(server: KgServer) -> None:
    """SPARQL 1.1 Protocol: the dataset may name any graph; one the store lacks is empty (it was
    refused with 400, failing the W3C tests query_get and query_post_form)."""
    assert _count(server, **{"default-graph-uri": "http://example.org/g"}) == 0
    both = {"default-graph-uri": ["http://example.org/g", ONTOLOGY_GRAPH]}
    assert _count(server, **both) == _count(server, **{"default-graph-uri": ONTOLOGY_GRAPH})


def test_graph_parameter_that_is_not_an_iri_400(server: KgServer) -> None:
    """Also without a query (it was ignored, and the service description answered)."""
    for params in ({"query": COUNT, "named-graph-uri": "false"}, {"named-graph-uri": ""}):
        response = httpx.get(server.sparql_url, params=params)
        assert response.status_code == 400
        assert "named-graph-uri must be an absolute IRI" in response.text


def test_relative_iris_resolve_against_the_base_iri(server: KgServer) -> None:
    """The documented base is the dataset's (``KG_BASE_IRI``): ``<trial/dascern>`` is DASCERN;
    a query's own BASE still wins."""
    ask = "ASK { <trial/dascern> a ?type }"
    response = httpx.get(server.sparql_url, params={"query": ask})
    assert response.status_code == 200 and response.json()["boolean"] is True
    construct = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = httpx.get(server.sparql_url, params={"query": construct}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    assert {str(s) for s in graph.subjects()} == {"https://w3id.org/evidence-kg/id/s"}
    own_base = "BASE <http://example.org/> ASK { <trial/dascern> ?p ?o }"
    assert httpx.get(server.sparql_url, params={"query": own_base}).json()["boolean"] is False


def test_from_own_graph_is_honoured(server: KgServer) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    response = httpx.get(server.sparql_url, params={"query": query})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == _count(
        server, **{"default-graph-uri": ONTOLOGY_GRAPH}
    )


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_foreign_graph_refused(server: KgServer, clause: str) -> None:
    query = f"SELECT * {clause} <http://example.org/remote.ttl> WHERE {{ ?s ?p ?o }}"
    response = httpx.get(server.sparql_url, params={"query": query})
    assert response.status_code == 400 and "not in this store" in response.text


def test_request_body_too_large_413(server: KgServer) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000
    response = httpx.post(
        server.sparql_url, content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_unsupported_post_content_type_415(server: KgServer) -> None:
    response = httpx.post(server.sparql_url, content="{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_service_description_without_query(server: KgServer) -> None:
    response = httpx.get(server.sparql_url, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    query = f"""ASK {{ ?s a <{sd}Service> ; <{sd}endpoint> <{server.sparql_url}> ;
        <{sd}supportedLanguage> <{sd}SPARQL11Query> ;
        <{sd}defaultDataset>/<{sd}namedGraph>/<{sd}name> <{ONTOLOGY_GRAPH}> }}"""
    assert graph.query(query).askAnswer


def test_query_page_for_browsers(server: KgServer) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = httpx.get(server.sparql_url, headers={"Accept": accept})
    assert page.headers["content-type"].startswith("text/html")
    assert "<form" in page.text and "NCT01593254" in page.text
    results = httpx.get(server.sparql_url, params={"query": ARM_SIZES}, headers={"Accept": accept})
    assert results.headers["content-type"].startswith("text/html")
    assert "<table>" in results.text and "<td>174 " in results.text


def test_query_page_shows_errors_with_the_query_kept(server: KgServer) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    broken = "SELECT ?s WHERE { ?s <x> "
    response = httpx.get(server.sparql_url, params={"query": broken}, headers={"Accept": accept})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in response.text and "SELECT ?s WHERE { ?s &lt;x&gt; " in response.text


def test_bad_multiple_queries_400(server: KgServer) -> None:
    params = [("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")]
    assert httpx.get(server.sparql_url, params=params).status_code == 400
    assert httpx.post(server.sparql_url, data={"query": ["ASK {}", "ASK {}"]}).status_code == 400


def test_bad_query_missing_form_type_415(server: KgServer) -> None:
    response = httpx.post(server.sparql_url, content=b"query=ASK%20%7B%7D")
    assert response.status_code == 415


def test_bad_query_non_utf8_400(server: KgServer) -> None:
    response = httpx.post(
        server.sparql_url,
        content='ASK { ?s ?p "é" }'.encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_bad_query_method_405(server: KgServer) -> None:
    assert httpx.put(server.sparql_url, content="ASK {}").status_code == 405
