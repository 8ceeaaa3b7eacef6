"""Request paths to IRIs and back (api/paths.py): odd paths get a 4xx naming the IRI they meant,
never a 5xx, over every store backend; links and ``Link`` headers stay ASCII."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.paths import iri_to_uri, local_path, uri_to_iri
from kg.settings import Settings
from kg.store import Store

BASE = "https://w3id.org/evidence-kg/id/"
ONTOLOGY = "https://w3id.org/evidence-kg/ontology/"

ODD_PATHS = {
    "/id/%5B": BASE + "%5B",
    "/id/a%5Db": BASE + "a%5Db",
    "/ontology/%25zz": ONTOLOGY + "%25zz",
    "/id/%C2%80": BASE + "%C2%80",
    "/id/x%23y%23z": BASE + "x%23y%23z",
    "/id/%FF%FE": BASE + "%FF%FE",
    "/id/%00": BASE + "%00",
    "/id/a%20b": BASE + "a%20b",
    "/id/%E2%80%AE": BASE + "%E2%80%AE",
    "/id/caf%C3%A9": BASE + "café",
    "/id/": BASE,
}
"""Paths a client may send, and the IRI each names (RFC 3987 §3.2): the first five answered 500
when the route looked up ``…/id/[`` and the like, which the store's parser refuses."""


@pytest.fixture(scope="module")
def client(backend_settings: Settings, store: Store) -> TestClient:
    return TestClient(create_app(backend_settings, store=store), raise_server_exceptions=False)


@pytest.mark.parametrize("path", list(ODD_PATHS))
def test_odd_path_is_404_naming_its_iri(
    client: TestClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """No IRI of these is in the store: 404, the message names the IRI, nothing is logged as a
    warning or error."""
    with caplog.at_level(logging.INFO):
        response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert f"<{ODD_PATHS[path]}>" in response.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_escaped_unreserved_characters_name_the_same_resource(client: TestClient) -> None:
    """``%74`` is ``t`` (RFC 3986 §6.2.2.2), so both paths describe the trial; ``%2F`` is not
    ``/`` and names another IRI."""
    assert client.get("/id/%74rial/dascern").status_code == 200
    assert client.get("/id/trial%2Fdascern").status_code == 404


def test_uri_to_iri_keeps_what_an_iri_cannot_hold_escaped() -> None:
    assert uri_to_iri("%5B%5D%23%3F%25%2F") == "%5B%5D%23%3F%25%2F"
    assert uri_to_iri("%c3%a9%F0%9F%A7%AA") == "é\U0001f9ea"
    assert uri_to_iri("%C3") == "%C3"  # a truncated UTF-8 sequence
    assert uri_to_iri("%E2%80%8F") == "%E2%80%8F"  # a bidi mark (RFC 3987 §4.1)


def test_local_paths_are_ascii_and_round_trip() -> None:
    settings = Settings()
    iri = BASE + "arm/café-1"
    path = local_path(iri, settings)
    assert path == "/id/arm/caf%C3%A9-1" and path.isascii()
    assert BASE + uri_to_iri(path.removeprefix("/id/")) == iri
    assert iri_to_uri(ONTOLOGY + "Trial") == ONTOLOGY + "Trial"
