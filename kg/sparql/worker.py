"""A query worker process: opens its own view of the graph and evaluates SPARQL.

The view is one of three (:class:`kg.sparql.protocol.WorkerSetup`): an in-memory copy loaded from
an N-Quads snapshot, an on-disk checkpoint opened read-only, or a remote endpoint that each query
is forwarded to.

Run as ``python -m kg.sparql.worker`` by :mod:`kg.sparql.pool`, which talks to it over its
stdin/stdout with length-prefixed pickles. Why a process: neither pyoxigraph nor rdflib can cancel
a running query, so the only way to stop one is to kill the process evaluating it.

Queries are also *checked* here (:mod:`kg.sparql.guard`, rdflib's parser): parsing a large
query can take seconds of pure Python, which in the server would hold its interpreter lock and
stall every client, while here it counts against the time limit and is killed like a slow query.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal
import sys
from collections.abc import Iterator, Sequence
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg.sparql.guard import (
    ServiceRefused,
    UnknownGraph,
    UpdateRefused,
    check_query,
)
from kg.sparql.protocol import (
    CheckRequest,
    CheckResponse,
    QueryRequest,
    QueryResponse,
    WorkerSetup,
    read_message,
    write_message,
)
from kg.sparql.results import (
    serialize_boolean,
    serialize_solutions,
    serialize_triples,
)
from kg.store import QuerySyntaxError
from kg.stores.oxigraph import hidden_graph_names

MEMORY_LIMIT_BYTES = 4 * 1024**3
"""Address-space cap per worker: a query that materializes too much dies alone, not the host."""


GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Result = ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]


class RemoteEndpoint:
    """A SPARQL 1.1 Protocol endpoint queried over HTTP, answering with pyoxigraph's result types.

    The endpoint's default graph must be the union of its graphs (as for the remote store); the
    protocol's ``default-graph-uri`` and ``named-graph-uri`` carry explicit datasets.
    """

    RESULTS = "application/sparql-results+json"
    TRIPLES = "application/n-triples"
    VIRTUOSO_ASK = "__ASK_RETVAL"
    """The one variable of Virtuoso's JSON answer to an ASK, in place of a boolean."""
    NO_GRAPH = "urn:x-evidence-kg:no-graph"
    """A graph no store holds: the protocol has no way to ask for an empty default graph but to
    name one, and an endpoint given no ``default-graph-uri`` uses its own (the union)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.client = httpx.Client(timeout=timeout)

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[GraphName] | None = None,
        graph_result: bool = False,
        base_iri: str | None = None,
    ) -> Result:
        """Ask for triples when ``graph_result`` (CONSTRUCT, DESCRIBE), else for results: one
        type per request, since Virtuoso answers a CONSTRUCT in results JSON when allowed to.
        ``base_iri`` travels as a ``BASE`` before the query (on its first line, so that the
        endpoint's error messages keep their line numbers)."""
        if base_iri is not None:
            query = f"BASE <{base_iri}> {query}"
        form = [("query", query)]
        if default_graph is not None and not default_graph:
            default_graph = [ox.NamedNode(self.NO_GRAPH)]
        for parameter, graphs in (
            ("default-graph-uri", default_graph),
            ("named-graph-uri", named_graphs),
        ):
            form += [(parameter, g.value) for g in graphs or () if isinstance(g, ox.NamedNode)]
        # Form-encoded, the one POST every endpoint answers: Virtuoso 7.2 never answers a direct
        # application/sparql-query POST.
        response = self.client.post(
            self.url,
            content=urlencode(form).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": self.TRIPLES if graph_result else self.RESULTS,
            },
        )
        if response.status_code == 400:
            raise SyntaxError(response.text.strip() or "the endpoint rejected the query")
        if response.status_code >= 300:
            raise RuntimeError(
                f"the SPARQL endpoint answered {response.status_code}: {response.text[:300]}"
            )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media in (self.RESULTS, "application/json"):
            results = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
            if isinstance(results, ox.QuerySolutions) and [
                v.value for v in results.variables
            ] == [self.VIRTUOSO_ASK]:
                rows = [solution[self.VIRTUOSO_ASK] for solution in results]
                answer = bool(rows) and rows[0] is not None and rows[0].value in ("1", "true")
                document = '{"head": {}, "boolean": %s}' % ("true" if answer else "false")
                return ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
            return results
        rdf_format = (
            ox.RdfFormat.N_TRIPLES if media == "application/n-triples" else ox.RdfFormat.TURTLE
        )
        return (quad.triple for quad in ox.parse(response.content, format=rdf_format))


Source = ox.Store | RemoteEndpoint
"""What a worker queries: a pyoxigraph store, or a remote endpoint answering like one."""


