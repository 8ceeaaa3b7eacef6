"""The store seam: every read and write of the graph goes through :class:`Store`.

Why: GraphQL, SPARQL, validation and export must not care whether the triples live in pyoxigraph,
rdflib or a remote endpoint. Backends live in ``kg/stores/<backend>.py`` and are chosen by
:func:`open_store` from one settings string (``KG_STORE``), so callers never import a backend.
Where backends differ (reads without rdflib terms, dumps, bulk loads, checkpoints, whether a read
may run on an event loop), callers ask the store's :class:`Capabilities`, never its class.

Queries see the *union* of all named graphs as their default graph: the data is kept in named
graphs (ontology, curated data, derived facts) so that each can be replaced atomically, while
consumers query one graph.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

STAGING_SEGMENT = "/graph/staging/"
"""Named graphs whose IRI contains this are loads in progress: backends hide them from queries.
Each holds at least one :data:`LOADING` marker (naming itself, or the graph it loads in place),
by which a backend finds the stages without listing every graph of the store."""


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


class Unsupported(StoreError):
    """The backend lacks the capability a method needs (see :class:`Capabilities`): a caller
    asked without checking, which is a bug."""


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


Lexical = tuple[str, str]
"""A term without rdflib: (lexical form, kind). The kind is :data:`IRI` or :data:`BLANK` for
nodes, ``"@" + language`` for a language-tagged literal, else the literal's datatype IRI."""

IRI = ""
BLANK = "_"
XSD_STRING = str(XSD.string)


def lexical_of(term: Identifier) -> Lexical:
    """An rdflib term as a :data:`Lexical` pair.

    >>> lexical_of(Literal("fr", lang="fr")), lexical_of(URIRef("urn:x"))
    (('fr', '@fr'), ('urn:x', ''))
    """
    if isinstance(term, Literal):
        if term.language:
            return (str(term), f"@{term.language}")
        return (str(term), XSD_STRING if term.datatype is None else str(term.datatype))
    return (str(term), BLANK if isinstance(term, BNode) else IRI)


QueryResult = SelectResult | bool | Graph
"""SELECT gives rows, ASK a bool, CONSTRUCT and DESCRIBE a graph."""

Progress = Callable[[int], None]
"""Called with the number of bytes read since the last call (a load's progress bar)."""


class Checkpoint(Protocol):
    """An immutable on-disk copy of a store that other processes open read-only
    (:func:`open_checkpoint`), removed by its maker when no longer served."""

    @property
    def path(self) -> Path:
        """What :func:`open_checkpoint` opens."""
        ...

    def remove(self) -> None:
        """Delete the copy (nothing, for a store that is its own checkpoint)."""
        ...


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

    complete_results: bool = False
    """Every query returns every row it matches, so a listing may be read whole (and kept) and
    the store dumped from its own quads (:meth:`Store.nquads`). A remote endpoint may cap its
    rows without a word (Virtuoso: 10,000 by default) and has its own dump protocol."""

    numbered_reads: bool = False
    """Bag reads that return each row's resource and predicate as their positions in the
    caller's lists (``properties_numbered.rq``) are cheaper than reads returning IRIs: oxigraph
    reads every IRI it returns from disk. rdflib evaluates the numbering per triple (the memory
    store's README query: 200 -> 630 ms) and Virtuoso 7.2 mis-evaluated it once."""

    costly_string_order: bool = False
    """ORDER BY over long strings costs far more than reading them and sorting in Python:
    oxigraph reads a string's text from disk at every comparison (ordering 400,000 comparison
    IRIs took 34 s of CPU; reading them whole and sorting them here, 2 s). Listings ordered by
    IRI are then read whole, which also needs :attr:`complete_results`."""

    bulk_load: bool = False
    """:meth:`Store.bulk_load` streams files straight into a named graph, hidden from readers
    until the whole input has loaded; without it a load is parsed in memory and handed to
    :meth:`Store.replace_graph`."""

    checkpoints: bool = False
    """:meth:`Store.checkpoint` gives an immutable on-disk copy that other processes (SPARQL
    workers, the processes of a several-process server) open read-only, in milliseconds and
    without a copy of the data."""


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

    def update_graphs(self, replace: Mapping[str, str], add: Mapping[str, str]) -> None:
        """In one transaction: make each graph of ``replace`` hold exactly the given N-Triples
        text (an empty text drops it), and add the N-Triples of ``add`` to their graphs.

        Readers see every change or none; on error nothing changes. This is the write of
        :mod:`kg.write`, which replaces several studies' graphs and adds shared reference data
        at once.
        """
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

    # What follows has a default that works everywhere, or refuses with Unsupported; a backend
    # overrides what it does better or can do at all, and says so in its capabilities.

    query_url: str | None = None
    """A SPARQL endpoint that other processes may query for this store's data (a remote
    store's); ``None`` for a store only this process reaches."""

    def select_lexical(self, sparql: str) -> list[tuple[Lexical | None, ...]]:
        """The rows of a SELECT as :data:`Lexical` pairs, in the order of its variables (unbound:
        ``None``). Default: from :meth:`query`'s rdflib terms; a backend that can skip building
        them (oxigraph: half of a bag read's time) overrides this."""
        result = select(self, sparql)
        return converted_rows(
            ([row.get(name) for name in result.variables] for row in result.rows), lexical_of
        )

    def select_values(self, sparql: str) -> list[tuple[str | None, ...]]:
        """The rows of a SELECT as the terms' lexical values (IRIs, literal texts), for reading
        a large result whole (every item of a listing)."""
        return [
            tuple(None if term is None else term[0] for term in row)
            for row in self.select_lexical(sparql)
        ]

    def hidden_graphs(self) -> set[str]:
        """Named graphs queries do not see: loads in progress. Default: none, as for a store
        whose loads replace a graph in one request (no :attr:`Capabilities.bulk_load`)."""
        return set()

    def server_graphs(self) -> frozenset[str]:
        """Named graphs that belong to the server holding the store, not to the knowledge graph
        (Virtuoso keeps its own configuration and service description in graphs that queries
        over the union default graph see). Default: none."""
        return frozenset()

    def nquads(self, graphs: Sequence[URIRef] | None = None) -> Iterator[bytes]:
        """Named graphs ``graphs`` (every quad, the default graph's too, when ``None``) as
        UTF-8 N-Quads, in chunks. Default: serialized by rdflib from :meth:`dataset`, one chunk
        a graph; a backend that can stream its own quads overrides this. Complete only where
        :attr:`Capabilities.complete_results`."""
        everything = self.dataset()
        if graphs is None:
            yield everything.serialize(format="nquads", encoding="utf-8")
            return
        for graph in graphs:
            one = Dataset()
            target = one.graph(graph)
            for triple in everything.graph(graph):
                target.add(triple)
            yield one.serialize(format="nquads", encoding="utf-8")

    def bulk_load(
        self,
        files: Mapping[Path, str],
        *,
        graph: URIRef,
        stage: URIRef,
        base_iri: str,
        progress: Progress | None = None,
    ) -> None:
        """Load ``files`` (path -> format: ``nt``, ``turtle`` or ``xml``) into named graph
        ``graph``, replacing it: readers see the old content until the whole input has loaded,
        and an interrupted load leaves nothing half-loaded. ``stage`` names a graph the load may
        use on the way (hidden from readers). Only where :attr:`Capabilities.bulk_load`."""
        raise Unsupported(f"{type(self).__name__} has no bulk loader")

    def checkpoint(self) -> Checkpoint:
        """An immutable on-disk copy of the store as it is now, for other processes to open
        read-only. Only where :attr:`Capabilities.checkpoints`."""
        raise Unsupported(f"{type(self).__name__} makes no checkpoints")

    def compact(self) -> None:
        """Rewrite the store's files for reading, after a bulk change left them as written
        (nothing where the backend keeps them so itself, or cannot be asked). Readers and
        writers go on meanwhile."""
        return None


