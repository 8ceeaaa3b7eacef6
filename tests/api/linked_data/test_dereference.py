"""Dereferenceable IRIs, the trial page and its forest plot, VoID, with the app in process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from api.app import create_app
from kg.settings import PROJECT_ROOT, Settings
from kg.store import Store
from kg.vocab import EKG
from tests.backends import Backend

HERE = Path(__file__).parent
TRIAL = "https://w3id.org/evidence-kg/id/trial/dascern"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


@contextmanager
def _client(settings: Settings, backend: Backend, key: str) -> Iterator[TestClient]:
    """An app over ``settings``' data built into the backend under test (as ``key``'s data)."""
    with backend.built(settings, key) as (configured, store):
        # No ``with``: the SPARQL workers (lifespan) are not needed for linked data.
        yield TestClient(create_app(configured, store=store))


@pytest.fixture(scope="module")
def client(backend_settings: Settings, store: Store) -> TestClient:
    """An app over the DASCERN store of the backend under test."""
    return TestClient(create_app(backend_settings, store=store))


@pytest.fixture(scope="module")
def client_with_reported(settings: Settings, backend: Backend) -> Iterator[TestClient]:
    """DASCERN plus a reported hazard ratio whose labels try to inject markup."""
    data = (PROJECT_ROOT / "data" / "dascern.yaml", HERE / "reported_estimate.ttl")
    with _client(settings.with_overrides(data_files=data), backend, "reported") as client:
        yield client


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_trial_iri_negotiates_rdf(client: TestClient, media_type: str) -> None:
    response = client.get("/id/trial/dascern", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    links = response.headers["link"]
    for alternate in (*RDF_FORMATS, "text/html"):
        assert f'type="{alternate}"' in links
    graph = Graph().parse(data=response.content, format=RDF_FORMATS[media_type])
    trial = URIRef(TRIAL)
    assert (trial, RDF.type, EKG.Trial) in graph
    assert (trial, EKG.enrollment, None) in graph
    # labels of what it points to, but not their other triples (bounded)
    arm = URIRef(f"{TRIAL}/arm-dasatinib")
    assert (arm, RDFS.label, Literal("Dasatinib 100 mg once daily")) in graph
    assert (arm, EKG.participants, None) not in graph
    # blank-node closure: the qualified derivations come with their statements
    derivations = list(
        graph.objects(trial, URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"))
    )
    assert derivations and all((d, EKG.statement, None) in graph for d in derivations)


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/id/trial/dascern?format=nt", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("application/n-triples")
    assert client.get("/id/trial/dascern?format=pdf").status_code == 400


def test_unknown_iri_404(client: TestClient) -> None:
    assert client.get("/id/trial/no-such-trial").status_code == 404
    assert client.get("/id/trial/dascern%3E%20%7D").status_code == 404
    assert client.get("/ontology/NoSuchTerm").status_code == 404


def test_unacceptable_accept_406(client: TestClient) -> None:
    response = client.get("/id/trial/dascern", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_every_resource_under_the_base_resolves(client: TestClient, backend: Backend) -> None:
    """Every IRI on the default backend; on the others, the first IRI of each class, since what
    differs between backends is how a kind of resource is described, not which one it is (and
    resolving all 250 on each costs a minute of CI on rdflib and the remote stores)."""
    turtle = client.get("/dump.ttl").content
    graph = Graph().parse(data=turtle, format="turtle")
    base = "https://w3id.org/evidence-kg/id/"
    subjects = sorted({str(s) for s in graph.subjects() if str(s).startswith(base)})
    assert len(subjects) > 100
    if backend.name != "oxigraph":
        first_of_class: dict[str, str] = {}
        for iri in subjects:
            for cls in sorted(str(c) for c in graph.objects(URIRef(iri), RDF.type)) or [""]:
                first_of_class.setdefault(cls, iri)
        subjects = sorted(set(first_of_class.values()))
    for iri in subjects:
        response = client.get(
            "/id/" + iri[len(base) :], headers={"Accept": "application/n-triples"}
        )
        assert response.status_code == 200, iri


def test_ontology_term_and_whole_ontology(client: TestClient) -> None:
    term = client.get("/ontology/Trial", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=term.text, format="turtle")
    assert (EKG.Trial, RDFS.label, Literal("Trial", lang="en")) in graph
    whole = client.get("/ontology", headers={"Accept": "text/turtle"})
    ontology = Graph().parse(data=whole.text, format="turtle")
    assert len(ontology) > len(graph) and (EKG.Arm, RDF.type, None) in ontology
    page = client.get("/ontology", headers={"Accept": BROWSER_ACCEPT})
    assert (
        page.headers["content-type"].startswith("text/html")
        and 'href="/ontology/Trial"' in page.text
    )


def test_base_iri_is_configurable(backend: Backend) -> None:
    base = "http://kg.example.org/res/"
    with _client(Settings.from_env({"KG_BASE_IRI": base}), backend, base) as client:
        response = client.get("/id/trial/dascern", headers={"Accept": "text/turtle"})
        page = client.get("/id/trial/dascern", headers={"Accept": "text/html"})
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(base + "trial/dascern"), RDF.type, EKG.Trial) in graph
    assert 'href="/id/trial/dascern/arm-dasatinib"' in page.text


def _estimate_rows(html: str) -> list[dict[str, str]]:
    svg = re.search(r"<svg.*?</svg>", html, re.DOTALL)
    assert svg is not None
    root = ElementTree.fromstring(svg.group(0))
    return [
        dict(g.attrib)
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if "estimate" in g.attrib.get("class", "").split()
    ]


def test_trial_page_shows_arms_endpoints_and_forest_plot(client: TestClient) -> None:
    response = client.get("/id/trial/dascern", headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Dasatinib 100 mg once daily" in html and ">174<" in html and ">86<" in html
    assert "Major molecular response at 12 months" in html and "Overall survival" in html
    rows = _estimate_rows(html)
    # The primary comparison's risk difference, relative risk and odds ratio: the cumulative
    # MMR rates by 2 and 5 years are cumulative incidences, from which no 2x2 table is made.
    assert len(rows) == 3
    for row in rows:
        assert (
            float(row["data-ci-lower"]) <= float(row["data-value"]) <= float(row["data-ci-upper"])
        )
        assert row["data-derived"] == "true"
    mmr_rd = [r for r in rows if "comparison-mmr-12m/risk-difference" in r["data-estimate"]]
    assert mmr_rd and abs(float(mmr_rd[0]["data-value"]) - 0.16) < 0.01
    assert 'data-scale="log"' in html and 'data-scale="linear"' in html
    # MMR: higher is better, so each panel's right side favours dasatinib (the intervention).
    assert {row["data-better"] for row in rows} == {"higher"}
    assert html.count('data-right-favours="intervention"') == 3
    assert "Overall survival: dasatinib vs imatinib" in html and "not significant" in html


def test_forest_plot_tells_reported_from_derived(client_with_reported: TestClient) -> None:
    html = client_with_reported.get("/id/trial/dascern", headers={"Accept": "text/html"}).text
    rows = _estimate_rows(html)
    reported = [r for r in rows if r["data-derived"] == "false"]
    assert len(rows) == 3 + 1 and len(reported) == 1  # the primary comparison's three, derived
    assert reported[0]["data-statistic"].endswith("HazardRatio")
    assert "reported" in reported[0]["class"].split()
    # A hazard ratio contrasts the hazard of an event, not the endpoint's figures: no sides.
    assert reported[0]["data-better"] == ""
    assert "Reported by a source" in html and "Derived here" in html


def test_pages_escape_text_from_the_data(client_with_reported: TestClient) -> None:
    for path in ("/id/trial/dascern", "/id/trial/dascern/comparison-test-hazard"):
        html = client_with_reported.get(path, headers={"Accept": "text/html"}).text
        assert "<script>" not in html and "<b>reported</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_void_describes_the_dataset(client: TestClient, store: Store) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    void = "http://rdfs.org/ns/void#"
    dataset = URIRef("http://testserver/.well-known/void#dataset")
    triples = graph.value(dataset, URIRef(void + "triples"))
    health = client.get("/healthz").json()
    assert triples is not None and 0 < int(triples) <= health["quads"]
    # The dataset's dump is the store's (where the store returns every row); the curated release's
    # dumps describe a subset, since the store may hold more than the release.
    dumps = {str(o) for o in graph.objects(dataset, URIRef(void + "dataDump"))}
    assert dumps == ({"http://testserver/dump/store.nq"} if store.capabilities.complete_results else set())
    curated = URIRef("http://testserver/.well-known/void#curated-release")
    assert (dataset, URIRef(void + "subset"), curated) in graph
    curated_dumps = {str(o) for o in graph.objects(curated, URIRef(void + "dataDump"))}
    assert "http://testserver/dump.nq" in curated_dumps and len(curated_dumps) == 6
    assert (dataset, URIRef(void + "sparqlEndpoint"), URIRef("http://testserver/sparql")) in graph
    vocabularies = {str(o) for o in graph.objects(dataset, URIRef(void + "vocabulary"))}
    assert {"https://w3id.org/evidence-kg/ontology/", "https://schema.org/"} <= vocabularies
    assert (dataset, URIRef("http://purl.org/dc/terms/license"), None) in graph
    classes = {
        str(graph.value(p, URIRef(void + "class")))
        for p in graph.objects(dataset, URIRef(void + "classPartition"))
    }
    assert str(EKG.Trial) in classes


@pytest.mark.parametrize(
    "path", ["/id/trial/dascern", "/ontology", "/ontology/Arm", "/.well-known/void"]
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    head = client.head(path, headers={"Accept": "text/turtle"})
    get = client.get(path, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
