"""The store seam: every backend answers the same way (parametrized over backends)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.build import build_store
from kg.readmodel import listing, read
from kg.settings import Settings
from kg.store import (
    Capabilities,
    QuerySyntaxError,
    SelectResult,
    Store,
    StoreError,
    Unsupported,
    is_key_bounded,
    may_run_inline,
    open_checkpoint,
    open_store,
    select,
)
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph import OxigraphStore
from tests.servers import OxigraphServer
from tests.stores import RecordingStore

G1 = URIRef("urn:test:g1")
G2 = URIRef("urn:test:g2")


def _graph(*values: int) -> Graph:
    graph = Graph()
    for value in values:
        graph.add((URIRef(f"urn:test:s{value}"), URIRef("urn:test:p"), Literal(value)))
    return graph


@pytest.fixture(params=["memory", "oxigraph", "oxigraph-disk", "sparql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sparql":
        server: OxigraphServer = request.getfixturevalue("remote_sparql")
        spec = server.store_spec
    else:
        spec = {"oxigraph-disk": f"oxigraph:{tmp_path / 'db'}"}.get(request.param, request.param)
    opened = open_store(spec)
    for name in opened.graph_names():  # the remote server is shared: start each test empty
        opened.drop_graph(name)
    yield opened
    opened.close()


def test_store_satisfies_protocol(store: Store) -> None:
    assert isinstance(store, Store)


def test_queries_see_the_union_of_named_graphs(store: Store) -> None:
    store.replace_graph(G1, _graph(1, 2))
    store.replace_graph(G2, _graph(3))
    rows = select(store, "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o")
    assert [row["o"].toPython() for row in rows] == [1, 2, 3]  # type: ignore[attr-defined]
    assert store.graph_names() == [G1, G2]
    assert len(store) == 3


def test_replace_graph_replaces_only_that_graph(store: Store) -> None:
    store.replace_graph(G1, _graph(1, 2))
    store.replace_graph(G2, _graph(3))
    store.replace_graph(G1, _graph(4))
    rows = select(store, "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o")
    assert [row["o"].toPython() for row in rows] == [3, 4]  # type: ignore[attr-defined]


def test_drop_graph(store: Store) -> None:
    store.replace_graph(G1, _graph(1))
    store.drop_graph(G1)
    store.drop_graph(G1)  # dropping twice is not an error
    assert len(store) == 0


def test_query_forms(store: Store) -> None:
    store.replace_graph(G1, _graph(1))
    assert store.query("ASK { ?s ?p 1 }") is True
    constructed = store.query("CONSTRUCT { ?s <urn:test:q> ?o } WHERE { ?s ?p ?o }")
    assert isinstance(constructed, Graph) and len(constructed) == 1
    result = store.query("SELECT ?s ?missing WHERE { ?s ?p ?o OPTIONAL { ?s <urn:x> ?missing } }")
    assert isinstance(result, SelectResult)
    assert result.variables == ("s", "missing")
    assert result.rows == [{"s": URIRef("urn:test:s1")}]  # unbound variables are absent


def test_malformed_query_raises_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELEC ?x WHERE { ?x ?y ?z }")


def test_select_refuses_other_query_forms(store: Store) -> None:
    with pytest.raises(StoreError, match="SELECT"):
        select(store, "ASK { ?s ?p ?o }")


def test_dataset_copy_keeps_graph_names(store: Store) -> None:
    store.replace_graph(G1, _graph(1))
    dataset = store.dataset()
    assert {URIRef(str(g.identifier)) for g in dataset.graphs() if len(g)} == {G1}


def test_plain_and_typed_literals_round_trip(store: Store) -> None:
    graph = Graph()
    s, p = URIRef("urn:test:s"), URIRef("urn:test:p")
    for value in (
        Literal("plain"),
        Literal("fr", lang="fr"),
        Literal("0.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
    ):
        graph.add((s, p, value))
    store.replace_graph(G1, graph)
    rows = select(store, "SELECT ?o WHERE { ?s ?p ?o }")
    assert {row["o"] for row in rows} == set(graph.objects(s, p))


def test_on_disk_store_persists_across_reopen(tmp_path: Path) -> None:
    """Restarting the server on an oxigraph:PATH store loses nothing."""
    spec = f"oxigraph:{tmp_path / 'db'}"
    first = open_store(spec)
    first.replace_graph(G1, _graph(1, 2))
    first.close()
    del first
    reopened = open_store(spec)
    assert len(reopened) == 2


def test_on_disk_store_creates_missing_parent_folders(tmp_path: Path) -> None:
    """Regression: `kg serve` defaults to oxigraph:var/store, and var/ did not exist."""
    store = open_store(f"oxigraph:{tmp_path / 'var' / 'nested' / 'store'}")
    store.replace_graph(G1, _graph(1))
    assert len(store) == 1


def test_unknown_store_spec_is_refused() -> None:
    with pytest.raises(StoreError, match="unknown store"):
        open_store("postgres://nowhere")


def test_read_only_remote_store_refuses_writes(remote_sparql: OxigraphServer) -> None:
    store = open_store(f"sparql:{remote_sparql.query_url}")
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graph(G1, _graph(1))


def test_unreachable_remote_store_says_where() -> None:
    from tests.servers import free_port

    store = open_store(f"sparql:http://127.0.0.1:{free_port()}/query")
    with pytest.raises(StoreError, match="unreachable"):
        store.query("ASK {}")


# --- where reads may run ------------------------------------------------------------------------


def _store_reads(module: ModuleType) -> list[Callable[..., object]]:
    """The public functions of ``module`` that take a store first: its reads."""
    return [
        function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_")
        and function.__module__ == module.__name__
        and (parameters := list(inspect.signature(function).parameters.values()))
        and parameters[0].annotation in ("Store", Store)
    ]


@pytest.mark.parametrize("module", [read, listing], ids=lambda m: m.__name__)
def test_every_read_of_the_read_model_declares_its_cost(module: ModuleType) -> None:
    """Whether a read may run on a server's event loop is decided from its declaration, so every
    read says which kind it is: one forgotten would silently run in a thread (safe but slower),
    and a scan declared key-bounded would stall every client, so the scans are listed here."""
    reads = _store_reads(module)
    assert reads, f"no reads found in {module.__name__}"
    undeclared = [f.__name__ for f in reads if not hasattr(f, "__kg_key_bounded__")]
    assert not undeclared, f"declare with @key_bounded or @grows_with_data: {undeclared}"
    scans = {
        "find_trial", "search_trial", "find_drugs", "find_drug", "find_conditions",
        "find_phases", "list_drugs", "find_publication", "read_drug_trials",
    }
    for function in reads:
        if function.__name__ in scans or module is listing:
            assert not is_key_bounded(function), function.__name__


def test_only_key_bounded_reads_of_an_in_process_store_run_inline(store: Store) -> None:
    """The rule the GraphQL context applies to every read (kg.store.may_run_inline)."""
    inline = store.capabilities.inline_reads
    assert inline == isinstance(store, OxigraphStore)  # the one backend that may
    assert may_run_inline(store, read.read_trials) is inline
    assert may_run_inline(store, read.find_trial_exactly) is inline
    assert may_run_inline(store, read.search_trial) is False
    assert may_run_inline(store, listing.page) is False
    assert may_run_inline(store, lambda s: None) is False  # undeclared: as if it grew with the data


# --- capabilities, and wrappers that keep them ----------------------------------------------------


def test_capabilities_are_what_each_backend_can_do(store: Store, tmp_path: Path) -> None:
    """The flags callers choose by, per backend: the embedded oxigraph store can do everything
    (checkpoints on disk only), rdflib returns every row but evaluates slowly, and a remote
    endpoint promises nothing."""
    found = store.capabilities
    if isinstance(store, OxigraphStore):
        on_disk = store.path is not None
        assert found == Capabilities(
            inline_reads=True,
            complete_results=True,
            numbered_reads=True,
            costly_string_order=True,
            bulk_load=True,
            checkpoints=on_disk,
        )
    elif isinstance(store, MemoryStore):
        assert found == Capabilities(complete_results=True)
    else:
        assert found == Capabilities()
        assert store.query_url is not None  # workers query the endpoint itself


def test_what_a_backend_cannot_do_is_refused_by_name(store: Store, tmp_path: Path) -> None:
    """A method whose capability is off raises Unsupported (or says why), never half-works."""
    if not store.capabilities.checkpoints:
        with pytest.raises(StoreError):
            store.checkpoint()
    if not store.capabilities.bulk_load:
        source = tmp_path / "one.nt"
        source.write_text("<urn:test:s> <urn:test:p> <urn:test:o> .\n")
        with pytest.raises(Unsupported):
            store.bulk_load({source: "nt"}, graph=G1, stage=G2, base_iri="urn:test:")


def test_compacting_keeps_what_the_store_holds(store: Store) -> None:
    """Every backend can be asked to compact (oxigraph rewrites its tables; the others have
    nothing to do), and answers the same after."""
    store.replace_graph(G1, _graph(1, 2))
    store.replace_graph(G2, _graph(3))
    store.compact()
    rows = select(store, "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o")
    assert [row["o"].toPython() for row in rows] == [1, 2, 3]  # type: ignore[attr-defined]
    assert store.graph_names() == [G1, G2]


def test_a_bulk_load_is_compacted_into_fewer_tables(tmp_path: Path) -> None:
    """What compaction is for: a bulk load leaves its tables as written, and compacting the
    store rewrites them, fewer, with the same quads (readers of a checkpoint taken before
    would look into every one of them)."""
    source = tmp_path / "many.nt"
    source.write_text(
        "".join(f"<urn:test:s{i}> <urn:test:p> <urn:test:o{i % 7}> .\n" for i in range(30_000))
    )
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    assert isinstance(store, OxigraphStore)
    try:
        for index in range(3):  # three loads: three sets of ingested tables
            store.bulk_load(
                {source: "nt"},
                graph=URIRef(f"urn:test:g{index}"),
                stage=URIRef(f"urn:test:stage{index}"),
                base_iri="urn:test:",
            )
        store.native.flush()
        before = len(list((tmp_path / "db").glob("*.sst")))
        store.compact()
        assert len(list((tmp_path / "db").glob("*.sst"))) < before
        assert len(store) == 90_000
    finally:
        store.close()


def test_a_read_only_store_is_not_compacted_and_a_closed_one_says_so(tmp_path: Path) -> None:
    path = tmp_path / "db"
    writer = open_store(f"oxigraph:{path}")
    writer.replace_graph(G1, _graph(1))
    writer.close()
    with pytest.raises(StoreError, match="closed"):
        writer.compact()
    reader = open_checkpoint(path)
    reader.compact()  # its files are read as they are
    assert len(reader) == 1


def test_a_read_only_store_is_its_own_checkpoint(tmp_path: Path) -> None:
    """Workers of a server that serves a checkpoint share it as it is: nothing is copied, and
    removing the 'checkpoint' keeps the store."""
    path = tmp_path / "db"
    writer = open_store(f"oxigraph:{path}")
    writer.replace_graph(G1, _graph(1))
    made = writer.checkpoint()
    writer.close()
    try:
        reader = open_checkpoint(made.path)
        assert reader.capabilities.checkpoints and not reader.capabilities.bulk_load
        itself = reader.checkpoint()
        assert itself.path == made.path
        itself.remove()
        assert len(open_checkpoint(made.path)) == 1
    finally:
        made.remove()
    assert not made.path.exists()


def test_the_store_seam_defaults_agree_with_the_oxigraph_overrides(settings: Settings) -> None:
    """select_lexical, select_values and nquads have defaults (through query() and dataset())
    that every backend inherits, and overrides on oxigraph that skip rdflib: on one store, both
    give the same rows and the same quads."""
    store = build_store(settings.with_overrides(store="oxigraph"))
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o OPTIONAL { ?o <urn:test:none> ?missing } }"
    for method in ("select_lexical", "select_values"):
        default = getattr(Store, method)(store, query)
        assert default == getattr(store, method)(query), method
        assert len(default) == len(store)
    graphs = store.graph_names()
    ours, theirs = Dataset(), Dataset()
    ours.parse(data=b"".join(store.nquads(graphs)), format="nquads")
    theirs.parse(data=b"".join(Store.nquads(store, graphs)), format="nquads")
    for graph in graphs:
        assert isomorphic(ours.graph(graph), theirs.graph(graph)), graph
    whole = Dataset()
    whole.parse(data=b"".join(store.nquads()), format="nquads")
    assert len(list(whole.quads())) == len(store)
    store.close()


def _reads_reaching(monkeypatch: pytest.MonkeyPatch, reached: list[tuple[str, str]]) -> None:
    """Record every read call that reaches the oxigraph store's own methods."""
    for method in ("query", "select_lexical", "select_values"):
        original = getattr(OxigraphStore, method)

        def spy(self: OxigraphStore, sparql: str, _name: str = method, _read: Any = original) -> Any:
            reached.append((_name, sparql))
            return _read(self, sparql)

        monkeypatch.setattr(OxigraphStore, method, spy)


