"""Exports: every format parses back to the same graph, and the same graph gives the same bytes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.export import EXPORT_FORMATS, MEDIA_TYPES, RDFLIB_NAMES, ExportFormat, export, union_graph
from kg.parse import CONTEXT_URL, parse_bytes
from kg.settings import PROJECT_ROOT, Settings

PARSE_NAMES = RDFLIB_NAMES


def named_graphs(dataset: Dataset) -> dict[str, Graph]:
    graphs: dict[str, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = str(g) if g is not None else str(DATASET_DEFAULT_GRAPH_ID)
        graphs.setdefault(name, Graph()).add((s, p, o))
    return graphs


def test_every_format_has_a_media_type() -> None:
    assert set(MEDIA_TYPES) == set(EXPORT_FORMATS)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_through_the_safe_parser_is_isomorphic(
    fmt: ExportFormat, dataset: Dataset, graph: Graph, settings: Settings
) -> None:
    """Export, parse back offline, compare: per named graph for quad formats, the union otherwise."""
    data = export(dataset, fmt)
    back = parse_bytes(
        data, source=f"export.{fmt}", rdf_format=PARSE_NAMES[fmt], base_iri=settings.base_iri
    )
    if fmt in ("nquads", "trig"):
        original, parsed = named_graphs(dataset), named_graphs(back)
        assert set(parsed) == set(original)
        for name, original_graph in original.items():
            assert isomorphic(parsed[name], original_graph), name
    else:
        assert isomorphic(union_graph(back), graph)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_same_graph_gives_same_bytes_whatever_its_blank_node_labels(
    fmt: ExportFormat, dataset: Dataset
) -> None:
    """Relabelling blank nodes and reinserting in another order changes nothing (stable ETags)."""
    shuffled = Dataset()
    fresh: dict[BNode, BNode] = {}

    def relabel(term: object) -> object:
        return fresh.setdefault(term, BNode()) if isinstance(term, BNode) else term

    for s, p, o, g in reversed(sorted(dataset.quads((None, None, None, None)), key=str)):
        shuffled.graph(g).add((relabel(s), relabel(p), relabel(o)))  # type: ignore[arg-type]
    for prefix, namespace in dataset.namespaces():
        shuffled.bind(prefix, namespace)
    assert export(shuffled, fmt) == export(dataset, fmt)


def test_bytes_are_stable_across_processes_with_different_hash_seeds() -> None:
    """Two fresh interpreters with different PYTHONHASHSEED export identical bytes."""
    script = (
        "import hashlib, sys\n"
        "from kg.build import build_dataset\n"
        "from kg.export import EXPORT_FORMATS, export\n"
        "from kg.settings import Settings\n"
        "ds = build_dataset(Settings.from_env({}))\n"
        "print([hashlib.sha256(export(ds, f)).hexdigest() for f in EXPORT_FORMATS])\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]


def test_jsonld_references_the_published_context_and_reads_as_plain_json(
    dataset: Dataset,
) -> None:
    document = json.loads(export(dataset, "jsonld"))
    assert document["@context"] == CONTEXT_URL
    trial = next(node for node in document["@graph"] if node["id"].endswith("/id/trial/dascern"))
    assert trial["enrollment"] == 262  # xsd:integer as a JSON number, no @value object
    assert "ekg:Trial" in trial["type"]
    assert trial["phase"] == "ekg:Phase2b"
    publication = next(
        node for node in document["@graph"] if node["id"].endswith("cortes-2020-leukemia")
    )
    authors = publication["authorList"]
    assert authors[0].endswith("person/cortes-je") and authors[-1].endswith("person/saglio-g")


def test_context_covers_every_ontology_property_with_the_right_coercion(graph: Graph) -> None:
    """Each ekg: property has a short key; object properties coerce to @id, typed data to its type."""
    context = json.loads((PROJECT_ROOT / "ontology" / "context.jsonld").read_text())["@context"]
    ekg = "https://w3id.org/evidence-kg/ontology/"
    owl = "http://www.w3.org/2002/07/owl#"
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    rdfs_range = URIRef("http://www.w3.org/2000/01/rdf-schema#range")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for kind in ("ObjectProperty", "DatatypeProperty"):
        for prop in graph.subjects(rdf_type, URIRef(owl + kind)):
            if not str(prop).startswith(ekg):
                continue
            name = str(prop)[len(ekg) :]
            definition = context[name]
            iri = definition if isinstance(definition, str) else definition["@id"]
            assert iri == f"ekg:{name}"
            coercion = None if isinstance(definition, str) else definition.get("@type")
            if kind == "ObjectProperty":
                assert coercion == "@id", name
            else:
                # Strings, integers and booleans are plain JSON; other types are coerced; a
                # property without one range (a date as precise as its source) is not.
                range_ = graph.value(prop, rdfs_range)
                native = {xsd + "string", xsd + "integer", xsd + "boolean"}
                expected = (
                    None
                    if range_ is None or str(range_) in native
                    else f"xsd:{str(range_)[len(xsd) :]}"
                )
                assert coercion == expected, name


def test_export_of_a_small_graph_with_a_list_keeps_list_order() -> None:
    dataset = Dataset()
    g = dataset.graph(URIRef("https://example.org/g"))
    subject = URIRef("https://example.org/pub")
    items = [URIRef(f"https://example.org/p{i}") for i in (3, 1, 2)]
    head = BNode()
    Collection(g, head, items)  # type: ignore[arg-type]
    g.add((subject, URIRef("https://w3id.org/evidence-kg/ontology/authorList"), head))
    g.add((subject, URIRef("https://schema.org/name"), Literal("x")))
    document = json.loads(export(dataset, "jsonld"))
    node = next(n for n in document["@graph"] if n["id"] == str(subject))
    assert node["authorList"] == [str(i) for i in items]


def test_unknown_format_is_a_value_error(dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(dataset, "csv")  # type: ignore[arg-type]


def test_interchangeable_blank_nodes_keep_their_number_and_a_stable_labelling() -> None:
    """Two identical ``[ ex:q "x" ]`` under one subject stay two nodes, with stable labels.

    Colour refinement cannot tell them apart, so this exercises the fallback to rdflib's
    canonicalizer.
    """
    ex = "https://example.org/"

    def build(order: list[int]) -> Dataset:
        dataset = Dataset()
        graph = dataset.graph(URIRef(f"{ex}g"))
        nodes = [BNode(), BNode()]
        for index in order:
            graph.add((URIRef(f"{ex}s"), URIRef(f"{ex}p"), nodes[index]))
            graph.add((nodes[index], URIRef(f"{ex}q"), Literal("x")))
        return dataset

    first, second = build([0, 1]), build([1, 0])
    for fmt in EXPORT_FORMATS:
        assert export(first, fmt) == export(second, fmt), fmt
    back = parse_bytes(export(first, "nquads"), source="x.nq", rdf_format="nquads", base_iri=ex)
    assert len(back) == 4
    assert isomorphic(union_graph(back), union_graph(first))


def test_trig_keeps_a_literal_line_that_looks_like_a_prefix() -> None:
    """Only the leading prefix block is merged; text inside a long literal is left alone."""
    ex = "https://example.org/"
    dataset = Dataset()
    value = Literal("first line\n@prefix x: <https://evil.example/> .\nlast line")
    dataset.graph(URIRef(f"{ex}g")).add((URIRef(f"{ex}s"), URIRef(f"{ex}p"), value))
    back = parse_bytes(export(dataset, "trig"), source="x.trig", rdf_format="trig", base_iri=ex)
    assert set(union_graph(back)) == {(URIRef(f"{ex}s"), URIRef(f"{ex}p"), value)}
