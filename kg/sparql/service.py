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
from rdflib.term import Identifier

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


@dataclass(frozen=True)
class DatasetStatistics:
    """What VoID and the service description count in the store: the costly part of both.

    Why apart from the descriptions: counting distinct subjects and objects scans the whole
    store (about 6 s at 10,000 trials, a minute at 100,000), while the descriptions depend on the
    request's URLs. The statistics are computed once per data generation
    (:meth:`kg.served.Served.statistics`) and rendered per request.
    """

    licenses: tuple[Identifier, ...]
    examples: tuple[Identifier, ...]
    triples: int
    subjects: int
    objects: int
    classes: tuple[tuple[Identifier, int], ...]
    properties: tuple[tuple[Identifier, int], ...]
    graphs: tuple[tuple[str, int], ...]


def in_own_graphs(query: str, server_graphs: frozenset[str]) -> str:
    """``query`` (one ``WHERE`` group, then its solution modifiers) matched in the store's own
    named graphs only, leaving out ``server_graphs``; unchanged when there are none, so a store
    without such graphs answers the query as written.

    Why: a count over the union default graph of a Virtuoso store also counts Virtuoso's own
    graphs (its configuration, its service description), so VoID gave more triples than the
    store holds, and classes and properties that no data of the graph uses.

    >>> print(in_own_graphs("SELECT * WHERE { ?s ?p ?o }", frozenset({"urn:server"})))
    SELECT * WHERE { GRAPH ?own_graph { ?s ?p ?o } FILTER(?own_graph NOT IN (<urn:server>)) }
    >>> in_own_graphs("SELECT * WHERE { ?s ?p ?o }", frozenset())
    'SELECT * WHERE { ?s ?p ?o }'
    """
    if not server_graphs:
        return query
    head, where, rest = query.partition("WHERE {")
    body, brace, modifiers = rest.rpartition("}")
    if not (where and brace):
        raise ValueError("expected one WHERE { ... } group")
    excluded = ", ".join(f"<{name}>" for name in sorted(server_graphs))
    return (
        f"{head}WHERE {{ GRAPH ?own_graph {{{body}}} FILTER(?own_graph NOT IN ({excluded})) }}"
        f"{modifiers}"
    )


def dataset_statistics(store: Store) -> DatasetStatistics:
    """Run the VoID queries (``kg/queries/linked_data/void-*.rq``) on ``store``, counting what
    the store's own graphs hold (:func:`in_own_graphs`)."""
    server = store.server_graphs()

    def counted(name: str) -> list[dict[str, Identifier]]:
        return select(store, in_own_graphs(queries.load(f"linked_data/{name}"), server)).rows

    counts = counted("void-counts")[0]
    return DatasetStatistics(
        licenses=tuple(r["license"] for r in select(store, queries.load("linked_data/void-license"))),
        examples=tuple(
            r["resource"] for r in select(store, queries.load("linked_data/void-example-resources"))
        ),
        triples=_integer(counts["triples"]),
        subjects=_integer(counts["subjects"]),
        objects=_integer(counts["objects"]),
        classes=tuple((r["class"], _integer(r["entities"])) for r in counted("void-classes")),
        properties=tuple(
            (r["property"], _integer(r["triples"])) for r in counted("void-properties")
        ),
        graphs=tuple(
            (str(r["graph"]), _integer(r["triples"]))
            for r in select(store, queries.load("linked_data/void-graphs"))
            if str(r["graph"]) not in server
        ),
    )


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _titled_dataset(graph: Graph, dataset: URIRef, title: str, description: str) -> None:
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(title)))
    graph.add((dataset, DCTERMS.description, Literal(description)))


def void_description(
    statistics: DatasetStatistics,
    *,
    document_url: str,
    endpoint_url: str,
    dump_urls: Sequence[str],
    uri_space: str,
    curated_dump_urls: Sequence[str] = (),
) -> Graph:
    """A VoID description of the served dataset, with one subset per named graph.

    ``dump_urls`` are dumps of the whole dataset (every graph the store serves);
    ``curated_dump_urls`` are dumps of the curated release alone (what ``kg export`` writes),
    described as a subset of its own: when more has been loaded, a mirror must not take them
    for the dataset the counts describe."""
    graph = bind_prefixes(Graph())
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    dataset = URIRef(f"{document_url}#dataset")
    graph.add((URIRef(document_url), RDF.type, VOID.DatasetDescription))
    graph.add((URIRef(document_url), DCTERMS.title, Literal("VoID description of the evidence KG")))
    graph.add((URIRef(document_url), VOID.primaryTopic, dataset))
    _titled_dataset(
        graph,
        dataset,
        "Evidence knowledge graph",
        "Clinical-trial evidence (design, results, effect estimates with provenance) as RDF.",
    )
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint_url)))
    graph.add((dataset, VOID.uriSpace, Literal(uri_space)))
    for url in dump_urls:
        graph.add((dataset, VOID.dataDump, URIRef(url)))
    if curated_dump_urls:
        curated = URIRef(f"{document_url}#curated-release")
        graph.add((dataset, VOID.subset, curated))
        _titled_dataset(
            graph,
            curated,
            "Curated release",
            "The curated trials with their derived facts and the ontology, as `kg export` "
            "writes them; the store may hold bulk-loaded graphs besides.",
        )
        for url in curated_dump_urls:
            graph.add((curated, VOID.dataDump, URIRef(url)))
    for license_iri in statistics.licenses:
        graph.add((dataset, DCTERMS.license, license_iri))
    for resource in statistics.examples:
        graph.add((dataset, VOID.exampleResource, resource))
    graph.add((dataset, VOID.triples, _count(statistics.triples)))
    graph.add((dataset, VOID.distinctSubjects, _count(statistics.subjects)))
    graph.add((dataset, VOID.distinctObjects, _count(statistics.objects)))
    vocabularies: set[str] = set()
    graph.add((dataset, VOID.classes, _count(len(statistics.classes))))
    for cls, entities in statistics.classes:
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add((partition, VOID.entities, _count(entities)))
        vocabularies.add(namespace_of(str(cls)))
    graph.add((dataset, VOID.properties, _count(len(statistics.properties))))
    for prop, triples in statistics.properties:
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, prop))
        graph.add((partition, VOID.triples, _count(triples)))
        vocabularies.add(namespace_of(str(prop)))
    for vocabulary in sorted(vocabularies):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for name, triples in statistics.graphs:
        subset = URIRef(name)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, RDF.type, SD.Graph))
        graph.add((subset, VOID.triples, _count(triples)))
    return graph


def service_description(
    statistics: DatasetStatistics, *, endpoint_url: str, void_url: str, graph_names: Sequence[str]
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
    sizes = dict(statistics.graphs)
    for name in graph_names:
        named = BNode()
        described = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        if name in sizes:
            graph.add((described, VOID.triples, _count(sizes[name])))
    return graph
