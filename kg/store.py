"""The store seam: every read and write of the graph goes through :class:`Store`.

Why: GraphQL, SPARQL, validation and export must not care whether the triples live in pyoxigraph,
rdflib or a remote endpoint. Backends live in ``kg/stores/<backend>.py`` and are chosen by
:func:`open_store` from one settings string (``KG_STORE``), so callers never import a backend.

Queries see the *union* of all named graphs as their default graph: the data is kept in named
graphs (ontology, curated data, derived facts) so that each can be replaced atomically, while
consumers query one graph.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Identifier

STAGING_SEGMENT = "/graph/staging/"
"""Named graphs whose IRI contains this are loads in progress: backends hide them from queries."""


LOADING = "urn:evidence-kg:loading"
"""Predicate of marker triples ``<stage> <urn:evidence-kg:loading> <graph>``, kept in a staging
graph, that hide a graph being bulk-loaded in place until the load completes."""


def is_staging(name: str) -> bool:
    """Whether a named graph is a load in progress (invisible to readers)."""
    return STAGING_SEGMENT in name


class StoreError(Exception):
    """A store operation failed; the message says what and where."""


class QuerySyntaxError(StoreError):
    """The SPARQL text could not be parsed; the message is the parser's."""


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT query; an unbound variable is absent from its row's dict."""

    variables: tuple[str, ...]
    rows: list[dict[str, Identifier]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Identifier]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


Term = TypeVar("Term", bound=Hashable)
Converted = TypeVar("Converted")


def converted_rows(
    rows: Iterable[Iterable[Term | None]], convert: Callable[[Term], Converted]
) -> list[tuple[Converted | None, ...]]:
    """``rows`` with every term converted, each distinct term once (unbound stays ``None``).

    Why the memo: the read model's rows repeat their terms (a bag read gives every subject and
    predicate on each of its rows), and converting a term costs as much as the store's own
    evaluation of such a query.
    """
    done: dict[Term, Converted] = {}
    converted: list[tuple[Converted | None, ...]] = []
    for row in rows:
        values: list[Converted | None] = []
        for term in row:
            if term is None:
                values.append(None)
                continue
            value = done.get(term)
            if value is None:
                value = done[term] = convert(term)
            values.append(value)
        converted.append(tuple(values))
    return converted


QueryResult = SelectResult | bool | Graph
"""SELECT gives rows, ASK a bool, CONSTRUCT and DESCRIBE a graph."""


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do beyond the methods every store has: callers ask this, never the
    store's class or spec, so a wrapper that forwards its inner store's capabilities (a test's
    counting store) takes the same code path as the store it wraps.

    The defaults are what a remote SPARQL endpoint guarantees; each backend turns on what it can.
    """

    inline_reads: bool = False
    """Key-bounded reads (:func:`key_bounded`) are answered in this process in well under a
    millisecond, the GIL released while the store evaluates, so they may run on a server's event
    loop, where a thread hop would cost as much as the read (the README query took twice as long
    with every read in a thread). Not rdflib (a join can take seconds, under a global lock) and
    not a remote endpoint (the network can stall)."""


@runtime_checkable
class Store(Protocol):
    """What every backend offers. Small on purpose: new backends should be cheap to add.

    :attr:`capabilities` says what a backend can do beyond this; backends subclass ``Store``
    explicitly to inherit its defaults.
    """

    capabilities: Capabilities = Capabilities()

    def query(self, sparql: str) -> QueryResult:
        """Evaluate any SPARQL 1.1 query over the union of all graphs."""
        ...

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Make ``graph`` the whole content of named graph ``name``, atomically.

        Readers see the old content or the new, never a mix; on error the old content stays.
        """
        ...

    def drop_graph(self, name: URIRef) -> None:
        """Remove named graph ``name`` (no error if it does not exist)."""
        ...

    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store."""
        ...

    def dataset(self) -> Dataset:
        """A copy of the whole content as an rdflib Dataset (for export and validation)."""
        ...

    def __len__(self) -> int:
        """Number of quads."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


def select(store: Store, sparql: str) -> SelectResult:
    """Run a SELECT query, failing loudly if the query is of another form."""
    result = store.query(sparql)
    if not isinstance(result, SelectResult):
        raise StoreError(f"expected a SELECT query, got a {type(result).__name__} result")
    return result


Read = TypeVar("Read", bound=Callable[..., object])

_KEY_BOUNDED = "__kg_key_bounded__"
"""The attribute :func:`key_bounded` and :func:`grows_with_data` set on a read function."""


def key_bounded(read: Read) -> Read:
    """Declare ``read`` (a function taking a store first) key-bounded: its cost is bounded by
    the keys it is given (index lookups of a batch of IRIs, or of exact values), not by the size
    of the data. Only such reads may run on a server's event loop (:func:`runs_inline`)."""
    setattr(read, _KEY_BOUNDED, True)
    return read


def grows_with_data(read: Read) -> Read:
    """Declare that ``read``'s cost grows with the data (a scan of names, a listing found,
    sorted or counted whole): it must never run on a server's event loop, where every other
    request would wait for it. Undeclared reads are treated so too; declaring says it was
    thought about."""
    setattr(read, _KEY_BOUNDED, False)
    return read


def is_key_bounded(read: Callable[..., object]) -> bool:
    """Whether ``read`` was declared with :func:`key_bounded`."""
    return getattr(read, _KEY_BOUNDED, False) is True


def runs_inline(store: Store, read: Callable[..., object]) -> bool:
    """Whether ``read(store, ...)`` may run on the caller's event loop: only a key-bounded read
    of a store whose such reads take well under a millisecond (``inline_reads``). Anything else
    runs in a thread, so one client's costly request never delays another's.

    >>> from kg.stores.memory import MemoryStore
    >>> runs_inline(MemoryStore(), key_bounded(lambda store: None))
    False
    """
    return store.capabilities.inline_reads and is_key_bounded(read)


def is_persistent(spec: str) -> bool:
    """Whether what a store spec holds outlives the process that opened it.

    >>> [is_persistent(s) for s in ("oxigraph", "memory", "oxigraph:var/store", "sparql:http://h/q")]
    [False, False, True, True]
    """
    kind, _, argument = spec.partition(":")
    return bool(argument) and kind in ("oxigraph", "sparql")


def open_store(spec: str) -> Store:
    """Open a backend from a spec.

    ``oxigraph`` (embedded, in memory), ``oxigraph:PATH`` (embedded, on disk), ``memory`` (rdflib),
    or ``sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]`` (a remote SPARQL 1.1 endpoint; URLs may
    carry ``user:password@``, see :mod:`kg.stores.sparql`).

    >>> type(open_store("memory")).__name__
    'MemoryStore'
    >>> type(open_store("oxigraph")).__name__
    'OxigraphStore'
    """
    kind, _, argument = spec.partition(":")
    if kind == "memory":
        from kg.stores.memory import MemoryStore

        return MemoryStore()
    if kind == "oxigraph":
        from kg.stores.oxigraph import OxigraphStore

        return OxigraphStore(path=argument or None)
    if kind == "sparql" and argument:
        from kg.stores.sparql import SparqlStore

        query_url, _, rest = argument.partition(",")
        update_url, _, graph_store_url = rest.partition(",")
        return SparqlStore(
            query_url=query_url,
            update_url=update_url or None,
            graph_store_url=graph_store_url or None,
        )
    raise StoreError(
        f"unknown store {spec!r}: expected 'oxigraph', 'oxigraph:PATH', 'memory' "
        "or 'sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]'"
    )
