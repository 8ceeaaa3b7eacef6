"""JSON-LD any client reads offline: the dump and each kind of resource, by pyld and rdflib, with
every remote fetch refused, give the same graph as their Turtle (the dump) or N-Triples (each
resource).

Why N-Triples for resources: their terms come from the store, and oxigraph keeps a decimal's
value, not its lexical form ("52.0" reads back as "52"), which rdflib's Turtle writer then
prints as ``52.0`` (a bare ``52`` would be an integer): the same value, but another RDF term, so
the Turtle of a resource is value-equal, not term-equal, to its JSON-LD. N-Triples carries the
store's terms as they are.

Why both readers: rdflib is what Python linked-data code uses, pyld is the reference processor
of the JSON-LD API; before the context was inlined, both failed on the dump, fetching the
published context address, which resolves nowhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.shared.jsonld import context as rdflib_jsonld_context

from api.app import create_app
from kg.settings import Settings

BASE = "https://w3id.org/evidence-kg/id/"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    yield TestClient(create_app(settings))


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib fetches a remote context through this function: any call fails the test."""

    def refuse(source: Any, *args: object, **kwargs: object) -> Any:
        if isinstance(source, str) and source.startswith(("http:", "https:")):
            raise AssertionError(f"rdflib tried to fetch {source}")
        return original(source, *args, **kwargs)

    original = rdflib_jsonld_context.source_to_json
    monkeypatch.setattr(rdflib_jsonld_context, "source_to_json", refuse)


def _refuse_fetch(url: str, options: object = None) -> Any:
    raise AssertionError(f"pyld tried to fetch {url}")


def read_both_ways(body: bytes) -> tuple[Graph, Graph]:
    """``body`` read by pyld (to N-Quads) and by rdflib, neither allowed to fetch anything."""
    document = json.loads(body)
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": _refuse_fetch}
    )
    by_pyld = Graph().parse(data=nquads, format="nquads")
    by_rdflib = Graph().parse(data=body, format="json-ld")
    return by_pyld, by_rdflib


def test_dump_reads_offline_as_the_turtle_dump(client: TestClient) -> None:
    by_pyld, by_rdflib = read_both_ways(client.get("/dump.jsonld").content)
    turtle = Graph().parse(data=client.get("/dump.ttl").content, format="turtle")
    assert len(turtle) > 1000
    assert isomorphic(by_pyld, turtle) and isomorphic(by_rdflib, turtle)


def test_dump_carries_its_context_and_keeps_short_keys(client: TestClient) -> None:
    document = json.loads(client.get("/dump.jsonld").content)
    served = json.loads(client.get("/context.jsonld").content)["@context"]
    assert document["@context"] == served
    trial = next(n for n in document["@graph"] if n["id"].endswith("/id/trial/dascern"))
    assert trial["enrollment"] == 262 and "ekg:Trial" in trial["type"]


def test_every_kind_of_resource_reads_offline_as_its_ntriples(client: TestClient) -> None:
    """The first resource of each class (what differs between resources is their kind's shape:
    lists, blank nodes, typed values), the ontology and one of its terms."""
    turtle = Graph().parse(data=client.get("/dump.ttl").content, format="turtle")
    first_of_class: dict[str, str] = {}
    for subject in sorted({str(s) for s in turtle.subjects() if str(s).startswith(BASE)}):
        for cls in sorted(str(c) for c in turtle.objects(URIRef(subject), RDF.type)) or [""]:
            first_of_class.setdefault(cls, subject)
    subjects = sorted(set(first_of_class.values()))
    assert len(subjects) > 15
    for path in ["/ontology", "/ontology/Trial", *("/id/" + s[len(BASE) :] for s in subjects)]:
        body = client.get(path, headers={"Accept": "application/ld+json"})
        assert body.headers["content-type"].startswith("application/ld+json")
        described = client.get(path, headers={"Accept": "application/n-triples"}).content
        expected = Graph().parse(data=described, format="nt")
        by_pyld, by_rdflib = read_both_ways(body.content)
        assert isomorphic(by_pyld, expected), path
        assert isomorphic(by_rdflib, expected), path
