"""The synthetic corpus: reproducible, realistic in shape, and labelled synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.synth import synth_lines, write_corpus
from kg.vocab import EKG, PROV, RDF, SKOS

BASE = "https://w3id.org/evidence-kg/id/"


@pytest.fixture(scope="module")
def corpus() -> Graph:
    return Graph().parse(data="\n".join(synth_lines(30, seed=11, base_iri=BASE)), format="nt")


def test_same_seed_same_corpus() -> None:
    assert list(synth_lines(3, seed=5, base_iri=BASE)) == list(
        synth_lines(3, seed=5, base_iri=BASE)
    )
    assert list(synth_lines(3, seed=5, base_iri=BASE)) != list(
        synth_lines(3, seed=6, base_iri=BASE)
    )


def test_every_trial_says_it_is_synthetic(corpus: Graph) -> None:
    source = URIRef(f"{BASE}source/synthetic-corpus")
    trials = set(corpus.subjects(RDF.type, EKG.Trial))
    assert len(trials) == 30
    for trial in trials:
        assert (trial, PROV.wasDerivedFrom, source) in corpus
        assert "Synthetic" in str(corpus.value(trial, SKOS.note))


def test_trials_have_two_to_four_arms_and_comparisons(corpus: Graph) -> None:
    arm_counts = {
        len(set(corpus.objects(t, EKG.arm))) for t in corpus.subjects(RDF.type, EKG.Trial)
    }
    assert arm_counts <= {2, 3, 4} and len(arm_counts) > 1
    for comparison in corpus.subjects(RDF.type, EKG.Comparison):
        assert corpus.value(comparison, EKG.interventionResult) is not None
        assert corpus.value(comparison, EKG.pValue) is not None


def test_arm_sizes_add_up(corpus: Graph) -> None:
    for trial in corpus.subjects(RDF.type, EKG.Trial):
        total = sum(
            int(corpus.value(arm, EKG.participants)) for arm in corpus.objects(trial, EKG.arm)
        )  # type: ignore[arg-type]
        assert total == int(corpus.value(trial, EKG.randomized))  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_written_file_parses_in_its_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"corpus{suffix}"
    count = write_corpus(path, 2, seed=1, base_iri=BASE)
    assert len(Graph().parse(path)) == count


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=".nt or .ttl"):
        write_corpus(tmp_path / "corpus.jsonld", 1, seed=1, base_iri=BASE)


def test_corpus_conforms_to_the_shapes() -> None:
    """Benchmarks measure data the shapes accept, not data they would reject."""
    from kg.derive import derive
    from kg.settings import Settings
    from kg.validate import load_ontology, load_shapes, validate_graph

    settings = Settings()
    data = Graph().parse(data="\n".join(synth_lines(4, seed=2, base_iri=BASE)), format="nt")
    data += derive(data, base_iri=BASE)
    report = validate_graph(data, shapes=load_shapes(settings), ontology=load_ontology(settings))
    assert report.conforms, [r.message for r in report.results][:5]
    assert not report.results, [r.message for r in report.results][:5]