def evaluate(
    store: Source,
    request: QueryRequest,
    prefixes: dict[str, str],
    visible: Sequence[GraphName] | None = None,
) -> QueryResponse:
    """Run one query and serialize its result, refusing results over ``max_rows``.

    ``visible``, when given, is the default graph of a query without a dataset of its own (the
    graphs a load in progress does not hide); otherwise that default graph is the union.
    """
    options: dict[str, object] = {}
    if request.default_graphs is None and request.named_graphs is None:
        if visible is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = list(visible)
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
    if request.base_iri is not None:
        options["base_iri"] = request.base_iri
    if isinstance(store, RemoteEndpoint):
        options["graph_result"] = request.result_format not in ("json", "xml", "csv", "tsv")
    try:
        result = store.query(request.text, **options)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            if request.result_format not in ("json", "xml", "csv", "tsv"):
                return QueryResponse("error", message="ASK results are not RDF graphs")
            return QueryResponse(
                "ok", serialize_boolean(bool(result), request.result_format), rows=1
            )
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]] = []
            for solution in result:
                if len(rows) == request.max_rows:
                    return _too_large(request.max_rows)
                rows.append([solution[name] for name in variables])
            if request.result_format not in ("json", "xml", "csv", "tsv"):
                return QueryResponse("error", message="SELECT results are not RDF graphs")
            body = serialize_solutions(variables, rows, request.result_format)
            return QueryResponse("ok", body, rows=len(rows))
        triples: list[ox.Triple] = []
        for triple in result:
            if len(triples) == request.max_rows:
                return _too_large(request.max_rows)
            triples.append(triple)
        if request.result_format not in ("turtle", "ntriples", "jsonld", "rdfxml"):
            return QueryResponse("error", message="graph results need an RDF format")
        body = serialize_triples(triples, request.result_format, prefixes)
        return QueryResponse("ok", body, rows=len(triples))
    except SyntaxError as error:
        return QueryResponse("syntax", message=str(error))
    except Exception as error:  # an evaluation error must answer, not kill the worker
        return QueryResponse("error", message=f"{type(error).__name__}: {error}")


CHECKS_REMEMBERED = 256
"""Check outcomes a worker keeps, least recently used dropped first.

Why: the guard parses with rdflib, in pure Python: 40-50 ms for the 5 KB README query, ten times
oxigraph's evaluation of it, so every /sparql answer paid mostly for its parse. Clients repeat
their queries (a dashboard's, a tool's templates), and an outcome depends only on the text and
the graphs the store holds, which together are the key (a load that adds a graph changes it).
At most 256 x the 64 KB body limit: 16 MB."""


@functools.lru_cache(maxsize=CHECKS_REMEMBERED)
def check(request: CheckRequest) -> CheckResponse:
    """Run the guard on a query; a parse that takes too long is stopped like any query (a
    parse stopped that way is not remembered: the worker dies with it)."""
    try:
        checked = check_query(
            request.text, known_graphs=request.known_graphs, base_iri=request.base_iri
        )
        return CheckResponse("ok", checked)
    except QuerySyntaxError as error:
        message = str(error)
        if "recursion" in message:
            message = "the query is nested too deeply for the parser"
        return CheckResponse("syntax", message=message)
    except UpdateRefused as error:
        return CheckResponse("update", message=str(error))
    except ServiceRefused as error:
        return CheckResponse("service", message=str(error))
    except UnknownGraph as error:
        return CheckResponse("unknown-graph", message=str(error))


def _too_large(limit: int) -> QueryResponse:
    return QueryResponse(
        "too-large",
        message=f"the result has more than {limit} rows (max_result_rows); "
        "add a LIMIT or narrow the query",
    )


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the thread that started it ends (no orphans)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def open_source(setup: WorkerSetup) -> tuple[Source, list[GraphName] | None, int]:
    """The worker's view of the graph, the visible graphs (``None``: all) and its size if known."""
    if setup.endpoint is not None:
        return RemoteEndpoint(setup.endpoint, setup.endpoint_timeout), None, 0
    if setup.path is not None:
        store = ox.Store.read_only(setup.path)
    else:
        store = ox.Store()
        store.bulk_load(setup.nquads or b"", format=ox.RdfFormat.N_QUADS)
    hidden = hidden_graph_names(store)
    visible: list[GraphName] | None = None
    if hidden:
        visible = [g for g in store.named_graphs() if g.value not in hidden]
    return store, visible, len(store) if setup.nquads is not None else 0


def main() -> None:
    """Open the source the first message names, say ready, then answer queries until EOF."""
    _die_with_parent()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ValueError, OSError):
        pass
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the message stream
    setup = read_message(stdin)
    assert isinstance(setup, WorkerSetup)
    store, visible, size = open_source(setup)
    prefixes = setup.prefixes
    write_message(stdout, QueryResponse("ready", rows=size))
    while True:
        try:
            request = read_message(stdin)
        except EOFError:
            break
        if isinstance(request, CheckRequest):
            write_message(stdout, check(request))
        elif isinstance(request, QueryRequest):
            write_message(stdout, evaluate(store, request, prefixes, visible))
        else:
            break
    os._exit(0)


if __name__ == "__main__":
    main()