def _read_model_at_work(store: Store) -> None:
    """What a page of the API asks: lookups, bag reads, links, listings of both kinds."""
    trial = read.find_trial(store, "dascern")
    assert trial is not None
    read.read_trials(store, [trial])
    arms = read.read_links(store, [(trial, str(read.ekg.arm))])[(trial, str(read.ekg.arm))]
    read.read_arms(store, arms)
    read.read_backlinks(store, [(arm, str(read.ekg.arm), str(read.ekg.ArmResult)) for arm in arms])
    drugs = listing.TrialFilter(drug="dasatinib")
    assert listing.page_trials(store, drugs, 2, None).items
    comparisons = listing.page_comparisons(store, listing.ComparisonFilter(), 2, None)
    read.read_comparisons(store, [item for item, _ in comparisons.items])
    assert listing.count_trials(store, drugs) >= 1


def test_a_wrapper_takes_the_code_path_of_the_store_it_wraps(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests' recording store forwards the oxigraph store's capabilities, so the read model
    sends through it exactly the calls, in the same order, that it sends to the bare store (the
    numbered bag reads, lexical rows, comparisons sorted in Python), and every call it records
    is one the store got. Before capabilities, wrappers failed the backend's class test and
    silently took the rdflib path."""
    store = build_store(settings.with_overrides(store="oxigraph"))
    wrapper = RecordingStore(store)
    assert wrapper.capabilities == store.capabilities

    def reaching(target: object) -> list[tuple[str, str]]:
        reached: list[tuple[str, str]] = []
        with monkeypatch.context() as patch:
            _reads_reaching(patch, reached)
            _read_model_at_work(target)  # type: ignore[arg-type]
        return reached

    bare = reaching(store)
    through = reaching(wrapper)
    assert through == bare
    assert wrapper.calls == through
    assert {"select_lexical", "select_values"} <= {method for method, _ in through}
    assert any("properties_numbered" in sparql for _, sparql in through)
    store.close()
