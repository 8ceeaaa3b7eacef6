"""Remote SPARQL 1.1 backend: any endpoint speaking the Query and Update protocols.

Why: users who outgrow one machine point ``KG_STORE=sparql:QUERY_URL[,UPDATE_URL]`` at a clustered
store (Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune) and the same code runs unchanged. The
API holds no state of its own, so several ``kg serve`` workers can share one remote store.

The endpoint must use the union of its named graphs as the default graph, as :class:`kg.store.Store`
promises: ``oxigraph serve --union-default-graph``, Fuseki's ``unionDefaultGraph``; Virtuoso does by
default.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier

from kg import queries
from kg.store import QueryResult, QuerySyntaxError, SelectResult, StoreError, select

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def _term(binding: dict[str, Any]) -> Identifier:
    """A SPARQL 1.1 JSON results binding as an rdflib term."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def parse_results(body: bytes) -> SelectResult | bool:
    """Parse a SPARQL 1.1 JSON results document (SELECT or ASK)."""
    document = json.loads(body)
    if "boolean" in document:
        return bool(document["boolean"])
    variables = tuple(document["head"]["vars"])
    rows = [
        {name: _term(value) for name, value in binding.items()}
        for binding in document["results"]["bindings"]
    ]
    return SelectResult(variables, rows)


class SparqlStore:
    """A :class:`kg.store.Store` over HTTP.

    Args:
        query_url: the SPARQL Query endpoint.
        update_url: the SPARQL Update endpoint; without it the store is read-only.
        timeout: seconds to wait for one request.
    """

    def __init__(self, *, query_url: str, update_url: str | None = None, timeout: float = 60.0) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self._client = httpx.Client(timeout=timeout)

    def _post(self, url: str, body: str, content_type: str, accept: str | None = None) -> httpx.Response:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        try:
            response = self._client.post(url, content=body.encode("utf-8"), headers=headers)
        except httpx.HTTPError as error:
            raise StoreError(f"SPARQL endpoint {url} unreachable: {error}") from error
        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip() or "the endpoint rejected the request")
        if response.status_code >= 300:
            raise StoreError(f"SPARQL endpoint {url} answered {response.status_code}: {response.text.strip()[:500]}")
        return response

    def query(self, sparql: str) -> QueryResult:
        # One Accept header for every query form: the endpoint answers results for SELECT/ASK
        # and triples for CONSTRUCT/DESCRIBE, so we need not parse the query to know its form.
        response = self._post(
            self.query_url, sparql, "application/sparql-query", f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
        )
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type == RESULTS_JSON or media_type == "application/json":
            return parse_results(response.content)
        graph = Graph()
        graph.parse(data=response.content, format="nt" if media_type == N_TRIPLES else "turtle")
        return graph

    def _update(self, sparql: str) -> None:
        if not self.update_url:
            raise StoreError("this SPARQL store is read-only: no update endpoint was configured")
        self._post(self.update_url, sparql, "application/sparql-update")

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        # One update request: endpoints run it as one transaction, so readers never see half.
        triples = graph.serialize(format="nt")
        self._update(f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}")

    def drop_graph(self, name: URIRef) -> None:
        self._update(f"DROP SILENT GRAPH <{name}>")

    def graph_names(self) -> list[URIRef]:
        return [URIRef(str(row["g"])) for row in select(self, queries.load("store/graph_names"))]

    def dataset(self) -> Dataset:
        dataset = Dataset()
        for row in select(self, queries.load("store/all_quads")):
            dataset.graph(URIRef(str(row["g"]))).add((row["s"], row["p"], row["o"]))
        return dataset

    def __len__(self) -> int:
        rows = select(self, queries.load("store/quad_count")).rows
        return int(rows[0]["n"]) if rows else 0

    def close(self) -> None:
        self._client.close()
