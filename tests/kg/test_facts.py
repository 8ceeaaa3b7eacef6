"""Every figure of every curated trial is stated by its record and rests on its own sources.

The records in ``data/`` are the curators' fact sheets: each part of a trial lists the sources it
rests on, by whatever keys the trial's ``references`` give them, with a statement of what it
rests on there. Nothing here names a trial, a key or a figure, so a second trial follows
``data/README.md`` without a change to this test. What is proven, for every record:

* every figure the built graph holds for the trial (each typed literal: counts, percentages,
  their precision, time points, p-values, doses, dates, durations) is a figure the record states,
  and stands on the record line it is said to come from;
* every figure's node cites at least one source, only sources of the same trial, and says for
  each what it rests on there; a source's own figures (its date) are its own;
* the graph the build publishes for the trial is the record's, triple for triple.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from kg.build import GraphNames, build_graphs, read_reference
from kg.records.check import is_record_file, read_record_file
from kg.records.mapping import Figure, RecordGraph
from kg.records.reference import ReferenceIndex
from kg.settings import Settings
from kg.vocab import EKG, PROV, XSD

FIGURE_TYPES = {XSD.integer, XSD.decimal, XSD.date, XSD.gYear, XSD.gYearMonth, XSD.duration}
RECORDS = [path for path in Settings().curated_paths if is_record_file(path)]


@pytest.fixture(scope="module")
def mapped(settings: Settings) -> dict[Path, RecordGraph]:
    index = ReferenceIndex.from_graph(read_reference(settings), settings.base_iri)
    return {
        path: read_record_file(path, base_iri=settings.base_iri, reference=index,
                               max_bytes=settings.max_input_bytes)
        for path in RECORDS
    }


def _figures() -> list[tuple[Path, int]]:
    settings = Settings()
    index = ReferenceIndex.from_graph(read_reference(settings), settings.base_iri)
    found = []
    for path in RECORDS:
        record = read_record_file(path, base_iri=settings.base_iri, reference=index,
                                  max_bytes=settings.max_input_bytes)
        found += [(path, i) for i in range(len(record.figures))]
    return found


FIGURES = _figures()


def test_data_holds_curated_records() -> None:
    assert RECORDS, "no trial record in data/"


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_every_figure_in_the_graph_is_one_the_record_states(
    path: Path, mapped: dict[Path, RecordGraph]
) -> None:
    record = mapped[path]
    in_graph = {
        (str(s), str(p), str(o))
        for s, p, o in record.graph
        if isinstance(o, Literal) and o.datatype in FIGURE_TYPES
    }
    stated = {(f.node, f.predicate, f.lexical) for f in record.figures}
    assert in_graph - stated == set(), "figures in the graph that the record does not state"
    assert stated - in_graph == set(), "figures the record states that the graph lacks"


def _numbers(text: str) -> set[Decimal]:
    found = set()
    for token in re.findall(r"\d*\.?\d+", text):
        try:
            found.add(Decimal(token))
        except InvalidOperation:
            continue
    return found


def _line(figure: Figure) -> str:
    where = figure.where.split(" ", 1)[0]
    file, _, number = where.rpartition(":")
    return Path(file).read_text(encoding="utf-8").splitlines()[int(number) - 1]


@pytest.mark.parametrize(("path", "index"), FIGURES, ids=[f"{p.stem}-{i}" for p, i in FIGURES])
def test_figure_stands_on_its_record_line_and_rests_on_its_trials_sources(
    path: Path, index: int, mapped: dict[Path, RecordGraph]
) -> None:
    record = mapped[path]
    figure = record.figures[index]
    graph = record.graph
    line = _line(figure)
    if figure.predicate == str(EKG.decimalPlaces):
        written = re.search(r"(\d+(?:\.(\d+))?)\s*%", line)
        assert written is not None, line
        assert int(figure.lexical) == len(written.group(2) or ""), line
    else:  # the number as written on its line (P5Y stands on "5 years", 0.005 on "P = .005")
        value = figure.lexical
        assert _numbers(value) & _numbers(line) or value in line, (figure, line)
    node = URIRef(figure.node)
    own_sources = {
        str(source) for source in graph.subjects(EKG.sourceKey, None)
    }
    if figure.node in own_sources:  # a source's own metadata, such as its date
        return
    cited = {str(s) for s in graph.objects(node, PROV.wasDerivedFrom)}
    assert cited, f"{figure.where}: the figure's part names no source"
    assert cited <= own_sources, f"{figure.where}: cites sources of no reference of this record"
    stated = {
        str(graph.value(derivation, PROV.entity))
        for derivation in graph.objects(node, PROV.qualifiedDerivation)
        if graph.value(derivation, EKG.statement)
    }
    assert cited <= stated, f"{figure.where}: a cited source without a statement"
    assert figure.keys, figure


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_the_build_publishes_each_records_graph(
    path: Path, mapped: dict[Path, RecordGraph], settings: Settings
) -> None:
    built = build_graphs(settings)[GraphNames(settings.base_iri).curated(path.stem)]
    assert isomorphic(built, mapped[path].graph)


def test_source_keys_belong_to_their_own_trial(mapped: dict[Path, RecordGraph]) -> None:
    """Two trials may both have an S1: a key is resolved within its record only."""
    for record in mapped.values():
        keys = [str(k) for k in record.graph.objects(None, EKG.sourceKey)]
        assert len(keys) == len(set(keys)), record.trial
