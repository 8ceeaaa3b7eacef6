"""Remote SPARQL 1.1 backend: any endpoint speaking the Query, Update and Graph Store protocols.

Why: users who outgrow one machine point ``KG_STORE=sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]``
at a clustered store (Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune) and the same code runs
unchanged. The API holds no state of its own, so several ``kg serve`` workers can share one remote
store.

The endpoint must use the union of its named graphs as the default graph, as :class:`kg.store.Store`
promises: ``oxigraph serve --union-default-graph``, Fuseki's ``unionDefaultGraph``; Virtuoso does by
default. Virtuoso also keeps graphs of its own (its quad-map schema, the LDP vocabulary, its
service description): they stay in its union, where queries over our vocabulary never match them,
and :meth:`SparqlStore.server_graphs` leaves them out of the store's graph list, copy and size.
(Virtuoso 7.2.5's ``DEFINE input:default-graph-exclude`` would hide them from the union, but then
answers ``GRAPH <g> { … }`` wrongly, so it is not used.)

Requests are form-encoded POSTs (``query=`` / ``update=``), the one way of the SPARQL 1.1
Protocol that every server answers: Virtuoso 7.2.5 never answers a query POSTed directly as
``application/sparql-query``. Credentials ride in the URLs (``http://user:password@host/…``) and
are sent as Basic or Digest, whichever the server asks for (Virtuoso's ``/sparql-auth`` asks for
Digest).
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier

from kg import queries
from kg.store import (
    QueryResult,
    QuerySyntaxError,
    SelectResult,
    Store,
    StoreError,
    graph_update,
    select,
)

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"

VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
)
"""Graphs a fresh Virtuoso holds for itself (its quad-map schema, the LDP vocabulary); the third,
its service description, is named after the server's host and is found by query."""


_PROLOGUE = re.compile(
    r"""(?:\s+|\#[^\n]*|(?i:prefix)\s*[^\s:]*:\s*<[^>]*>|(?i:base)\s*<[^>]*>|(?i:define)\s[^\n]*)*"""
)
_FORM = re.compile(r"(?i:select|ask|construct|describe)")


def query_form(sparql: str) -> str:
    r"""The form of a query, lower case: its first keyword after the prologue ("" if none).

    Why ask: a server may answer a CONSTRUCT in a results format if the client accepts one
    (Virtuoso does, as rows of ``?s ?p ?o``), so the Accept header must follow the query form.

    >>> query_form("PREFIX ex: <http://e/#> # a comment\nCONSTRUCT { ?s ?p ?o } WHERE {}")
    'construct'
    >>> query_form("# DESCRIBE in a comment\nselect * { ?s ?p ?o }")
    'select'
    """
    prologue = _PROLOGUE.match(sparql)
    form = _FORM.match(sparql, prologue.end() if prologue else 0)
    return form.group(0).lower() if form else ""


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


VIRTUOSO_CBD = 'DEFINE sql:describe-mode "CBD"'
"""Virtuoso's pragma for DESCRIBE as a concise bounded description (blank nodes followed)."""

VIRTUOSO_ASK = "__ASK_RETVAL"
"""Virtuoso 7.2 answers ASK in JSON as a table of this one variable: one row (``1``) for true,
none for false, where SPARQL 1.1 says ``{"boolean": …}``."""


