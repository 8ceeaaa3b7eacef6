"""The write path: validated, atomic, idempotent, and refusing without writing anything."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kg.build import ensure_built, store_generation
from kg.projection import Projection
from kg.settings import Settings
from kg.store import Store, open_store, select
from kg.stores.oxigraph import OxigraphStore
from kg.write import StudyGraph, WriteContext, delete_study, write_studies

BASE = "https://w3id.org/evidence-kg/id/"
EKG = "https://w3id.org/evidence-kg/ontology/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def context() -> WriteContext:
    return WriteContext.from_settings(Settings.from_env({}))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = open_store(f"oxigraph:{tmp_path / 'store'}")
    assert isinstance(opened, OxigraphStore)
    ensure_built(opened, Settings.from_env({}).with_overrides(store=f"oxigraph:{tmp_path}"))
    yield opened
    opened.close()


def quads(store: OxigraphStore) -> list[str]:
    """Everything the store holds, in one canonical order: equal lists mean an unchanged store."""
    return sorted(str(quad) for quad in store.native)


def study(name: str, *, value: str = "1", label: str | None = None, extra: tuple[str, ...] = ()) -> StudyGraph:
    """A minimal observational study (no arms needed) with one registration and one source."""
    node = f"{BASE}trial/{name}"
    source = f"{BASE}source/{name}"
    registration = f"{node}/registration"
    lines = [
        f"<{node}> <{RDF_TYPE}> <{EKG}Study> .",
        f"<{node}> <{LABEL}> \"{label or name.upper()}\" .",
        f"<{node}> <https://schema.org/name> \"Study {name}\" .",
        f"<{node}> <https://schema.org/identifier> \"{name.upper()}\" .",
        f"<{node}> <https://schema.org/healthCondition> <{BASE}condition/cml-chronic-phase> .",
        f"<{node}> <{EKG}registration> <{registration}> .",
        f"<{node}> <{EKG}enrollment> \"{value}\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
        f"<{node}> <http://www.w3.org/ns/prov#wasDerivedFrom> <{source}> .",
        f"<{registration}> <{RDF_TYPE}> <{EKG}Registration> .",
        f"<{registration}> <{LABEL}> \"Registry {name}\" .",
        f"<{registration}> <{EKG}registry> \"Some registry\" .",
        f"<{registration}> <{EKG}registryId> \"{name.upper()}\" .",
        f"<{registration}> <http://www.w3.org/ns/prov#wasDerivedFrom> <{source}> .",
        f"<{source}> <{RDF_TYPE}> <{EKG}Source> .",
        f"<{source}> <{LABEL}> \"Record of {name}\" .",
        f"<{source}> <{EKG}sourceKey> \"{name.upper()}\" .",
        *extra,
    ]
    return StudyGraph(
        study=node,
        graph=f"{BASE}graph/trial/{name}",
        lines=tuple(lines),
        pointers={f"<{node}>": "/study", f"<{node}> {EKG}enrollment": "/study/enrollment"},
        origin=f"{name}.json",
    )


def test_a_valid_study_is_imported_and_moves_the_generation(store: OxigraphStore, context: WriteContext) -> None:
    before = store_generation(store, BASE)
    (outcome,) = write_studies(store, [study("s1")], context)
    assert outcome.status == "imported"
    # Warnings come back with the outcome; only violations refuse.
    assert {p.severity for p in outcome.problems} <= {"Warning"}
    assert store.query(f"ASK {{ GRAPH <{BASE}graph/trial/s1> {{ <{BASE}trial/s1> ?p ?o }} }}")
    assert store_generation(store, BASE) not in (None, before)


def test_the_same_study_twice_leaves_the_store_as_it_was(store: OxigraphStore, context: WriteContext) -> None:
    write_studies(store, [study("s1")], context)
    snapshot = quads(store)
    (outcome,) = write_studies(store, [study("s1")], context)
    assert outcome.status == "unchanged"
    assert quads(store) == snapshot  # the generation too: nothing was written


def test_a_new_version_replaces_the_old_whole(store: OxigraphStore, context: WriteContext) -> None:
    absent = f'<{BASE}trial/s1> <{EKG}acronymAbsent> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
    write_studies(store, [study("s1", value="10", extra=(absent,))], context)
    (outcome,) = write_studies(store, [study("s1", value="12")], context)
    assert outcome.status == "replaced"
    rows = select(store, f"SELECT ?n WHERE {{ <{BASE}trial/s1> <{EKG}enrollment> ?n }}")
    assert [int(row["n"]) for row in rows] == [12]
    assert not store.query(f"ASK {{ <{BASE}trial/s1> <{EKG}acronymAbsent> ?x }}")


def test_a_violation_refuses_the_study_and_writes_nothing_of_it(
    store: OxigraphStore, context: WriteContext
) -> None:
    snapshot = quads(store)
    bad = study("s2", value="0")  # enrollment must be at least 1
    (outcome,) = write_studies(store, [bad], context)
    assert outcome.status == "refused"
    (problem,) = outcome.problems
    assert problem.severity == "Violation"
    assert problem.focus == f"{BASE}trial/s2" and problem.path == f"{EKG}enrollment"
    assert problem.pointer == "/study/enrollment"
    assert problem.value == "0"
    assert quads(store) == snapshot


def test_one_refused_study_does_not_keep_the_others_of_its_batch_out(
    store: OxigraphStore, context: WriteContext
) -> None:
    outcomes = write_studies(store, [study("s1"), study("s2", value="0"), study("s3")], context)
    assert [o.status for o in outcomes] == ["imported", "refused", "imported"]
    names = {str(name) for name in store.graph_names()}
    assert {f"{BASE}graph/trial/s1", f"{BASE}graph/trial/s3"} <= names
    assert f"{BASE}graph/trial/s2" not in names


def test_a_reference_to_a_node_the_store_lacks_is_refused(store: OxigraphStore, context: WriteContext) -> None:
    """The condition must be described in the store or the input: a dangling one fails
    sh:class, with the node named."""
    nowhere = f"<{BASE}trial/s4> <https://schema.org/healthCondition> <{BASE}condition/nowhere> ."
    dangling = study("s4", extra=(nowhere,))
    (outcome,) = write_studies(store, [dangling], context)
    assert outcome.status == "refused"
    assert any(p.value == f"{BASE}condition/nowhere" for p in outcome.problems)


def test_shared_reference_data_is_written_once_and_never_replaced(
    store: OxigraphStore, context: WriteContext
) -> None:
    drug = f"{BASE}drug/name-thing"
    description = (
        f"<{drug}> <{RDF_TYPE}> <{EKG}Drug> .",
        f"<{drug}> <{RDF_TYPE}> <https://schema.org/Drug> .",
        f"<{drug}> <{LABEL}> \"thing\" .",
        f"<{drug}> <https://schema.org/name> \"thing\" .",
    )
    first = study("s5")
    first = StudyGraph(**{**first.__dict__, "shared": description})
    second = StudyGraph(**{**study("s6").__dict__, "shared": description})
    write_studies(store, [first, second], context)
    rows = select(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{drug}> <{LABEL}> ?l }} }}")
    assert [str(row["g"]) for row in rows] == [context.reference_graph]
    renamed = tuple(line.replace('"thing"', '"Thing"') for line in description)
    third = StudyGraph(**{**study("s7").__dict__, "shared": renamed})
    (outcome,) = write_studies(store, [third], context)
    assert outcome.status == "imported"
    names = select(store, f"SELECT ?n WHERE {{ <{drug}> <https://schema.org/name> ?n }}")
    assert [str(row["n"]) for row in names] == ["thing"]


def test_the_last_copy_of_a_study_in_one_batch_wins(store: OxigraphStore, context: WriteContext) -> None:
    outcomes = write_studies(store, [study("s1", value="3"), study("s1", value="4")], context)
    assert [o.status for o in outcomes] == ["unchanged", "imported"]
    assert "superseded" in outcomes[0].notes[0]
    rows = select(store, f"SELECT ?n WHERE {{ <{BASE}trial/s1> <{EKG}enrollment> ?n }}")
    assert [int(row["n"]) for row in rows] == [4]


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_update_graphs_is_one_change_on_every_embedded_backend(backend: str) -> None:
    store: Store = open_store(backend)
    store.update_graphs({"urn:g1": "<urn:a> <urn:p> <urn:b> ."}, {"urn:g2": "<urn:c> <urn:p> <urn:d> ."})
    store.update_graphs({"urn:g1": "<urn:x> <urn:p> <urn:y> ."}, {"urn:g2": "<urn:e> <urn:p> <urn:f> ."})
    rows = select(store, "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s")
    assert [(str(r["g"]), str(r["s"])) for r in rows] == [
        ("urn:g1", "urn:x"), ("urn:g2", "urn:c"), ("urn:g2", "urn:e")
    ]
    with pytest.raises(Exception):  # noqa: B017 - each backend names its own parse error
        store.update_graphs({"urn:g1": "<urn:broken"}, {})
    assert store.query("ASK { GRAPH <urn:g1> { <urn:x> ?p ?o } }")


def big_graph(name: str, triples: int) -> str:
    return "\n".join(f"<urn:{name}:s{k}> <urn:p> \"{k}\" ." for k in range(triples))


def test_a_large_write_of_new_graphs_is_bulk_loaded_and_appears_at_once(tmp_path: Path) -> None:
    from kg.stores.oxigraph import BULK_LINES, WRITE_STAGES

    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    assert isinstance(store, OxigraphStore)
    store.update_graphs({"urn:old": "<urn:o> <urn:p> <urn:q> ."}, {})
    store.update_graphs(
        {"urn:g1": big_graph("g1", BULK_LINES), "urn:old": "<urn:o2> <urn:p> <urn:q> ."},
        {"urn:ref": "<urn:r> <urn:p> <urn:q> ."},
    )
    counts = select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {str(r["g"]): int(r["n"]) for r in counts} == {"urn:g1": BULK_LINES, "urn:old": 1, "urn:ref": 1}
    assert not any(str(g).startswith(WRITE_STAGES) for g in store.graph_names())
    # A write whose transaction fails leaves nothing of its bulk-loaded graphs.
    with pytest.raises(Exception):  # noqa: B017 - the store's parse error
        store.update_graphs({"urn:g2": big_graph("g2", BULK_LINES)}, {"urn:ref": "<urn:broken"})
    assert not store.query("ASK { GRAPH <urn:g2> { ?s ?p ?o } }")
    assert "urn:g2" not in {str(g) for g in store.graph_names()}
    store.close()


def test_a_killed_bulk_write_stays_hidden_and_the_next_write_sweeps_it(tmp_path: Path) -> None:
    """What a process killed between the bulk load and the transaction leaves: a marker and a
    half-written graph, invisible to queries, dropped by the next write."""
    import pyoxigraph as ox

    from kg.store import LOADING
    from kg.stores.oxigraph import WRITE_STAGES

    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    assert isinstance(store, OxigraphStore)
    stage = ox.NamedNode(f"{WRITE_STAGES}killed")
    store.native.add(ox.Quad(stage, ox.NamedNode(LOADING), ox.NamedNode("urn:half"), stage))
    store.native.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("x"), ox.NamedNode("urn:half")))
    assert not store.query("ASK { ?s ?p ?o }")
    assert not store.query("ASK { GRAPH ?g { <urn:s> ?p ?o } }")
    store.update_graphs({"urn:next": "<urn:a> <urn:p> <urn:b> ."}, {})
    assert {str(g) for g in store.graph_names()} == {"urn:next"}
    store.close()


def test_each_write_registers_its_generation_with_the_studies_it_changed(
    store: OxigraphStore, context: WriteContext, tmp_path: Path
) -> None:
    """Before a write commits a generation, the projection beside the store hears of it, with a
    marker for each study it imports, replaces or deletes (kg.projection), so that no reader of
    the new generation sees what a builder read of those studies before."""
    projection = Projection(tmp_path / "store.projection.sqlite")
    writing = replace(context, projection=projection)
    s1, s2 = f"{BASE}trial/s1", f"{BASE}trial/s2"
    write_studies(store, [study("s1"), study("s2")], writing)
    first = projection.sequence_of(store_generation(store, BASE) or "")
    assert first is not None and projection.missing(first, [s1, s2]) == [s1, s2]
    projection.put(first, {s1: b"s1", s2: b"s2"})  # what a builder would read

    write_studies(store, [study("s1", value="12"), study("s2")], writing)
    second = projection.sequence_of(store_generation(store, BASE) or "")
    assert second == first + 1
    assert projection.read(second, [s1, s2]) == {s2: b"s2"}, "s1 changed, s2 did not"

    write_studies(store, [study("s2")], writing)
    assert projection.sequence_of(store_generation(store, BASE) or "") == second, "unchanged"

    assert delete_study(store, f"{BASE}graph/trial/s2", writing)
    third = projection.sequence_of(store_generation(store, BASE) or "")
    assert third == second + 1 and projection.read(third, [s1, s2]) == {}
    assert projection.read(first, [s1, s2]) == {s1: b"s1", s2: b"s2"}, "older readers keep theirs"
