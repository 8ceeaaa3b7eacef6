"""Per-trial documents: they hold what every shipped query reads of a trial, answer as the store
does, and are rebuilt for what a write changed and nothing else.

Test data: DASCERN and the real registry records in tests/data/ctgov, imported into an embedded
store on disk (the only kind that has a projection)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from graphql import FieldNode, OperationDefinitionNode, parse

from api.graphql.context import make_context
from api.graphql.documents import (
    SHIPPED,
    ProjectionBuilder,
    RecordingReads,
    TrialDocuments,
    documented,
    trial_selection,
)
from api.graphql.loaders import KeptReads
from api.graphql.schema import build_schema
from kg.build import ensure_built, store_generation
from kg.ctgov.importer import import_records
from kg.ctgov.records import read_records
from kg.facets import ComparisonQuery, TrialQuery, every_study
from kg.projection import Projection
from kg.readmodel.listing import ComparisonFilter, TrialFilter, count_comparisons, page_trials
from kg.settings import Settings
from kg.store import Store, open_store
from kg.write import WriteContext, delete_study, write_studies
from tests.kg.test_write import study

DATA = Path(__file__).parents[2] / "data" / "ctgov"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store, Projection]]:
    """DASCERN and the registry records in an on-disk store with a projection beside it, every
    trial's document built."""
    folder = tmp_path_factory.mktemp("projected")
    settings = Settings.from_env({}).with_overrides(store=f"oxigraph:{folder / 'store'}")
    store = open_store(settings.store)
    ensure_built(store, settings)
    projection = Projection(folder / "store.projection.sqlite")
    context = WriteContext.from_settings(settings)
    summary = import_records(store, list(read_records([str(DATA)])), context)
    assert summary.exit_code == 0
    builder = ProjectionBuilder(store, settings.base_iri, projection)
    assert builder.build_once() > 3
    try:
        yield settings, store, projection
    finally:
        store.close()


def _trials(store: Store) -> list[str]:
    return every_study(store)


def _selected_paths(document: str) -> set[tuple[str, ...]]:
    """Field paths (names only) under ``trial``/``trials.edges.node`` in a query's text,
    fragments spread in."""
    from api.graphql.documents import _fields, _trial_selections

    parsed = parse(document)
    fragments = {
        d.name.value: d for d in parsed.definitions if not isinstance(d, OperationDefinitionNode)
    }
    paths: set[tuple[str, ...]] = set()

    def walk(fields: Any, prefix: tuple[str, ...]) -> None:
        for field in fields:
            assert isinstance(field, FieldNode)
            path = (*prefix, field.name.value)
            paths.add(path)
            walk(list(_fields(field.selection_set, fragments)), path)  # type: ignore[arg-type]

    for selection in _trial_selections(parsed):
        walk(selection, ())
    return paths


def test_the_document_selection_holds_every_field_the_shipped_queries_ask() -> None:
    covered = _selected_paths('query {\n trial(id: "x") ' + trial_selection() + "\n}")
    for package, name in SHIPPED:
        asked = _selected_paths(resources.files(package).joinpath(name).read_text("utf-8"))
        assert asked and asked <= covered, (name, sorted(asked - covered)[:5])


def _answer(store: Store, query: str, variables: dict[str, Any], kept: KeptReads | None) -> Any:
    async def run() -> Any:
        context = await make_context(store, 60, reads=kept)
        result = await build_schema().execute(
            query, variable_values=variables, context_value=context
        )
        assert not result.errors, result.errors
        return result.data

    return asyncio.run(run())


def test_documents_answer_every_shipped_query_as_the_store_and_spare_its_reads(
    built: tuple[Settings, Store, Projection],
) -> None:
    settings, store, projection = built
    sequence = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert sequence is not None
    for trial in _trials(store):
        for package, name in SHIPPED:
            query = resources.files(package).joinpath(name).read_text("utf-8")
            variables = {"id": trial, "text": None, "first": 5, "after": None, "lookup": True}
            plain = _answer(store, query, variables, None)
            recording = RecordingReads()
            TrialDocuments(projection, sequence).prime(recording, [trial])
            assert _answer(store, query, variables, recording) == plain, (trial, name)
            asked = documented(recording.entries, [trial])
            assert not asked, (trial, name, [(r.__name__, k) for r, k, _ in asked[trial]][:3])