def parse_results(body: bytes) -> SelectResult | bool:
    """Parse a SPARQL 1.1 JSON results document (SELECT or ASK).

    >>> parse_results(b'{"head": {}, "boolean": true}')
    True
    >>> parse_results(b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}')
    False
    """
    document = json.loads(body)
    if "boolean" in document:
        return bool(document["boolean"])
    variables = tuple(document["head"]["vars"])
    if variables == (VIRTUOSO_ASK,):
        return any(
            b[VIRTUOSO_ASK]["value"] not in ("0", "false") for b in document["results"]["bindings"]
        )
    rows = [
        {name: _term(value) for name, value in binding.items()}
        for binding in document["results"]["bindings"]
    ]
    return SelectResult(variables, rows)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its ``user:password@`` part, and that part.

    >>> split_credentials("http://dba:secret@127.0.0.1:8890/sparql-auth")
    ('http://127.0.0.1:8890/sparql-auth', ('dba', 'secret'))
    >>> split_credentials("http://127.0.0.1:7878/query")
    ('http://127.0.0.1:7878/query', None)
    """
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), (parts.username, parts.password or "")


class ChallengeAuth(httpx.Auth):
    """Basic or Digest, as the server's ``WWW-Authenticate`` challenge asks.

    Why not one of httpx's: a store spec names no scheme, and Virtuoso's ``/sparql-auth`` takes
    only Digest while most other servers take Basic.
    """

    def __init__(self, username: str, password: str) -> None:
        self._basic = httpx.BasicAuth(username, password)
        self._digest = httpx.DigestAuth(username, password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        challenge = response.headers.get("www-authenticate", "").lower()
        if response.status_code != 401:
            return
        if challenge.startswith("digest"):
            flow = self._digest.auth_flow(request)
            next(flow)
            retried = flow.send(response)
        else:
            retried = next(self._basic.auth_flow(request))
        yield retried


def _client_for(url: str, timeout: float) -> tuple[str, httpx.Client]:
    bare, credentials = split_credentials(url)
    auth = ChallengeAuth(*credentials) if credentials else None
    return bare, httpx.Client(timeout=timeout, auth=auth)


@dataclass(frozen=True)
class _Server:
    virtuoso: bool
    graphs: frozenset[str]


class SparqlStore(Store):
    """A :class:`kg.store.Store` over HTTP.

    Args:
        query_url: the SPARQL Query endpoint.
        update_url: the SPARQL Update endpoint; without it the store is read-only.
        graph_store_url: a SPARQL 1.1 Graph Store Protocol endpoint; with it a graph is replaced
            by one ``PUT`` that the server parses itself, which large graphs need on servers
            whose update parser has a size limit (Virtuoso's runs out of memory after some
            thousand triples of ``INSERT DATA``).
        timeout: seconds to wait for one request.
    """

    query_url: str
    """The query endpoint, which the SPARQL workers also query directly."""

    def __init__(
        self,
        *,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.query_url, self._query_client = _client_for(query_url, timeout)
        self.update_url: str | None = None
        self.graph_store_url: str | None = None
        self._update_client = self._graph_store_client = self._query_client
        if update_url:
            self.update_url, self._update_client = _client_for(update_url, timeout)
        if graph_store_url:
            self.graph_store_url, self._graph_store_client = _client_for(graph_store_url, timeout)
        self._server_kind: _Server | None = None

    def _send(
        self, client: httpx.Client, request: httpx.Request, *, syntax_on_400: bool = False
    ) -> httpx.Response:
        """Send ``request``; a 400 for a query is the parser's message, other failures say where."""
        url = f"{request.url.scheme}://{request.url.netloc.decode()}{request.url.path}"
        try:
            response = client.send(request)
        except httpx.HTTPError as error:
            raise StoreError(f"SPARQL endpoint {url} unreachable: {error}") from error
        if syntax_on_400 and response.status_code == 400:
            raise QuerySyntaxError(response.text.strip() or "the endpoint rejected the query")
        if response.status_code >= 300:
            raise StoreError(
                f"SPARQL endpoint {url} answered {response.status_code}: "
                f"{response.text.strip()[:500]}"
            )
        return response

    def _ask_endpoint(self, sparql: str) -> httpx.Response:
        accept = N_TRIPLES if query_form(sparql) in ("construct", "describe") else RESULTS_JSON
        request = self._query_client.build_request(
            "POST", self.query_url, data={"query": sparql}, headers={"Accept": accept}
        )
        return self._send(self._query_client, request, syntax_on_400=True)

    def server_graphs(self) -> frozenset[str]:
        """Graphs that belong to the server, not to the knowledge graph: none for a plain
        SPARQL 1.1 server; Virtuoso's own (see :data:`VIRTUOSO_SYSTEM_GRAPHS`)."""
        return self._server().graphs

    def _server(self) -> _Server:
        """What kind of server answers, found once, on first use, from its ``Server`` header."""
        if self._server_kind is None:
            response = self._ask_endpoint(queries.load("store/service_description_graphs"))
            self._server_kind = _Server(virtuoso=False, graphs=frozenset())
            if response.headers.get("server", "").lower().startswith("virtuoso"):
                described = parse_results(response.content)
                rows = described.rows if isinstance(described, SelectResult) else []
                graphs = frozenset(VIRTUOSO_SYSTEM_GRAPHS) | {str(r["g"]) for r in rows}
                self._server_kind = _Server(virtuoso=True, graphs=graphs)
        return self._server_kind

    def _evaluate(self, sparql: str) -> QueryResult:
        response = self._ask_endpoint(sparql)
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type == RESULTS_JSON or media_type == "application/json":
            return parse_results(response.content)
        graph = Graph()
        graph.parse(data=response.content, format="nt" if media_type == N_TRIPLES else "turtle")
        return graph

    def query(self, sparql: str) -> QueryResult:
        if self._server().virtuoso and query_form(sparql) == "describe":
            # Virtuoso's DESCRIBE gives the resource's own triples only, unless asked for the
            # concise bounded description, which is what oxigraph and rdflib give.
            sparql = f"{VIRTUOSO_CBD}\n{sparql}"
        return self._evaluate(sparql)

    def _update(self, sparql: str) -> None:
        if not self.update_url:
            raise StoreError("this SPARQL store is read-only: no update endpoint was configured")
        request = self._update_client.build_request(
            "POST", self.update_url, data={"update": sparql}, headers={"Accept": RESULTS_JSON}
        )
        self._send(self._update_client, request)

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        triples = graph.serialize(format="nt")
        if self.graph_store_url:
            if not self.update_url:
                raise StoreError(
                    "this SPARQL store is read-only: no update endpoint was configured"
                )
            # The Graph Store Protocol's PUT replaces the graph's whole content in one request.
            request = self._graph_store_client.build_request(
                "PUT",
                self.graph_store_url,
                params={"graph": str(name)},
                content=triples.encode("utf-8"),
                headers={"Content-Type": N_TRIPLES},
            )
            self._send(self._graph_store_client, request)
            return
        # One update request: endpoints run it as one transaction, so readers never see half.
        self._update(
            f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}"
        )

    def drop_graph(self, name: URIRef) -> None:
        self._update(f"DROP SILENT GRAPH <{name}>")

    def update_graphs(self, replace: Mapping[str, str], add: Mapping[str, str]) -> None:
        # One update request: endpoints run it as one transaction (see replace_graph).
        text = graph_update(replace, add)
        if text:
            self._update(text)

    def graph_names(self) -> list[URIRef]:
        rows = select(self, queries.load("store/graph_names"))
        server = self.server_graphs()
        return [URIRef(str(row["g"])) for row in rows if str(row["g"]) not in server]

    def dataset(self) -> Dataset:
        dataset = Dataset()
        server = self.server_graphs()
        for row in select(self, queries.load("store/all_quads")):
            if str(row["g"]) not in server:
                dataset.graph(URIRef(str(row["g"]))).add((row["s"], row["p"], row["o"]))
        return dataset

    def __len__(self) -> int:
        if not self.server_graphs():
            rows = select(self, queries.load("store/quad_count")).rows
            return int(rows[0]["n"]) if rows else 0
        counts = select(self, queries.load("store/quads_per_graph"))
        return sum(int(r["n"]) for r in counts if str(r["g"]) not in self.server_graphs())

    def close(self) -> None:
        for client in {self._query_client, self._update_client, self._graph_store_client}:
            client.close()
