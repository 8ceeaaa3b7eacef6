"""The W3C SPARQL 1.1 Protocol test suite (tests/api/sparql/w3c_protocol/, copied unchanged from
w3c/rdf-tests), every entry of its manifest, against ``kg serve`` over each persistent backend.

How the manifest is read: each ``mf:ProtocolTest`` loads its ``ut:graphData`` into named graphs
(named by their ``rdfs:label``) beside the DASCERN graphs, then sends its ``ht:requests`` in order
(``/sparql/`` in ``ht:absolutePath`` becomes this server's ``/sparql``, as the manifest asks),
each body encoded in its ``cnt:characterEncoding``, and checks each ``ht:resp``: the status class
(``mf:expectedStatus``), the kind of body (``mf:expectedFormat``: a boolean, a table, RDF) and
an ASK's answer (``mf:expectedBoolean``).

The query tests and the ``bad_*`` tests run as written. The seven ``update_*`` tests expect an
update to succeed; this service is read-only (SPARQL 1.1 Protocol §2.2 makes the update operation
one a service may offer or not), so there each update must be refused with a 4xx, every ASK that
follows must find the update's effect absent (the opposite of ``mf:expectedBoolean``), and the
store must hold as many quads afterwards as before.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from kg.build import build_store
from kg.settings import Settings
from tests.backends import Backends
from tests.servers import KgServer, kg_server

SUITE = Path(__file__).parent / "w3c_protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

STATUS_CLASSES = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4}
TABULAR = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_PARSERS = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
PERSISTENT_BACKENDS = ("oxigraph-disk", "sparql-oxigraph", "sparql-virtuoso")
"""Backends a store can be prepared in and then handed to a server process (an in-memory store
is new in every process)."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]
    result: str | None
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        """A request of the update operation (SPARQL 1.1 Protocol §2.2)."""
        media = self.headers.get("content-type", "")
        form_update = media.startswith("application/x-www-form-urlencoded") and (
            self.body or b""
        ).startswith(b"update=")
        return media.startswith("application/sparql-update") or form_update


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    graphs: dict[str, str]
    """Graph name -> data file in :data:`SUITE`."""
    requests: tuple[Request, ...]

    @property
    def expects_an_update(self) -> bool:
        """Whether the test expects an update to succeed (refused here: read-only)."""
        return any(r.is_update and 2 in r.statuses for r in self.requests)


def _request(manifest: Graph, node: URIRef) -> Request:
    headers: dict[str, str] = {}
    for header_list in manifest.objects(node, HT.headers):
        for header in Collection(manifest, header_list):
            name = manifest.value(header, HT.fieldName)
            value = manifest.value(header, HT.fieldValue)
            headers[str(name).lower()] = str(value)
    body = None
    content = manifest.value(node, HT.body)
    if content is not None:
        encoding = str(manifest.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(manifest.value(content, CNT.chars)).encode(encoding)
    response = manifest.value(node, HT.resp)
    result = manifest.value(response, MF.expectedFormat)
    boolean = manifest.value(response, MF.expectedBoolean)
    path = str(manifest.value(node, HT.absolutePath))
    assert path.startswith("/sparql/"), path
    rest = path.removeprefix("/sparql/")
    return Request(
        method=str(manifest.value(node, HT.methodName)),
        path="/sparql" + ("" if not rest or rest.startswith("?") else "/") + rest,
        headers=headers,
        body=body,
        statuses=frozenset(
            STATUS_CLASSES[s] for s in manifest.objects(response, MF.expectedStatus)
        ),
        result=str(result) if result is not None else None,
        boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
    )


def read_manifest() -> list[ProtocolTest]:
    """Every entry of the manifest, in its order."""
    manifest = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(manifest, manifest.value(root, MF.entries)):
        graphs = {}
        for data in manifest.objects(entry, UT.graphData):
            graphs[str(manifest.value(data, RDFS.label))] = Path(
                str(manifest.value(data, UT.graph))
            ).name
        action = manifest.value(entry, MF.action)
        requests = tuple(
            _request(manifest, node)
            for node in Collection(manifest, manifest.value(action, HT.requests))
        )
        tests.append(ProtocolTest(str(entry).rsplit("#", 1)[1], graphs, requests))
    return tests


TESTS = read_manifest()


def test_the_whole_manifest_is_read() -> None:
    """34 entries: 13 queries, 7 updates, 14 bad requests; a parse that lost some would pass."""
    names = [t.name for t in TESTS]
    assert len(names) == len(set(names)) == 34
    assert sum(t.expects_an_update for t in TESTS) == 7
    assert sum(t.name.startswith("bad_") for t in TESTS) == 14
    assert all(t.requests for t in TESTS)


@pytest.fixture(scope="module", params=PERSISTENT_BACKENDS)
def protocol_server(
    request: pytest.FixtureRequest, backends: Backends, settings: Settings
) -> Iterator[KgServer]:
    """``kg serve`` over DASCERN plus every graph the suite's tests load."""
    backend = backends.get(str(request.param))
    graphs = {name: file for test in TESTS for name, file in test.graphs.items()}
    with backend.spec("w3c-protocol") as spec:
        store = build_store(settings.with_overrides(store=spec))
        try:
            for name, file in graphs.items():
                store.replace_graph(URIRef(name), Graph().parse(SUITE / file, format="nt"))
        finally:
            store.close()
        with kg_server({"KG_STORE": spec}) as server:
            yield server


def _send(server: KgServer, request: Request) -> httpx.Response:
    return httpx.request(
        request.method,
        server.base_url + request.path,
        headers=request.headers,
        content=request.body,
        timeout=30,
    )


def _count(server: KgServer) -> int:
    response = httpx.get(server.sparql_url, params={"query": COUNT}, timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if media in ("application/sparql-results+json", "application/json"):
        answer = json.loads(response.content)["boolean"]
        assert isinstance(answer, bool)
        return answer
    assert media in ("application/sparql-results+xml", "application/xml", "text/xml"), media
    element = ET.fromstring(response.content).find(
        "{http://www.w3.org/2005/sparql-results#}boolean"
    )
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


def _check_result(response: httpx.Response, kind: str) -> None:
    media = response.headers["content-type"].split(";")[0]
    if kind == "boolean":
        _boolean(response)
    elif kind == "tabular":
        assert media in TABULAR, media
        if media == "application/sparql-results+json":
            assert "vars" in json.loads(response.content)["head"]
        elif media in ("text/csv", "text/tab-separated-values"):
            assert list(csv.reader(io.StringIO(response.text)))
        else:
            ET.fromstring(response.content)
    else:
        assert kind == "RDF" and media in RDF_PARSERS, media
        Graph().parse(data=response.content, format=RDF_PARSERS[media])


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.name)
def test_w3c_protocol(protocol_server: KgServer, test: ProtocolTest) -> None:
    read_only = test.expects_an_update
    before = _count(protocol_server) if read_only else 0
    for request in test.requests:
        response = _send(protocol_server, request)
        status_class = response.status_code // 100
        if read_only and request.is_update:
            assert status_class == 4, (request.path, response.status_code, response.text)
            continue
        assert status_class in request.statuses, (request.path, response.status_code, response.text)
        if request.result is not None:
            _check_result(response, request.result)
        if request.boolean is not None:
            expected = not request.boolean if read_only else request.boolean
            assert _boolean(response) is expected, response.text
    if read_only:
        assert _count(protocol_server) == before