def graph_update(replace: Mapping[str, str], add: Mapping[str, str]) -> str:
    """The SPARQL update that :meth:`Store.update_graphs` runs (N-Triples texts by graph).

    >>> print(graph_update({"urn:g": "<urn:s> <urn:p> <urn:o> ."}, {}))
    DROP SILENT GRAPH <urn:g> ;
    INSERT DATA {
    GRAPH <urn:g> {
    <urn:s> <urn:p> <urn:o> .
    }
    }
    """
    operations = [f"DROP SILENT GRAPH <{name}> ;" for name in replace]
    blocks = [
        f"GRAPH <{name}> {{\n{text}\n}}"
        for name, text in (*replace.items(), *add.items())
        if text.strip()
    ]
    if blocks:
        operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
    elif operations:
        operations[-1] = operations[-1].removesuffix(" ;")
    return "\n".join(operations)


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
    of the data. Only such reads may run on a server's event loop (:func:`may_run_inline`)."""
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


def may_run_inline(store: Store, read: Callable[..., object]) -> bool:
    """Whether ``read(store, ...)`` may run on the caller's event loop: only a key-bounded read
    of a store whose such reads take well under a millisecond (``inline_reads``). Anything else
    runs in a thread, so one client's costly request never delays another's.

    >>> from kg.stores.memory import MemoryStore
    >>> may_run_inline(MemoryStore(), key_bounded(lambda store: None))
    False
    """
    return store.capabilities.inline_reads and is_key_bounded(read)


def _parse_spec(spec: str) -> tuple[str, str]:
    """A store spec's backend kind and argument: the one place a spec is read (KG_STORE)."""
    kind, _, argument = spec.partition(":")
    return kind, argument


def is_persistent(spec: str) -> bool:
    """Whether what a store spec holds outlives the process that opened it.

    >>> [is_persistent(s) for s in ("oxigraph", "memory", "oxigraph:var/store", "sparql:http://h/q")]
    [False, False, True, True]
    """
    kind, argument = _parse_spec(spec)
    return bool(argument) and kind in ("oxigraph", "sparql")


def is_private(spec: str) -> bool:
    """Whether only the process that opens the store a spec names can change its data: an
    embedded store (in memory, or on disk under the single-writer lock), not a remote endpoint
    that other clients may write to. What a process may cache about the data depends on it,
    and it must be known before the store is opened.

    >>> [is_private(s) for s in ("oxigraph", "memory", "oxigraph:var/store", "sparql:http://h/q")]
    [True, True, True, False]
    """
    return _parse_spec(spec)[0] in ("oxigraph", "memory")


def open_checkpoint(path: Path) -> Store:
    """The checkpoint at ``path`` (:meth:`Store.checkpoint`), opened read-only.

    Why here: the processes that serve a checkpoint get only its path (an environment variable),
    and only this module knows which backend makes checkpoints.
    """
    from kg.stores.oxigraph import ReadOnlyOxigraphStore

    return ReadOnlyOxigraphStore(str(path))


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
    kind, argument = _parse_spec(spec)
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
