"""What the endpoint says about itself: SPARQL 1.1 Service Description, VoID, example queries.

Why computed from the store: counts, classes, vocabularies and graph names must describe the data
actually served, so they are queried (``kg/queries/linked_data/void-*.rq``), never written by hand.
URLs of the server (endpoint, dumps) are passed in, since only the HTTP layer knows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg import queries
from kg.store import Store, select
from kg.vocab import bind_prefixes

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


@dataclass(frozen=True)
class ExampleQuery:
    """A query shown on the query page: a competency question the graph answers."""

    name: str
    title: str
    text: str


def example_queries() -> list[ExampleQuery]:
    """The ``example-*.rq`` files, titled by their first comment line (``# Example: ...``)."""
    folder = resources.files(queries).joinpath("linked_data")
    examples = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("example-") and entry.name.endswith(".rq"):
            text = entry.read_text(encoding="utf-8")
            first = text.splitlines()[0] if text else ""
            title = first.removeprefix("#").strip().removeprefix("Example:").strip()
            examples.append(ExampleQuery(entry.name.removesuffix(".rq"), title or entry.name, text))
    return examples


def namespace_of(iri: str) -> str:
    """The vocabulary an IRI belongs to: everything up to its last ``#`` or ``/``.

    >>> namespace_of("https://schema.org/name")
    'https://schema.org/'
    >>> namespace_of("http://www.w3.org/2000/01/rdf-schema#label")
    'http://www.w3.org/2000/01/rdf-schema#'
    """
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut >= 0 else iri


def _integer(value: object) -> int:
    return int(str(value))


def void_description(
    store: Store,
    *,
    document_url: str,
    endpoint_url: str,
    dump_urls: Sequence[str],
    uri_space: str,
) -> Graph:
    """A VoID description of the served dataset, with one subset per named graph."""
    graph = bind_prefixes(Graph())
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    dataset = URIRef(f"{document_url}#dataset")
    graph.add((URIRef(document_url), RDF.type, VOID.DatasetDescription))
    graph.add((URIRef(document_url), DCTERMS.title, Literal("VoID description of the evidence KG")))
    graph.add((URIRef(document_url), VOID.primaryTopic, dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Evidence knowledge graph")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Clinical-trial evidence (design, results, effect estimates with provenance) as RDF."
            ),
        )
    )
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint_url)))
    graph.add((dataset, VOID.uriSpace, Literal(uri_space)))
    for url in dump_urls:
        graph.add((dataset, VOID.dataDump, URIRef(url)))
    for row in select(store, queries.load("linked_data/void-license")):
        graph.add((dataset, DCTERMS.license, row["license"]))
    for row in select(store, queries.load("linked_data/void-example-resources")):
        graph.add((dataset, VOID.exampleResource, row["resource"]))
    counts = select(store, queries.load("linked_data/void-counts")).rows[0]
    graph.add((dataset, VOID.triples, Literal(_integer(counts["triples"]), datatype=XSD.integer)))
    graph.add(
        (
            dataset,
            VOID.distinctSubjects,
            Literal(_integer(counts["subjects"]), datatype=XSD.integer),
        )
    )
    graph.add(
        (dataset, VOID.distinctObjects, Literal(_integer(counts["objects"]), datatype=XSD.integer))
    )
    vocabularies: set[str] = set()
    classes = select(store, queries.load("linked_data/void-classes"))
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for row in classes:
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], row["class"]))
        graph.add(
            (partition, VOID.entities, Literal(_integer(row["entities"]), datatype=XSD.integer))
        )
        vocabularies.add(namespace_of(str(row["class"])))
    properties = select(store, queries.load("linked_data/void-properties"))
    graph.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    for row in properties:
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, row["property"]))
        graph.add(
            (partition, VOID.triples, Literal(_integer(row["triples"]), datatype=XSD.integer))
        )
        vocabularies.add(namespace_of(str(row["property"])))
    for vocabulary in sorted(vocabularies):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for row in select(store, queries.load("linked_data/void-graphs")):
        subset = URIRef(str(row["graph"]))
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, RDF.type, SD.Graph))
        graph.add((subset, VOID.triples, Literal(_integer(row["triples"]), datatype=XSD.integer)))
    return graph


def service_description(
    store: Store, *, endpoint_url: str, void_url: str, graph_names: Sequence[str]
) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint (read-only, union default graph)."""
    graph = bind_prefixes(Graph())
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint_url)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode()
    default_graph = URIRef(f"{void_url}#dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDF.type, VOID.Dataset))
    graph.add(
        (
            default_graph,
            DCTERMS.description,
            Literal("The union of all named graphs; see the VoID description for details."),
        )
    )
    sizes = {
        str(r["graph"]): _integer(r["triples"])
        for r in select(store, queries.load("linked_data/void-graphs"))
    }
    for name in graph_names:
        named = BNode()
        described = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        if name in sizes:
            graph.add((described, VOID.triples, Literal(sizes[name], datatype=XSD.integer)))
    return graph