def test_a_write_leaves_every_document_but_the_changed_trial_s(
    built: tuple[Settings, Store, Projection],
) -> None:
    settings, store, projection = built
    context = WriteContext(settings.base_iri, *_shapes(settings), projection)  # type: ignore[misc]
    trials = _trials(store)
    before = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert before is not None and projection.missing(before, trials) == []
    (outcome,) = write_studies(store, [study("projected")], context)
    assert outcome.status == "imported"
    after = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert after == before + 1
    new = study("projected").study
    assert projection.missing(after, [*trials, new]) == [new]
    assert ProjectionBuilder(store, settings.base_iri, projection).build_once() == 1
    assert projection.missing(after, [*trials, new]) == []


def _shapes(settings: Settings) -> tuple[Any, Any]:
    from kg.validate import load_ontology, load_shapes

    return load_shapes(settings), load_ontology(settings)


def test_the_builder_forgets_what_no_current_reader_can_see(
    built: tuple[Settings, Store, Projection],
) -> None:
    """Two writes to one trial: after the builder's passes, only the rows a reader of the last
    two complete generations can see are left, and the newest document reads as before."""
    settings, store, projection = built
    context = WriteContext(settings.base_iri, *_shapes(settings), projection)  # type: ignore[misc]
    builder = ProjectionBuilder(store, settings.base_iri, projection)
    trial = study("pruned").study
    rows = "SELECT COUNT(*) FROM row WHERE trial = ?"
    for value in ("1", "2", "3"):
        write_studies(store, [study("pruned", value=value)], context)
        assert builder.build_once() == 1
    sequence = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert sequence is not None and projection.read(sequence, [trial])
    assert builder.pruned > 0
    assert projection._db.execute(rows, (trial,)).fetchone()[0] <= 2


def test_a_deleted_trial_leaves_the_listings_of_the_next_generation(
    built: tuple[Settings, Store, Projection],
) -> None:
    """Deleting a registry trial moves the generation; once the builder's next pass has put the
    changed study's facets, that generation lists, counts and finds the trial no more, as the
    store's own listing does, while readers of the generation before still see it. Importing
    the record again brings it back."""
    settings, store, projection = built
    context = WriteContext(settings.base_iri, *_shapes(settings), projection)  # type: ignore[misc]
    builder = ProjectionBuilder(store, settings.base_iri, projection)
    builder.build_once()
    before = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert before is not None and projection.facets_ready(before)
    old = projection.facets_at(before)
    trials = [item for _, item in old.trial_page(TrialQuery(), 1000, None)]
    registry = next(t for t in trials if "dascern" not in t)
    identifier = registry.rsplit("/", 1)[-1]
    (graph,) = [
        row[0]
        for row in store.select_values(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{registry}> a ?k }} }}")
    ]
    assert graph is not None and delete_study(store, graph, context)
    after = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert after is not None and not projection.facets_ready(after)
    builder.build_once()
    assert projection.facets_ready(after)
    new = projection.facets_at(after)
    listed = [item for _, item in new.trial_page(TrialQuery(), 1000, None)]
    assert listed == [t for t in trials if t != registry]
    assert listed == [item for item, _ in page_trials(store, TrialFilter(), 1000, None).items]
    assert new.trial_count(TrialQuery()) == len(trials) - 1
    assert new.find_trial(identifier) is None and old.find_trial(identifier) == registry
    assert new.comparison_count(ComparisonQuery()) == count_comparisons(store, ComparisonFilter())
    summary = import_records(store, list(read_records([str(DATA)])), context)
    assert summary.exit_code == 0
    builder.build_once()
    again = projection.sequence_of(store_generation(store, settings.base_iri) or "")
    assert again is not None and projection.facets_at(again).find_trial(identifier) == registry
