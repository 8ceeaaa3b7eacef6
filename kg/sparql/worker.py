"""A query worker process: holds its own in-memory copy of the graph and evaluates SPARQL.

Run as ``python -m kg.sparql.worker`` by :mod:`kg.sparql.pool`, which talks to it over its
stdin/stdout with length-prefixed pickles. Why a process: neither pyoxigraph nor rdflib can cancel
a running query, so the only way to stop one is to kill the process evaluating it.

Queries are also *checked* here (:mod:`kg.sparql.guard`, rdflib's parser): parsing a large
query can take seconds of pure Python, which in the server would hold its interpreter lock and
stall every client, while here it counts against the time limit and is killed like a slow query.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

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
    read_message,
    write_message,
)
from kg.sparql.results import (
    serialize_boolean,
    serialize_solutions,
    serialize_triples,
)
from kg.store import QuerySyntaxError

MEMORY_LIMIT_BYTES = 4 * 1024**3
"""Address-space cap per worker: a query that materializes too much dies alone, not the host."""


def evaluate(store: ox.Store, request: QueryRequest, prefixes: dict[str, str]) -> QueryResponse:
    """Run one query and serialize its result, refusing results over ``max_rows``."""
    options: dict[str, object] = {}
    if request.default_graphs is None and request.named_graphs is None:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
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


def check(request: CheckRequest) -> CheckResponse:
    """Run the guard on a query; a parse that takes too long is stopped like any query."""
    try:
        return CheckResponse("ok", check_query(request.text, known_graphs=request.known_graphs))
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


def main() -> None:
    """Load the N-Quads snapshot sent first, say ready, then answer queries until EOF."""
    _die_with_parent()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ValueError, OSError):
        pass
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the message stream
    setup = read_message(stdin)
    assert isinstance(setup, dict)
    store = ox.Store()
    store.bulk_load(setup["nquads"], format=ox.RdfFormat.N_QUADS)
    prefixes: dict[str, str] = setup.get("prefixes", {})
    write_message(stdout, QueryResponse("ready", rows=len(store)))
    while True:
        try:
            request = read_message(stdin)
        except EOFError:
            break
        if isinstance(request, CheckRequest):
            write_message(stdout, check(request))
        elif isinstance(request, QueryRequest):
            write_message(stdout, evaluate(store, request, prefixes))
        else:
            break
    os._exit(0)


if __name__ == "__main__":
    main()
